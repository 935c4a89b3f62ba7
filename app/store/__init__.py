"""The storage seam: the only package that knows whether MongoDB or the embedded store is in use.

``open_store(uri)`` picks the backend from the URI: ``mongodb://``/``mongodb+srv://`` for a
MongoDB server through pymongo, ``sqlite://`` (or ``file://``; ``mongomock://``, its name of
earlier versions) for the embedded store on SQLite (``sqlite_store.py``). Everything else
receives a :class:`Store` and asks it in terms of ours: what to select (:mod:`app.store.query`)
and in what form (``exists``, ``count``, ``records``, ``project``, ``distinct``); each backend
lowers the selection to its own language (:mod:`app.store.lower_sql`,
:mod:`app.store.lower_mongo`). The journals every serving process writes (query budgets, the
audit log) are typed objects of their own (:mod:`app.store.journals`: ``Store.budgets``,
``Store.audit``). Loads write releases (``Store.release``) that switch atomically, in terms of
ours too: a dataset's documents of one collection, its filtering terms of some scopes, its
summaries, or all of it (``Release.replace_dataset``, ``replace_terms``, ``put_stats``,
``drop_dataset``), and read what they wrote so far through the same reads as the store's. What
still uses pymongo's collection API (Data Connect's pipelines on MongoDB, the stores' own
tests) keeps to query shapes a real server answers from the indexes of
:mod:`app.store.indexes`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

from app.store import releases
from app.store.collections import (
    DATASET_FIELDS,
    DATASET_ID,
    DATASET_SUMMARIES,
    DATASETS,
    FILTERING_TERMS,
    PROCESS_LOCAL_COLLECTIONS,
    RELEASES,
    RUNTIME_COLLECTIONS,
    VARIANT_STATS,
    VARIANTS,
)
from app.store.errors import StorageFullError, StoreDamagedError
from app.store.journals import AuditEntry, AuditLog, BudgetPeriod, Budgets
from app.store.lower_mongo import dataset_filter, terms_filter
from app.store.mongo import MongoDatabase, MongoRelease
from app.store.query import EVERYTHING, InDatasets
from app.store.reads import ID, CollectionSelection, SelectionReads
from app.store.releases import ReleaseError, ReleaseInfo
from app.store.sqlite_store import SqliteDatabase, SqlitePending
from app.store.sqlite_tables import SqlTables

__all__ = [
    "DATASETS",
    "VARIANTS",
    "VARIANT_STATS",
    "AuditEntry",
    "AuditLog",
    "BudgetPeriod",
    "Budgets",
    "Release",
    "ReleaseError",
    "ReleaseInfo",
    "StorageFullError",
    "Store",
    "StoreConfigurationError",
    "StoreDamagedError",
    "open_store",
]

DEFAULT_DATABASE = "asia_beacon"
EMBEDDED_URI = "sqlite://localhost/asia_beacon"
DATA_DIR_VARIABLE = "ASIA_BEACON_DATA_DIR"
MEMORY_HOST = "memory"  # sqlite://memory/<db>: kept in this process only
# the embedded store; mongomock:// is the name it had before it ran on SQLite
EMBEDDED_SCHEMES = ("sqlite", "file", "mongomock")


T = TypeVar("T")


class StoreConfigurationError(ValueError):
    """The storage URI cannot be used."""


class Release(SelectionReads):
    """A load in progress: what it writes becomes visible together, when the release commits.

    Its reads (``exists``, ``count``, ``project``, ...) read the release's own state, a load
    checking what it just wrote. Loads write in the typed terms of the block below.
    """

    def __init__(self, writer: MongoRelease | SqlitePending) -> None:
        self._writer = writer

    def _selection(self) -> Any:
        if isinstance(self._writer, SqlitePending):
            return self._writer.selection()
        return CollectionSelection(self.collection)

    def replace(
        self,
        collection_name: str,
        selector: Mapping[str, Any],
        documents: Iterable[dict[str, Any]],
    ) -> int:
        """Replace the documents ``selector`` matches with ``documents``; how many were written."""
        _not_a_journal(collection_name)
        return self._writer.replace(collection_name, dict(selector), documents)

    def upsert_by_id(self, collection_name: str, documents: Iterable[dict[str, Any]]) -> int:
        _not_a_journal(collection_name)
        return self._writer.upsert_by_id(collection_name, list(documents))

    def collection(self, name: str) -> Any:
        _not_a_journal(name)
        writer = self._writer
        if isinstance(writer, SqlitePending):
            return writer.database.collection(name, writer)
        return writer.collection(name)

    # -- what loads write, by dataset --------------------------------------------------------

    def replace_dataset(
        self, collection_name: str, dataset_id: str, documents: Iterable[dict[str, Any]]
    ) -> int:
        """Make ``documents`` the dataset's documents in the collection (its variants, its
        individuals...); how many were written."""
        return self._writer.replace(
            collection_name, dataset_filter(collection_name, dataset_id), documents
        )

    def declare_samples(self, biosample_ids: Sequence[str]) -> None:
        """The samples the variants written next name as carriers, in the VCF's order: the
        embedded store numbers its carrier bitmaps in this order (MongoDB needs nothing)."""
        if isinstance(self._writer, SqlitePending):
            self._writer.declare_samples(biosample_ids)

    def replace_terms(
        self, dataset_id: str, scopes: Iterable[str], rows: Iterable[dict[str, Any]]
    ) -> int:
        """Make ``rows`` the dataset's filtering terms of these scopes, its terms of other
        scopes (the variants', written by another loader) kept; how many were written."""
        return self._writer.replace(FILTERING_TERMS, terms_filter(dataset_id, tuple(scopes)), rows)

    def put_stats(self, collection_name: str, dataset_id: str, row: Mapping[str, Any]) -> None:
        """Make ``row`` the dataset's summary in a collection of one document per dataset
        (``variantStats``, ``metadataStats``)."""
        if collection_name not in DATASET_SUMMARIES:
            raise ValueError(f"{collection_name} holds no summaries of datasets")
        self.replace_dataset(collection_name, dataset_id, [{ID: dataset_id, **row}])

    def drop_dataset(self, dataset_id: str) -> list[str]:
        """Remove every document of the dataset; the collections that held some (none: the
        release holds nothing of it)."""
        holding = self.collections_holding(dataset_id)
        for name in holding:
            self.replace_dataset(name, dataset_id, [])
        return holding


class Store(SelectionReads):
    """Collections of one beacon database, the write patterns loads use, and its releases."""

    def __init__(self, backend: SqliteDatabase | MongoDatabase, *, durable: bool) -> None:
        self._backend = backend
        # Whether what is written outlives this process (not so for sqlite://memory/…).
        self.durable = durable
        self._per_release: dict[str, tuple[Any, Any]] = {}

    @property
    def location(self) -> str:
        """Where the data lives, for messages."""
        if isinstance(self._backend, SqliteDatabase):
            return str(self._backend.directory or "this process's memory")
        return f"MongoDB database {self._backend.database.name}"

    def collection(self, name: str) -> Any:
        """A collection of MongoDB's API (on the embedded store a copying view for tools and
        tests: the beacon reads it in our own terms)."""
        _not_a_journal(name)
        return self._backend.collection(name)

    def _selection(self) -> Any:
        backend = self._backend
        if isinstance(backend, SqliteDatabase):
            return backend.served_selection
        return CollectionSelection(self.collection)

    def per_release(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()``, computed again only when the served data changed (a release was made
        or switched, or a direct write happened): for summaries every request would read."""
        version = self._backend.data_version()
        found = self._per_release.get(name)
        if found is None or found[0] != version:
            found = (version, compute())
            self._per_release[name] = found
        return found[1]

    @contextmanager
    def one_release(self) -> Iterator[None]:
        """Every read inside (in this thread) reads the release served at its first read,
        however many loads or release changes are committed meanwhile: an answer made of
        several reads (a count, then its records) is made from one release. The application
        holds one for each request."""
        with self._backend.one_release():
            yield

    def collection_names(self) -> list[str]:
        """The collections of the served release that hold documents."""
        backend = self._backend
        if isinstance(backend, SqliteDatabase):
            parts = backend.served_parts()
            return sorted(name for name, ids in parts.items() if ids)
        served = backend.served_parts()
        plain = [
            name
            for name in backend.database.list_collection_names()
            if "@" not in name
            and name not in served
            and name not in (RELEASES, *RUNTIME_COLLECTIONS)
        ]
        return sorted({*served, *plain})

    # -- the per-dataset summaries, filtering terms and process-local tables --------------------

    def by_dataset(
        self,
        collection_name: str,
        dataset_ids: Sequence[str] | None = None,
        fields: Sequence[str] | None = None,
    ) -> dict[str, dict[str, Any]]:
        """The documents of a collection of one document per dataset (descriptions, variant
        and metadata stats) by dataset id, without it: all datasets' when ``dataset_ids`` is
        None, only ``fields`` of each when given."""
        if DATASET_FIELDS.get(collection_name) != ID:
            raise ValueError(f"{collection_name} does not hold one document per dataset")
        where = EVERYTHING if dataset_ids is None else InDatasets(tuple(dataset_ids))
        found = {}
        for document in self._selection().documents(collection_name, where):
            dataset_id = document.pop(ID)
            if fields is not None:
                document = {name: document[name] for name in fields if name in document}
            found[dataset_id] = document
        return found

    def filtering_terms(
        self,
        dataset_ids: Sequence[str] | None = None,
        scopes: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """The filtering-term rows the loaders wrote (``datasetId``, ``scope``, ``kind``,
        ``id`` and what describes the term) of the datasets, scopes and kinds given (None:
        any)."""
        if isinstance(self._backend, SqliteDatabase):
            yield from self._selection().filtering_terms(dataset_ids, scopes, kinds)
            return
        selector: dict[str, Any] = {}
        for name, values in ((DATASET_ID, dataset_ids), ("scope", scopes), ("kind", kinds)):
            if values is not None:
                selector[name] = {"$in": sorted(values)}
        yield from self.collection(FILTERING_TERMS).find(selector, {ID: 0})

    def dataset_ids_of(self, collection_name: str) -> set[str]:
        """The datasets a collection holds documents of."""
        return set(self.distinct(collection_name, DATASET_FIELDS[collection_name], EVERYTHING))

    def sync_rows(self, collection_name: str, rows: Sequence[dict[str, Any]]) -> None:
        """Make a table rebuilt by each process (:data:`PROCESS_LOCAL_COLLECTIONS`) hold exactly
        ``rows``, each keyed by its ``_id``."""
        if collection_name not in PROCESS_LOCAL_COLLECTIONS:
            raise ValueError(f"{collection_name} is not rebuilt by each process")
        self.upsert_by_id(collection_name, rows)
        kept = [row[ID] for row in rows]
        self.collection(collection_name).delete_many({ID: {"$nin": kept}})

    @property
    def variants(self) -> Any:
        return self.collection(VARIANTS)

    @property
    def datasets(self) -> Any:
        return self.collection(DATASETS)

    def aggregate(self, collection_name: str, pipeline: list[dict[str, Any]]) -> list[dict]:
        """Run an aggregation pipeline; the result documents, as a list."""
        if isinstance(self._backend, SqliteDatabase):
            return self._selection().aggregate(collection_name, pipeline)
        # large sorts and groups may spill to disk rather than fail (MongoDB before 6.0)
        return list(self.collection(collection_name).aggregate(pipeline, allowDiskUse=True))

    def sql_tables(self) -> SqlTables | None:
        """Data Connect's tables as SQL views of the served release, with a read-only runner
        (the embedded store); None where queries are aggregation pipelines (MongoDB)."""
        backend = self._backend
        if not isinstance(backend, SqliteDatabase):
            return None
        return SqlTables(str(backend.path), backend.served_parts(), backend.collection)

    def ensure_indexes(self) -> None:
        """Create every index the served queries rely on (idempotent). The embedded store's
        tables carry theirs; MongoDB collections get them here."""
        if isinstance(self._backend, MongoDatabase):
            from app.store.indexes import INDEXES

            for name in INDEXES:
                self._backend.create_indexes(name, self._backend.physical_name(name))

    @contextmanager
    def release(self, description: str) -> Iterator[Release]:
        """Everything written inside becomes visible at once when the block ends without an
        error; an error (or the process dying) leaves the served data exactly as it was."""
        backend = self._backend
        with backend.writing() as manifest:
            if isinstance(backend, SqliteDatabase):
                writing = SqlitePending(backend, releases.active_parts(manifest))
                try:
                    yield Release(writing)
                    updated, _ = releases.with_new_release(manifest, writing.parts, description)
                    backend.commit(updated)
                except BaseException:
                    writing.abandon()
                    raise
                return
            writer = MongoRelease(backend, manifest)
            try:
                yield Release(writer)
                updated, _ = releases.with_new_release(manifest, writer.parts, description)
                backend.commit(manifest, updated)
            except BaseException:
                writer.abort()
                raise

    def replace_documents(
        self,
        collection_name: str,
        selector: Mapping[str, Any],
        documents: Iterable[dict[str, Any]],
        batch_size: int = 2000,
    ) -> int:
        """Replace the documents matching ``selector`` with ``documents``, all or nothing."""
        (written,) = self.replace_many([(collection_name, selector, documents)])
        return written

    def replace_many(
        self,
        replacements: Sequence[tuple[str, Mapping[str, Any], Iterable[dict[str, Any]]]],
        description: str | None = None,
    ) -> list[int]:
        """Several ``(collection, selector, documents)`` replacements as one release."""
        names = ", ".join(sorted({name for name, _, _ in replacements}))
        with self.release(description or f"replace in {names}") as release:
            return [release.replace(name, sel, docs) for name, sel, docs in replacements]

    def upsert_by_id(self, collection_name: str, documents: Iterable[dict[str, Any]]) -> int:
        """Insert or replace documents keyed by their ``_id``, as one release (collections
        outside releases are written in place)."""
        if collection_name in PROCESS_LOCAL_COLLECTIONS:
            collection = self.collection(collection_name)
            count = 0
            for document in documents:
                collection.replace_one({"_id": document["_id"]}, document, upsert=True)
                count += 1
            return count
        with self.release(f"upsert into {collection_name}") as release:
            return release.upsert_by_id(collection_name, documents)

    # -- journals: written while serving, by every process, outside releases ---------------

    @property
    def budgets(self) -> Budgets:
        """The query budgets (app.store.journals)."""
        return self._backend.budgets

    @property
    def audit(self) -> AuditLog:
        """The audit log of queries (app.store.journals)."""
        return self._backend.audit_log

    # -- releases ------------------------------------------------------------------------------

    def releases(self) -> list[ReleaseInfo]:
        return releases.release_infos(self._manifest())

    def active_release(self) -> str | None:
        return self._manifest().get("active")

    def activate(self, release_id: str) -> None:
        self._change_manifest(lambda manifest: releases.activated(manifest, release_id))

    def rollback(self) -> str:
        """Serve again the release served before the active one; its id."""
        chosen: list[str] = []

        def change(manifest: releases.Manifest) -> releases.Manifest:
            updated, previous = releases.rolled_back(manifest)
            chosen.append(previous)
            return updated

        self._change_manifest(change)
        return chosen[0]

    def drop_release(self, release_id: str) -> None:
        self._change_manifest(lambda manifest: releases.dropped(manifest, release_id))

    def _manifest(self) -> releases.Manifest:
        backend = self._backend
        if isinstance(backend, MongoDatabase):
            return backend.manifest(fresh=True)
        return backend.manifest()

    def _change_manifest(self, change: Any) -> None:
        backend = self._backend
        with backend.writing() as manifest:
            updated = change(manifest)
            if isinstance(backend, SqliteDatabase):
                backend.commit(updated)
            else:
                backend.commit(manifest, updated)

    def ping(self) -> None:
        """Raise unless the database answers (readiness checks); on the embedded store,
        :class:`StoreDamagedError` if a file it serves from was found damaged."""
        backend = self._backend
        if isinstance(backend, MongoDatabase):
            backend.client.admin.command("ping")
        else:
            backend.check()

    def close(self) -> None:
        backend = self._backend
        if isinstance(backend, MongoDatabase):
            backend.client.close()
        else:
            backend.close()


def _not_a_journal(name: str) -> None:
    if name in RUNTIME_COLLECTIONS:
        raise ValueError(f"{name} is a journal: use Store.budgets or Store.audit")


def default_data_dir() -> Path:
    """``ASIA_BEACON_DATA_DIR``, else the per-user data directory (XDG)."""
    configured = os.environ.get(DATA_DIR_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local/share")
    return Path(base) / "asia-beacon"


def open_store(uri: str, data_dir: str | Path | None = None) -> Store:
    """Open the store a URI names.

    - ``mongodb://host/db`` (or ``mongodb+srv://``): MongoDB, database ``db``.
    - ``sqlite:///path/to/dir`` (or ``file://``, or ``mongomock://`` as in earlier versions):
      the embedded store kept in that directory (``store.sqlite3`` and its journals).
    - ``sqlite://localhost/db``: the embedded store in ``<data dir>/db``, the data dir being
      ``data_dir``, else ``ASIA_BEACON_DATA_DIR``, else the per-user data directory.
    - ``sqlite://memory/db``: the embedded store of this process only (a temporary file).
    """
    parsed = urlparse(uri)
    database_name = parsed.path.lstrip("/").split("?", 1)[0] or DEFAULT_DATABASE
    if parsed.scheme in EMBEDDED_SCHEMES:
        if parsed.hostname == MEMORY_HOST:
            return Store(SqliteDatabase(None), durable=False)
        if not parsed.netloc:
            directory = Path(parsed.path)
        else:
            directory = Path(data_dir).expanduser() if data_dir else default_data_dir()
            directory = directory / database_name
        return Store(SqliteDatabase(directory), durable=True)
    if parsed.scheme in ("mongodb", "mongodb+srv"):
        import pymongo

        client = pymongo.MongoClient(uri, appname="asia-beacon")
        return Store(MongoDatabase(client, database_name), durable=True)
    raise StoreConfigurationError(
        f"unsupported storage URI scheme {parsed.scheme!r} in ASIA_BEACON_MONGO_URI; "
        "use mongodb://host/db for MongoDB or sqlite:///path for the embedded store"
    )
