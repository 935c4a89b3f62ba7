"""Answers an entry-type query dataset by dataset: conditions on other entry types are joined
to the wanted one through the sample links, then its documents are counted or paged."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.entry_types import BY_ID, EntryType
from app.query.joins import VARIANT, join_steps
from app.services.datasets import DatasetSummary
from app.store import Store

# Variants page in the order of their ``position`` index; metadata in the order of their ids.
VARIANT_ORDER = [("assemblyId", 1), ("referenceName", 1), ("start", 1), ("end", 1)]
RECORD_ORDER = [("id", 1)]
RECORD_PROJECTION = {"_id": 0, "record": 1}


@dataclass(frozen=True)
class Condition:
    """A selector on the documents of entry type ``scope`` within one dataset."""

    scope: str
    selector_for: Callable[[DatasetSummary], dict[str, Any]]


@dataclass(frozen=True)
class DatasetResult:
    dataset_id: str
    exists: bool
    count: int | None = None  # None at boolean granularity: never computed
    records: list[dict[str, Any]] = field(default_factory=list)
    # set when the count reported stands for any count in this range (count bands)
    count_band: tuple[int, int] | None = None


def selector_in_dataset(
    store: Store, target: EntryType, dataset: DatasetSummary, conditions: Sequence[Condition]
) -> dict[str, Any]:
    """One selector on ``target``'s collection: every condition, joined where needed, ANDed."""
    parts: list[dict[str, Any]] = [{"datasetId": dataset.id}]
    for condition in conditions:
        selector = condition.selector_for(dataset)
        if not selector:
            continue  # no condition in this dataset
        if condition.scope != target.id:
            selector = _joined(store, condition.scope, selector, target.id, dataset.id)
        parts.append(selector)
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _joined(
    store: Store, scope: str, selector: dict[str, Any], target: str, dataset_id: str
) -> dict[str, Any]:
    """Carry a condition over: each step reads the distinct linked ids of the matches so far."""
    current = {"$and": [{"datasetId": dataset_id}, selector]}
    for step in join_steps(scope, target):
        collection = store.collection(BY_ID[step.source].store_collection)
        ids = [value for value in collection.distinct(step.read, current) if value is not None]
        current = {"datasetId": dataset_id, step.match: {"$in": sorted(ids)}}
        if not ids:
            break  # nothing links further: the remaining steps would match nothing too
    return current


def find_entries(
    store: Store,
    target: EntryType,
    datasets: Iterable[DatasetSummary],
    conditions: Sequence[Condition],
    granularity: str,
    offset: int,
    limit: int,
) -> list[DatasetResult]:
    """Answer per dataset at the given granularity; boolean answers stop at the first match.

    ``offset`` records are skipped in each dataset before the ``limit`` returned.
    """
    collection = store.collection(target.store_collection)
    order = VARIANT_ORDER if target.id == VARIANT else RECORD_ORDER
    results = []
    for dataset in datasets:
        selector = selector_in_dataset(store, target, dataset, conditions)
        if granularity == "boolean":
            exists = collection.find_one(selector, {"_id": 1}) is not None
            results.append(DatasetResult(dataset.id, exists))
            continue
        count = collection.count_documents(selector)
        records: list[dict[str, Any]] = []
        if granularity == "record" and count > offset:
            cursor = collection.find(selector, RECORD_PROJECTION).sort(order).skip(offset)
            records = [document["record"] for document in cursor.limit(limit)]
        results.append(DatasetResult(dataset.id, count > 0, count, records))
    return results
