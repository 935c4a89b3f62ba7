"""Cursors over the embedded store's matches.

The common reads (plain field projections, skip and limit, no sort) are answered straight from
the decoded matches; anything else (sorting, projection operators) goes through a scratch
mongomock collection so that it behaves exactly as mongomock's own cursor.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import mongomock
from mongomock.filtering import resolve_sort_key


class MatchCursor:
    """The part of pymongo's cursor the beacon uses: ``sort``, ``skip``, ``limit``, iteration."""

    def __init__(self, matches: Iterable[dict[str, Any]], projection: Any = None) -> None:
        self._matches = matches
        self._projection = projection
        self._sort: Any = None
        self._skip = 0
        self._limit = 0
        self._iterator: Iterator[dict[str, Any]] | None = None

    def sort(self, key_or_list: Any, direction: Any = None) -> MatchCursor:
        self._sort = (key_or_list, direction)
        return self

    def skip(self, count: int) -> MatchCursor:
        self._skip = count
        return self

    def limit(self, count: int) -> MatchCursor:
        self._limit = count
        return self

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self

    def __next__(self) -> dict[str, Any]:
        if self._iterator is None:
            self._iterator = self._results()
        return next(self._iterator)

    def _results(self) -> Iterator[dict[str, Any]]:
        project = simple_projection(self._projection)
        order = None if self._sort is None else sort_order(*self._sort)
        if project is None or (self._sort is not None and order is None):
            cursor = scratch_collection(self._matches).find({}, self._projection)
            if self._sort is not None:
                key_or_list, direction = self._sort
                arguments = (key_or_list,) if direction is None else (key_or_list, direction)
                cursor = cursor.sort(*arguments)
            yield from cursor.skip(self._skip).limit(self._limit)
            return
        matches: Iterable[dict[str, Any]] = self._matches
        for key, direction in reversed(order or []):  # stable sorts, last key first, as mongomock
            matches = sorted(
                matches, key=lambda d, k=key: resolve_sort_key(k, d), reverse=direction < 0
            )
        stop = self._skip + self._limit if self._limit else None
        for document in islice(matches, self._skip, stop):
            yield project(document)


def sort_order(key_or_list: Any, direction: Any = None) -> list[tuple[str, int]] | None:
    """A sort specification as (field, direction) pairs; ``None`` for what mongomock must do."""
    if isinstance(key_or_list, str):
        order = [(key_or_list, 1 if direction is None else direction)]
    elif isinstance(key_or_list, dict):
        order = list(key_or_list.items())
    else:
        order = [tuple(pair) for pair in key_or_list]
    if not all(
        isinstance(key, str) and not key.startswith("$") and value in (1, -1)
        for key, value in order
    ):
        return None
    return order


def scratch_collection(documents: Iterable[dict[str, Any]]) -> Any:
    collection = mongomock.MongoClient()["scratch"]["documents"]
    batch = list(documents)
    if batch:
        collection.insert_many(batch)
    return collection


def simple_projection(projection: Any) -> Any:
    """A function applying a projection of plain field paths, or ``None`` for other kinds."""
    if projection is None:
        return lambda document: document
    if isinstance(projection, list | tuple):
        projection = dict.fromkeys(projection, 1)
    if not isinstance(projection, dict) or not all(
        value in (0, 1, True, False) and not isinstance(value, float)
        for value in projection.values()
    ):
        return None
    keep_id = bool(projection.get("_id", 1))
    others = {path: bool(value) for path, value in projection.items() if path != "_id"}
    if not others and keep_id and "_id" in projection:
        return lambda document: included(document, ["_id"])
    if any(others.values()):
        if not all(others.values()):
            return None  # inclusion and exclusion mixed: mongomock says what that means
        paths = [*others, *(["_id"] if keep_id else [])]
        return lambda document: included(document, paths)
    excluded = {path for path in others} | (set() if keep_id else {"_id"})
    if any("." in path for path in excluded):
        return None
    return lambda document: {k: v for k, v in document.items() if k not in excluded}


def included(document: Any, paths: list[str]) -> Any:
    """``document`` with only ``paths`` (dotted, through arrays of documents), as an inclusion
    ``$project`` or find projection gives it."""
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if node is True:
                break
        else:
            node[parts[-1]] = True
    return _pick_tree(document, tree)


def _pick_tree(value: Any, tree: dict[str, Any]) -> Any:
    if isinstance(value, list):
        return [_pick_tree(element, tree) for element in value if isinstance(element, dict)]
    picked = {}
    for key, inner in value.items():  # in the document's own order, as MongoDB answers
        subtree = tree.get(key)
        if subtree is not None:
            if subtree is True:
                picked[key] = inner
            elif isinstance(inner, dict | list):
                picked[key] = _pick_tree(inner, subtree)
    return picked


def distinct_values(documents: Iterable[dict[str, Any]], field: str) -> list[Any]:
    """``distinct`` on a top-level field: each value once (array elements one by one), in the
    order first seen; documents without the field add nothing."""
    seen: set[Any] = set()
    values: list[Any] = []
    for document in documents:
        if field not in document:
            continue
        value = document[field]
        for element in value if isinstance(value, list) else [value]:
            marker = _hashable(element)
            if marker not in seen:
                seen.add(marker)
                values.append(element)
    return values


def _hashable(value: Any) -> Any:
    """Equal values (``1`` and ``1.0``, equal documents) give equal markers."""
    if isinstance(value, dict):
        return ("document", tuple((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("array", tuple(_hashable(v) for v in value))
    if isinstance(value, bool):
        return ("bool", value)
    return value
