"""Cohorts: described per dataset by the metadata loader; a cohort's members are the individuals
of the dataset(s) it was loaded into."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.store import Store
from app.store.collections import COHORTS, DATASET_ID
from app.store.query import EntryIds, Predicate, every

COHORT_ORDER = ("id", DATASET_ID)


def cohort_dataset_ids(store: Store, cohort_id: str) -> set[str]:
    """The datasets a cohort was loaded into (none: no such cohort)."""
    return set(store.distinct(COHORTS, DATASET_ID, EntryIds((cohort_id,))))


def cohort_records(
    store: Store,
    cohort_id: str | None,
    selectors: Sequence[Predicate],
    offset: int,
    limit: int,
) -> tuple[list[dict[str, Any]], int]:
    """The page of cohorts matching every selector, and how many match in all.

    A cohort id loaded into several datasets is one cohort: it is listed once (with its first
    matching record, by dataset id), and its members are the individuals of all of them.
    """
    parts = list(selectors)
    if cohort_id is not None:
        parts.append(EntryIds((cohort_id,)))
    ids = sorted(store.distinct(COHORTS, "id", every(*parts)))
    page = ids[offset : offset + limit]
    records: dict[str, dict[str, Any]] = {}
    # the matching record of each cohort on the page (the first dataset's where several match)
    shown = every(*parts, EntryIds(tuple(page)))
    for document in store.project(COHORTS, shown, ("id", "record"), COHORT_ORDER):
        records.setdefault(document["id"], document["record"])
    return [records[cohort] for cohort in page], len(ids)
