"""Reads in our own terms (:mod:`app.store.query`), shared by the served store and a release.

A :class:`~app.store.Store` reads the served release; a :class:`~app.store.Release` reads what
its load wrote so far (a load counting the entries it just replaced). Each backend gives the
reads of its own language: SQL over the parts a release names on the embedded store
(:mod:`app.store.sqlite_store`), MongoDB filters (:mod:`app.store.lower_mongo`) over collections
of MongoDB's API elsewhere (:class:`CollectionSelection`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from app.store.collections import DATASET_FIELDS, DATASET_ID, VARIANTS
from app.store.lower_mongo import collection_filter
from app.store.query import InDatasets, Predicate, every

# The page orders, total (each document in one place, on every backend): variants by position,
# then internal id and dataset; the other entries by id, then dataset.
VARIANT_ORDER = [("assemblyId", 1), ("referenceName", 1), ("start", 1), ("end", 1)]
VARIANT_ORDER += [("variantInternalId", 1), (DATASET_ID, 1)]
ENTRY_ORDER = [("id", 1), (DATASET_ID, 1)]
ID = "_id"
RECORD_ONLY = {ID: 0, "record": 1}


class CollectionSelection:
    """The reads over collections of MongoDB's API (MongoDB's, the embedded store's view): each
    selection lowered to a MongoDB filter."""

    def __init__(self, collection: Callable[[str], Any]) -> None:
        self.collection = collection

    def exists(self, collection_name: str, where: Predicate) -> bool:
        selector = collection_filter(collection_name, where)
        return self.collection(collection_name).find_one(selector, {ID: 1}) is not None

    def count(self, collection_name: str, where: Predicate) -> int:
        selector = collection_filter(collection_name, where)
        return self.collection(collection_name).count_documents(selector)

    def count_meeting(
        self, collection_name: str, where: Predicate, also: Predicate
    ) -> tuple[int, bool]:
        count = self.count(collection_name, where)
        return count, count > 0 and self.exists(collection_name, every(where, also))

    def records(
        self, collection_name: str, where: Predicate, skip: int, limit: int
    ) -> list[dict[str, Any]]:
        order = VARIANT_ORDER if collection_name == VARIANTS else ENTRY_ORDER
        selector = collection_filter(collection_name, where)
        cursor = self.collection(collection_name).find(selector, RECORD_ONLY)
        return [document["record"] for document in cursor.sort(order).skip(skip).limit(limit)]

    def project(
        self, collection: str, where: Predicate, fields: Sequence[str], order: Sequence[str] = ()
    ) -> Iterator[dict[str, Any]]:
        projection = {ID: 0, **{name: 1 for name in fields}}
        selector = collection_filter(collection, where)
        cursor = self.collection(collection).find(selector, projection)
        if order:
            cursor = cursor.sort([(name, 1) for name in order])
        yield from cursor

    def distinct(self, collection_name: str, field: str, where: Predicate) -> list[Any]:
        selector = collection_filter(collection_name, where)
        values = self.collection(collection_name).distinct(field, selector)
        return [value for value in values if value is not None]

    def documents(self, collection_name: str, where: Predicate) -> Iterator[dict[str, Any]]:
        yield from self.collection(collection_name).find(collection_filter(collection_name, where))


class SelectionReads:
    """``exists``, ``count``, ``records``, ``project`` and ``distinct`` over the selection the
    backend gives (``_selection()``); ``InDatasets`` is read from whichever field names the
    dataset in each collection (``_id`` of the descriptions and stats, ``datasetId`` elsewhere)."""

    def _selection(self) -> Any:
        raise NotImplementedError

    def exists(self, collection_name: str, where: Predicate) -> bool:
        """Whether any document of the collection is what ``where`` selects."""
        return self._selection().exists(collection_name, where)

    def count(self, collection_name: str, where: Predicate) -> int:
        return self._selection().count(collection_name, where)

    def count_meeting(
        self, collection_name: str, where: Predicate, also: Predicate
    ) -> tuple[int, bool]:
        """How many documents ``where`` selects, and whether any of them also meets ``also``:
        a count and a check of what it counted, in one read where the backend can."""
        return self._selection().count_meeting(collection_name, where, also)

    def records(
        self, collection_name: str, where: Predicate, skip: int, limit: int
    ) -> list[dict[str, Any]]:
        """The Beacon records of the selected documents, ``limit`` of them after ``skip``, in
        the collection's order (variants by position, the other entries by id)."""
        return self._selection().records(collection_name, where, skip, limit)

    def project(
        self,
        collection_name: str,
        where: Predicate,
        fields: Sequence[str],
        order: Sequence[str] = (),
    ) -> Iterator[dict[str, Any]]:
        """The ``fields`` (dotted paths read as nested documents) of the selected documents,
        ascending by ``order`` when given."""
        yield from self._selection().project(collection_name, where, fields, order)

    def distinct(self, collection_name: str, field: str, where: Predicate) -> list[Any]:
        """The values of ``field`` (each value of a field holding several) in the selected
        documents, None left out."""
        return self._selection().distinct(collection_name, field, where)

    def collections_holding(self, dataset_id: str) -> list[str]:
        """The collections holding documents of the dataset (its description, variants,
        metadata entries, filtering terms, stats), in ``DATASET_FIELDS`` order."""
        return [name for name in DATASET_FIELDS if self.exists(name, InDatasets((dataset_id,)))]
