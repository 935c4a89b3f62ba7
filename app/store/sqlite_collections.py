"""pymongo's collection calls over the embedded SQLite store, for tools and tests.

The beacon reads and writes the embedded store in its own terms (:mod:`app.store.reads`,
``Release``); what MongoDB's API still reaches (Data Connect's pipelines until its SQL runs
natively, tests that inspect what a load stored) gets this view: each call copies the
collection's documents of the release it reads into a mongomock collection and answers there,
so MongoDB's semantics come from the same library that tests the MongoDB path. A write rewrites
the collection as new parts and changes the served release in place, as a direct write to
MongoDB would. It costs a copy of the collection per call: fine for the small collections and
the tests it serves, never a serving path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import mongomock

from app.store import releases
from app.store.query import EVERYTHING

if TYPE_CHECKING:
    from app.store.sqlite_store import SqliteDatabase, SqlitePending

_READS = ("find", "find_one", "count_documents", "distinct", "estimated_document_count")
_WRITES = (
    "insert_one",
    "insert_many",
    "replace_one",
    "update_one",
    "update_many",
    "delete_one",
    "delete_many",
    "find_one_and_update",
)


class SqliteCollection:
    """One collection of the served release (``pending`` None) or of a load's own state."""

    def __init__(
        self, database: SqliteDatabase, name: str, pending: SqlitePending | None = None
    ) -> None:
        self._database = database
        self.name = name
        self._pending = pending

    @property
    def database(self) -> Any:
        return self._database

    def _parts(self) -> releases.Parts:
        if self._pending is not None:
            return self._pending.parts
        return self._database.served_parts()

    def _copy(self, parts: releases.Parts) -> Any:
        scratch = mongomock.MongoClient()["copy"][self.name]
        documents = list(self._database.selection(lambda: parts).documents(self.name, EVERYTHING))
        if documents:
            scratch.insert_many(documents)
        return scratch

    def __getattr__(self, method: str) -> Callable[..., Any]:
        if method in _READS:
            return lambda *args, **kwargs: getattr(self._copy(self._parts()), method)(
                *args, **kwargs
            )
        if method in _WRITES:
            return lambda *args, **kwargs: self._write(
                lambda scratch: getattr(scratch, method)(*args, **kwargs)
            )
        raise AttributeError(method)

    def aggregate(self, pipeline: list[dict[str, Any]], **kwargs: Any) -> Any:
        return self._database.selection(self._parts).aggregate(self.name, pipeline)

    def index_information(self) -> dict[str, Any]:
        return {"_id_": {"key": [("_id", 1)]}}

    def create_index(self, keys: Any, **options: Any) -> str:
        """The tables carry the indexes the queries use (app.store.sqlite_schema)."""
        return str(options.get("name") or "_".join(f"{k}_{d}" for k, d in keys))

    def drop(self) -> None:
        self._write(lambda scratch: scratch.drop())

    def _write(self, change: Callable[[Any], Any]) -> Any:
        if self._pending is not None:
            raise TypeError("a pending load's collection is read-only; write through the load")
        from app.store.sqlite_store import SqlitePending

        database = self._database
        with database.writing() as manifest:
            pending = SqlitePending(database, releases.active_parts(manifest))
            try:
                scratch = self._copy(pending.parts)
                result = change(scratch)
                pending.replace(self.name, {}, _documents(scratch))
                database.commit(
                    releases.with_active_parts(manifest, pending.parts, f"write to {self.name}")
                )
            except BaseException:
                pending.abandon()
                raise
        return result


def _documents(scratch: Any) -> Iterable[dict[str, Any]]:
    return list(scratch.find({}))
