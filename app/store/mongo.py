"""The MongoDB backend: releases as sets of real collections, switched by one document update.

A load copies the documents it keeps into new collections (``genomicVariations@r000007-…``,
server-side with ``$out``), inserts its own, builds the declared indexes, and only then
replaces the manifest document in one single-document write, which MongoDB applies atomically:
readers see the old release or the new one, never a mix. Collections no release uses any more
are dropped after the switch. Serving processes re-read the manifest at most once a second, and
a request reads the release its first read found (``one_release``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any

from pymongo.errors import DuplicateKeyError

from app.store import releases
from app.store.collections import (
    AUDIT_LOG,
    PROCESS_LOCAL_COLLECTIONS,
    QUERY_BUDGETS,
    RELEASES,
    RUNTIME_COLLECTIONS,
)
from app.store.indexes import INDEXES
from app.store.mongo_journals import MongoAuditLog, MongoBudgets
from app.store.pinning import ReleaseHold

MANIFEST_ID = "manifest"
MANIFEST_MAX_AGE_SECONDS = 1.0
RELEASE_MARK = "@"  # in the name of every collection a release created


class MongoDatabase:
    def __init__(self, client: Any, database_name: str) -> None:
        self.client = client
        self.database = client[database_name]
        # the journals (outside releases; every process writes them)
        self.budgets = MongoBudgets(self.database[QUERY_BUDGETS])
        self.audit_log = MongoAuditLog(self.database[AUDIT_LOG])
        self._manifest: releases.Manifest | None = None
        self._read_at = 0.0
        # the release a request reads (one_release): its collections and version
        self._hold: ReleaseHold[tuple[releases.Parts, Any]] = ReleaseHold(
            f"mongo-release-{id(self)}"
        )

    def manifest(self, fresh: bool = False) -> releases.Manifest:
        now = time.monotonic()
        if fresh or self._manifest is None or now - self._read_at > MANIFEST_MAX_AGE_SECONDS:
            stored = self.database[RELEASES].find_one({"_id": MANIFEST_ID})
            if stored is not None:
                stored.pop("_id")
            self._manifest = stored or releases.empty_manifest()
            self._read_at = now
        return self._manifest

    def data_version(self) -> Any:
        """The served release (re-read at most once a second); within ``one_release``, that
        release. Direct writes to released collections (which loads never make) do not
        change it."""
        held = self._hold.held(self._served_release)
        return _version(self.manifest()) if held is None else held[1]

    def served_parts(self) -> releases.Parts:
        """The served release's collections; within ``one_release``, those of the release its
        first read found served."""
        held = self._hold.held(self._served_release)
        return releases.active_parts(self.manifest()) if held is None else held[0]

    @contextmanager
    def one_release(self) -> Iterator[None]:
        """Every read inside (in this thread) reads the release served at its first read."""
        with self._hold.holding():
            yield

    def _served_release(self) -> tuple[releases.Parts, Any]:
        manifest = self.manifest()
        return releases.active_parts(manifest), _version(manifest)

    def physical_name(self, name: str, parts: releases.Parts | None = None) -> str:
        if parts is None:
            parts = self.served_parts()
        found = parts.get(name)
        return found[0] if found else name

    def collection(self, name: str) -> Any:
        if name in RUNTIME_COLLECTIONS or name in PROCESS_LOCAL_COLLECTIONS or name == RELEASES:
            return self.database[name]
        return ReleasedCollection(self, name)

    def create_indexes(self, name: str, physical: str, unique: bool = True) -> None:
        collection = self.database[physical]
        for spec in INDEXES.get(name, ()):
            options: dict[str, Any] = {"name": spec.name, "unique": spec.unique and unique}
            if spec.expire_after_seconds is not None:
                options["expireAfterSeconds"] = spec.expire_after_seconds
            collection.create_index(list(spec.keys), **options)

    @contextmanager
    def writing(self) -> Iterator[releases.Manifest]:
        yield self.manifest(fresh=True)

    def commit(self, previous: releases.Manifest, manifest: releases.Manifest) -> None:
        """Replace the manifest if nobody else did since ``previous`` was read."""
        stored = {"_id": MANIFEST_ID, **manifest}
        try:
            result = self.database[RELEASES].replace_one(
                {"_id": MANIFEST_ID, "sequence": previous.get("sequence", 0)},
                stored,
                upsert=previous.get("sequence", 0) == 0,
            )
        except DuplicateKeyError:
            result = None
        if result is None or (result.matched_count == 0 and result.upserted_id is None):
            raise releases.ReleaseError(
                "another load or release change was committed meanwhile; run it again"
            )
        self._manifest = None
        kept = releases.referenced_parts(manifest)
        for name in self.database.list_collection_names():
            if RELEASE_MARK in name and name not in kept:
                self.database[name].drop()


def _version(manifest: releases.Manifest) -> Any:
    return (manifest.get("sequence"), manifest.get("active"))


class ReleasedCollection:
    """The active release's collection behind a logical name: resolved on every call, so a
    handle kept across a release switch reads the new release."""

    def __init__(self, database: MongoDatabase, name: str) -> None:
        self._database = database
        self.name = name

    def __getattr__(self, attribute: str) -> Any:
        physical = self._database.physical_name(self.name)
        return getattr(self._database.database[physical], attribute)


class MongoRelease:
    """A load in progress: new collections beside the served ones, and the parts they make."""

    def __init__(self, database: MongoDatabase, manifest: releases.Manifest) -> None:
        self._database = database
        self.manifest = manifest
        self.parts = releases.active_parts(manifest)
        self._tag = f"{releases.next_release_id(manifest)}-{uuid.uuid4().hex[:8]}"
        self.created: list[str] = []

    def collection(self, name: str) -> Any:
        if name in RUNTIME_COLLECTIONS or name in PROCESS_LOCAL_COLLECTIONS:
            return self._database.database[name]
        return self._database.database[self._database.physical_name(name, self.parts)]

    def replace(
        self,
        name: str,
        selector: dict[str, Any],
        documents: Iterable[dict[str, Any]],
        batch_size: int = 2000,
    ) -> int:
        database = self._database.database
        source = self._database.physical_name(name, self.parts)
        target = f"{name}{RELEASE_MARK}{self._tag}-{len(self.created)}"
        self.created.append(target)
        if source in database.list_collection_names():
            database[source].aggregate([{"$match": {"$nor": [selector]}}, {"$out": target}])
        written = 0
        iterator = iter(documents)
        while batch := list(islice(iterator, batch_size)):
            database[target].insert_many(batch, ordered=False)
            written += len(batch)
        self._database.create_indexes(name, target)
        self.parts[name] = [target]
        return written

    def upsert_by_id(self, name: str, documents: list[dict[str, Any]]) -> int:
        return self.replace(name, {"_id": {"$in": [d["_id"] for d in documents]}}, documents)

    def abort(self) -> None:
        for name in self.created:
            self._database.database[name].drop()
