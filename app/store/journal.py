"""Collections every serving process writes (query budgets, the audit log) on the embedded store.

They are not part of any release: a request appends to them at any time, from any gunicorn
worker. Each is one BSON file guarded by an advisory lock: inserts append under the lock, other
writes rewrite the file (to a temporary name, then renamed), and reads take the shared lock.
mongomock answers every call over the file's documents, so the semantics are MongoDB's.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bson
from pymongo.results import InsertManyResult, InsertOneResult

from app.store.cursor import scratch_collection
from app.store.segment import CODEC

_READS = ("find", "find_one", "count_documents", "distinct", "aggregate", "index_information")
_REWRITES = (
    "update_one",
    "update_many",
    "replace_one",
    "delete_one",
    "delete_many",
    "find_one_and_update",
    "find_one_and_replace",
    "find_one_and_delete",
)


class JournalCollection:
    """A pymongo-like collection kept in one file that several processes share."""

    def __init__(self, path: Path, name: str, ttl_field: str | None = None) -> None:
        self._path = path
        self._lock_path = path.with_suffix(".lock")
        self.name = name
        # documents whose date in this field has passed are dropped (MongoDB's TTL index)
        self._ttl_field = ttl_field
        path.parent.mkdir(parents=True, exist_ok=True)

    def __getattr__(self, method: str) -> Any:
        if method in _READS:
            return lambda *args, **kwargs: self._read(method, *args, **kwargs)
        if method in _REWRITES:
            return lambda *args, **kwargs: self._rewrite(method, *args, **kwargs)
        raise AttributeError(method)

    def insert_one(self, document: dict[str, Any]) -> Any:
        return self._append([document], "insert_one")

    def insert_many(self, documents: list[dict[str, Any]], ordered: bool = True) -> Any:
        return self._append(list(documents), "insert_many")

    def create_index(self, keys: Any, **options: Any) -> str:
        return str(options.get("name", keys))

    def drop(self) -> None:
        with self._locked(fcntl.LOCK_EX):
            self._path.unlink(missing_ok=True)

    def _read(self, method: str, *args: Any, **kwargs: Any) -> Any:
        with self._locked(fcntl.LOCK_SH):
            scratch = scratch_collection(self._documents())
        return getattr(scratch, method)(*args, **kwargs)

    def _append(self, documents: list[dict[str, Any]], method: str) -> Any:
        """Appends without reading the file: an insert per request stays cheap as it grows."""
        for document in documents:
            document.setdefault("_id", bson.ObjectId())
        encoded = b"".join(bson.encode(document) for document in documents)
        with self._locked(fcntl.LOCK_EX), open(self._path, "ab") as handle:
            handle.write(encoded)
        if method == "insert_one":
            return InsertOneResult(documents[0]["_id"], acknowledged=True)
        return InsertManyResult([document["_id"] for document in documents], acknowledged=True)

    def _rewrite(self, method: str, *args: Any, **kwargs: Any) -> Any:
        with self._locked(fcntl.LOCK_EX):
            scratch = scratch_collection(self._documents())
            result = getattr(scratch, method)(*args, **kwargs)
            temporary = self._path.with_suffix(".tmp")
            with open(temporary, "wb") as handle:
                for document in scratch.find({}):
                    handle.write(bson.encode(document))
            os.replace(temporary, self._path)
        return result

    def _documents(self) -> list[dict[str, Any]]:
        if not self._path.exists():
            return []
        documents = bson.decode_all(self._path.read_bytes(), CODEC)
        if self._ttl_field is None:
            return documents
        now = datetime.now(UTC).replace(tzinfo=None)
        return [d for d in documents if not _expired(d.get(self._ttl_field), now)]

    @contextmanager
    def _locked(self, mode: int) -> Iterator[None]:
        with open(self._lock_path, "a") as lock:
            fcntl.flock(lock, mode)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _expired(value: Any, now: datetime) -> bool:
    if not isinstance(value, datetime):
        return False
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value <= now
