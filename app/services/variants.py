"""Runs a variant selector against each dataset and collects one result per dataset."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from app.services.datasets import DatasetSummary
from app.store import Store

# Index order of the ``position`` index, so paging walks the index.
RECORD_ORDER = [("assemblyId", 1), ("referenceName", 1), ("start", 1), ("end", 1)]
RECORD_PROJECTION = {"_id": 0, "record": 1}


@dataclass(frozen=True)
class DatasetResult:
    dataset_id: str
    exists: bool
    count: int | None = None  # None at boolean granularity: never computed
    records: list[dict[str, Any]] = field(default_factory=list)


def find_variants(
    store: Store,
    datasets: Iterable[DatasetSummary],
    selector_for: Callable[[DatasetSummary], dict[str, Any]],
    granularity: str,
    offset: int,
    limit: int,
) -> list[DatasetResult]:
    """Answer per dataset at the given granularity; boolean answers stop at the first match.

    ``offset`` records are skipped in each dataset before the ``limit`` returned.
    """
    results = []
    for dataset in datasets:
        selector = selector_for(dataset)
        if granularity == "boolean":
            exists = store.variants.find_one(selector, {"_id": 1}) is not None
            results.append(DatasetResult(dataset.id, exists))
            continue
        count = store.variants.count_documents(selector)
        records: list[dict[str, Any]] = []
        if granularity == "record" and count > offset:
            cursor = (
                store.variants.find(selector, RECORD_PROJECTION)
                .sort(RECORD_ORDER)
                .skip(offset)
                .limit(limit)
            )
            records = [document["record"] for document in cursor]
        results.append(DatasetResult(dataset.id, count > 0, count, records))
    return results
