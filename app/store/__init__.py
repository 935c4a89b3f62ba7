"""The storage seam: the only module that knows whether MongoDB or the embedded store is in use.

``open_store(uri)`` picks the backend from the URI scheme (``mongodb://``/``mongodb+srv://`` for a
real server through pymongo, ``mongomock://`` for the embedded in-process store). Everything else
receives a :class:`Store` and uses pymongo's collection API, keeping to query shapes a real server
answers from the indexes declared in :mod:`app.store.indexes`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from itertools import islice
from typing import Any
from urllib.parse import urlparse

from app.store.collections import DATASETS, VARIANT_STATS, VARIANTS
from app.store.indexes import INDEXES

__all__ = ["DATASETS", "VARIANTS", "VARIANT_STATS", "Store", "open_store"]

DEFAULT_DATABASE = "asia_beacon"
EMBEDDED_URI = "mongomock://localhost/asia_beacon"


class StoreConfigurationError(ValueError):
    """The storage URI cannot be used."""


class Store:
    """Collections of one beacon database, plus the few write patterns the loaders need."""

    def __init__(
        self, client: Any, database_name: str, *, durable: bool, match_before_copy: bool = False
    ) -> None:
        self._client = client
        self._database = client[database_name]
        # Whether what is written outlives this process (the embedded store does not, yet).
        self.durable = durable
        # The embedded store copies a whole collection before an aggregation's first stage.
        self._match_before_copy = match_before_copy

    def collection(self, name: str) -> Any:
        return self._database[name]

    @property
    def variants(self) -> Any:
        return self._database[VARIANTS]

    @property
    def datasets(self) -> Any:
        return self._database[DATASETS]

    def aggregate(self, collection_name: str, pipeline: list[dict[str, Any]]) -> list[dict]:
        """Run an aggregation pipeline; the result documents, as a list.

        On the embedded store, a leading ``$match`` is answered by ``find`` (which copies only
        the matching documents) and the rest of the pipeline runs over those, in a scratch
        collection of the same database (so ``$lookup`` still sees every collection).
        """
        collection = self._database[collection_name]
        if not (self._match_before_copy and pipeline and "$match" in pipeline[0]):
            # large sorts and groups may spill to disk rather than fail (MongoDB before 6.0)
            return list(collection.aggregate(pipeline, allowDiskUse=True))
        matched = list(collection.find(pipeline[0]["$match"]))
        scratch = self._database[f"{collection_name}.aggregate-{uuid.uuid4().hex}"]
        try:
            if matched:
                scratch.insert_many(matched)
            return list(scratch.aggregate(pipeline[1:]))
        finally:
            scratch.drop()

    def ensure_indexes(self) -> None:
        """Create every index the served queries rely on (idempotent)."""
        for collection_name, specs in INDEXES.items():
            collection = self._database[collection_name]
            for spec in specs:
                # The embedded store checks a unique index by scanning the whole collection on
                # every insert; the loaders check uniqueness themselves before writing, so it
                # only gets the plain index there.
                unique = spec.unique and self.durable
                options: dict[str, Any] = {"name": spec.name, "unique": unique}
                if spec.expire_after_seconds is not None:
                    options["expireAfterSeconds"] = spec.expire_after_seconds
                collection.create_index(list(spec.keys), **options)

    def replace_documents(
        self,
        collection_name: str,
        selector: Mapping[str, Any],
        documents: Iterable[dict[str, Any]],
        batch_size: int = 2000,
    ) -> int:
        """Replace the documents matching ``selector`` with ``documents``, all or nothing."""
        (written,) = self.replace_many([(collection_name, selector, documents)], batch_size)
        return written

    def replace_many(
        self,
        replacements: Sequence[tuple[str, Mapping[str, Any], Iterable[dict[str, Any]]]],
        batch_size: int = 2000,
    ) -> list[int]:
        """Several ``(collection, selector, documents)`` replacements, staged together.

        Every new document is staged in a scratch collection first; the served collections are
        touched only after every input was consumed without error, so a load that fails on a
        bad input line (in any of its files) leaves what was served before exactly as it was.
        Returns the number of documents written per replacement.
        """
        stagings = [
            self._database[f"{name}.staging-{uuid.uuid4().hex}"] for name, _, _ in replacements
        ]
        try:
            written = [
                _insert_in_batches(staging, documents, batch_size)
                for staging, (_, _, documents) in zip(stagings, replacements, strict=True)
            ]
            for staging, (name, selector, _) in zip(stagings, replacements, strict=True):
                target = self._database[name]
                target.delete_many(dict(selector))
                _insert_in_batches(target, staging.find({}, {"_id": 0}), batch_size)
            return written
        finally:
            for staging in stagings:
                staging.drop()

    def upsert_by_id(self, collection_name: str, documents: Iterable[dict[str, Any]]) -> int:
        """Insert or replace documents keyed by their ``_id``."""
        collection = self._database[collection_name]
        count = 0
        for document in documents:
            collection.replace_one({"_id": document["_id"]}, document, upsert=True)
            count += 1
        return count

    def ping(self) -> None:
        """Raise unless the database answers (readiness checks)."""
        self._client.admin.command("ping")

    def close(self) -> None:
        self._client.close()


def _insert_in_batches(collection: Any, documents: Iterable[dict[str, Any]], size: int) -> int:
    iterator = iter(documents)
    written = 0
    while batch := list(islice(iterator, size)):
        collection.insert_many(batch, ordered=False)
        written += len(batch)
    return written


def open_store(uri: str) -> Store:
    """Open the store a URI names; the database is the URI path (default ``asia_beacon``)."""
    parsed = urlparse(uri)
    database_name = parsed.path.lstrip("/").split("?", 1)[0] or DEFAULT_DATABASE
    if parsed.scheme == "mongomock":
        import mongomock

        return Store(mongomock.MongoClient(), database_name, durable=False, match_before_copy=True)
    if parsed.scheme in ("mongodb", "mongodb+srv"):
        import pymongo

        client = pymongo.MongoClient(uri, appname="asia-beacon")
        return Store(client, database_name, durable=True)
    raise StoreConfigurationError(
        f"unsupported storage URI scheme {parsed.scheme!r} in ASIA_BEACON_MONGO_URI; "
        "use mongodb://host/db for MongoDB or mongomock:// for the embedded store"
    )
