"""Answers an entry-type query dataset by dataset: conditions on other entry types are joined
to the wanted one through the sample links, then its documents are counted or paged."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.entry_types import BY_ID, EntryType
from app.query.joins import join_steps
from app.services.datasets import DatasetSummary
from app.store import Store
from app.store.query import EVERYTHING, LinkedTo, Predicate, in_dataset


@dataclass(frozen=True)
class Condition:
    """What selects documents of entry type ``scope`` within one dataset (given the dataset)."""

    scope: str
    selector_for: Callable[[DatasetSummary], Predicate]


@dataclass(frozen=True)
class DatasetResult:
    dataset_id: str
    exists: bool
    count: int | None = None  # None at boolean granularity: never computed
    records: list[dict[str, Any]] = field(default_factory=list)
    # set when the count reported stands for any count in this range (count bands)
    count_band: tuple[int, int] | None = None
    # whether a counted entry also met the check asked for (None: none was asked)
    also_met: bool | None = None


def selector_in_dataset(
    store: Store, target: EntryType, dataset: DatasetSummary, conditions: Sequence[Condition]
) -> Predicate:
    """What selects ``target``'s documents of the dataset: every condition, joined where
    needed."""
    parts: list[Predicate] = []
    for condition in conditions:
        where = condition.selector_for(dataset)
        if where == EVERYTHING:
            continue  # no condition in this dataset
        if condition.scope != target.id:
            where = _joined(store, condition.scope, where, target.id, dataset.id)
        parts.append(where)
    return in_dataset(dataset.id, *parts)


def _joined(store: Store, scope: str, where: Predicate, target: str, dataset_id: str) -> Predicate:
    """Carry a condition over: each step reads the distinct linked ids of the matches so far."""
    current = in_dataset(dataset_id, where)
    for step in join_steps(scope, target):
        collection = BY_ID[step.source].store_collection
        ids = tuple(sorted(store.distinct(collection, step.read, current)))
        current = in_dataset(dataset_id, LinkedTo(step.match, ids))
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
    also: Callable[[DatasetSummary], Predicate | None] | None = None,
) -> list[DatasetResult]:
    """Answer per dataset at the given granularity; boolean answers stop at the first match.

    ``offset`` records are skipped in each dataset before the ``limit`` returned. ``also``
    gives, per dataset, a check of the entries counted (None: none there), answered in
    ``also_met`` by the count's own read; boolean answers, counting nothing, check nothing.
    """
    collection = target.store_collection
    results = []
    for dataset in datasets:
        where = selector_in_dataset(store, target, dataset, conditions)
        if granularity == "boolean":
            results.append(DatasetResult(dataset.id, store.exists(collection, where)))
            continue
        check = None if also is None else also(dataset)
        met = None
        if check is None:
            count = store.count(collection, where)
        else:
            count, met = store.count_meeting(collection, where, check)
        records: list[dict[str, Any]] = []
        if granularity == "record" and count > offset:
            records = store.records(collection, where, offset, limit)
        results.append(DatasetResult(dataset.id, count > 0, count, records, also_met=met))
    return results
