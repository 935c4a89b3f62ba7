"""Cohorts: described per dataset by the metadata loader; a cohort's members are the individuals
of the dataset(s) it was loaded into."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.store import Store
from app.store.collections import COHORTS

COHORT_ORDER = [("id", 1), ("datasetId", 1)]


def cohort_dataset_ids(store: Store, cohort_id: str) -> set[str]:
    return set(store.collection(COHORTS).distinct("datasetId", {"id": cohort_id}))


def cohort_records(
    store: Store,
    cohort_id: str | None,
    selectors: Sequence[dict[str, Any]],
    offset: int,
    limit: int,
) -> tuple[list[dict[str, Any]], int]:
    """The page of cohort records matching every selector, and how many match in all."""
    parts = list(selectors)
    if cohort_id is not None:
        parts.append({"id": cohort_id})
    selector: dict[str, Any] = {"$and": parts} if parts else {}
    collection = store.collection(COHORTS)
    total = collection.count_documents(selector)
    cursor = collection.find(selector, {"_id": 0, "record": 1}).sort(COHORT_ORDER)
    return [doc["record"] for doc in cursor.skip(offset).limit(limit)], total
