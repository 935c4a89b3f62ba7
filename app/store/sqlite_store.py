"""The embedded store on SQLite: one database file, releases over immutable parts.

Rows live in the tables of :mod:`app.store.sqlite_schema`, each in a *part*: the rows of one
dataset in one collection written by one load. The release manifest (:mod:`app.store.releases`,
the same rules as on MongoDB) is one row of the ``manifest`` table and lists each release's
parts. A load writes its rows under new parts in batches of their own transactions (no release
names them yet, so nobody reads them), then switches the served release in one short
transaction: readers are never blocked (WAL) and a killed load leaves only parts that no release
names, removed by the next write. A request reads the parts of the release served at its first
read (:class:`~app.store.pinning.ReleaseHold`), so its counts and records agree whatever is
committed meanwhile; parts a release change leaves unnamed are deleted only after a grace period
for the requests still reading them.

``directory`` None keeps the database in a temporary file of this process (removed when the
store closes or the process ends): the same engine, for tests and throwaway stores.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mongomock
from mongomock.aggregate import process_pipeline
from mongomock.filtering import filter_applies

from app.store import releases
from app.store.collections import DATASET_FIELDS, FILTERING_TERMS, PROCESS_LOCAL_COLLECTIONS
from app.store.errors import StorageFullError, StoreDamagedError
from app.store.journal import (
    BUSY_SECONDS,
    DAMAGED_CODES,
    FULL_CODES,
    SqliteAuditLog,
    SqliteBudgets,
    SqliteJournal,
)
from app.store.journal import SUFFIX as JOURNAL_SUFFIX
from app.store.lower_sql import (
    PartsRead,
    register_functions,
    sql_count,
    sql_count_meeting,
    sql_distinct,
    sql_exists,
    sql_records,
    sql_where,
)
from app.store.pinning import ReleaseHold
from app.store.query import EVERYTHING, InDatasets, Predicate
from app.store.sqlite_carriers import CarrierWriter, SampleNames
from app.store.sqlite_collections import SqliteCollection
from app.store.sqlite_documents import (
    CASE_LEVEL,
    NewParts,
    StoreFormatError,
    all_or_nothing,
    create_tables,
    delete_parts,
    insert_documents,
    read_documents,
    stored_record,
)

DATABASE_FILE = "store.sqlite3"
JOURNALS_DIR = "journals"
LOCK_FILE = "write.lock"
WRITE_BATCH = 20_000  # documents per transaction of a load
# SQLite's page cache per connection, in KiB. Each thread's connection keeps its own cache, so a
# reader's stays small (a 10M-variant store: 1 Mb range counts 10% slower than with 64 MiB, a
# worker's private memory 97 MB instead of 119 after the query benchmark). A write, inserting
# into indexes in no particular order, gets the large one while it runs.
READ_CACHE_KIB = 16_384
WRITE_CACHE_KIB = 65_536
# No memory-mapped reads: pages come through read() from the operating system's page cache,
# which every process shares, and a worker's RSS holds only its own cache. Over 10M variants
# the store calls took the same time (1 Mb ranges 2-4% longer) and a reader's VmRSS after 800
# counts was 113 MB against 248 with a 1 GiB map (its mapped file pages counted as its own).
MMAP_BYTES = 0
ANALYSIS_ROWS = 1000  # rows of each index ANALYZE samples after a release is committed
# how long the rows of a part no release names stay, for requests still reading them
DROPPED_PART_GRACE_SECONDS = 120.0
ID = "_id"
DECODED_DOCUMENTS_KEPT = 50_000  # a collection decoded once per release up to this size
DECODED_COLLECTIONS_KEPT = 8
VERSION_RETRIES = 5  # reads of one value, each after the served release changed
VERSIONED_KEPT = 4096
_VERSIONED: dict[str, str] = {}  # a statement -> it with the manifest's version beside


@dataclass(frozen=True)
class ServedRelease:
    """The release served at one manifest version: its parts, and for each collection the
    parts as a read takes them (:class:`~app.store.lower_sql.PartsRead`)."""

    parts: releases.Parts
    version: int
    readings: Mapping[str, PartsRead]


NOTHING_READ = PartsRead((), {}, genes_keyed=True)


class SqliteDatabase:
    """One embedded database: its file, its manifest, the parts it names, its journals."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._temporary: str | None = None
        if directory is None:
            self._temporary = tempfile.mkdtemp(prefix="asia-beacon-store-")
            base = Path(self._temporary)
            weakref.finalize(self, _remove_in_creator, self._temporary, os.getpid())
        else:
            base = directory
            base.mkdir(parents=True, exist_ok=True)
        self.path = base / DATABASE_FILE
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._thread_lock = threading.RLock()
        self._damaged: StoreDamagedError | None = None
        self._other_layout: StoreDamagedError | None = None  # a file this version cannot read
        self._manifest: tuple[int, releases.Manifest] = (-1, releases.empty_manifest())
        self._manifest_lock = threading.Lock()
        self._served: ServedRelease | None = None
        self._hold: ReleaseHold[ServedRelease] = ReleaseHold(f"sqlite-release-{id(self)}")
        self.served_selection = SqlSelection(self, self.served_parts, self.served_reading)
        self._process_local = mongomock.MongoClient()["process_local"]
        self.sample_names = SampleNames()  # carriers' sample indexes -> biosample ids
        # documents decoded for the pipeline bridge, by (collection, parts, with carriers)
        self.decoded: dict[tuple[str, tuple[int, ...], bool], list[dict[str, Any]]] = {}
        journals = None if directory is None else directory / JOURNALS_DIR
        self.budgets = SqliteBudgets(_journal_path(journals, SqliteBudgets), self._noted)
        self.audit_log = SqliteAuditLog(_journal_path(journals, SqliteAuditLog), self._noted)
        try:
            with self.session() as connection:
                create_tables(connection)
                connection.execute(
                    "INSERT OR IGNORE INTO manifest (one, document, version) VALUES (1, ?, 0)",
                    (json.dumps(releases.empty_manifest()),),
                )
        except StoreDamagedError:
            pass  # noted: the process starts, and says it is not ready (check)
        except StoreFormatError as error:  # the same, naming what to do; nothing reads it
            self._damaged = self._other_layout = StoreDamagedError(
                self.path, DATABASE_FILE, str(error)
            )

    # -- connections ---------------------------------------------------------------------------

    @contextmanager
    def session(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection (never one inherited through a fork); SQLite's failures
        become the store's (a full disk, a damaged file). A file of another layout is never
        read nor written."""
        if self._other_layout is not None:
            raise self._other_layout
        try:
            yield self._connection()
        except sqlite3.Error as error:
            raise self._translated(error) from error

    def _connection(self) -> sqlite3.Connection:
        found = getattr(self._local, "connection", None)
        if found is not None and found[0] == os.getpid():
            return found[1]
        connection = sqlite3.connect(
            self.path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(f"PRAGMA cache_size=-{READ_CACHE_KIB}")
        connection.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        register_functions(connection)
        self._local.connection = (os.getpid(), connection)
        self._local.seen = None  # the connection's data_version when the manifest was read
        with self._thread_lock:
            self._opened.append(connection)
        return connection

    def _translated(self, error: sqlite3.Error) -> Exception:
        code = getattr(error, "sqlite_errorcode", None)
        if code in FULL_CODES:
            return StorageFullError(self.path, str(error))
        if code in DAMAGED_CODES:
            self._damaged = StoreDamagedError(self.path, DATABASE_FILE, str(error))
            return self._damaged
        return error

    def _noted(self, error: StoreDamagedError) -> None:
        self._damaged = error

    # -- releases --------------------------------------------------------------------------------

    def manifest(self) -> releases.Manifest:
        """The newest committed manifest (parsed again only when its version changed)."""
        return self._newest()[1]

    def _newest(self) -> tuple[int, releases.Manifest]:
        """The manifest is read again only when another connection committed since this
        connection last read it (``PRAGMA data_version``; this connection's own commits
        forget what it saw, :meth:`commit`), then parsed again only when its version grew."""
        with self.session() as connection:
            (stamp,) = connection.execute("PRAGMA data_version").fetchone()
            if stamp == self._local.seen:
                return self._manifest
            (version,) = connection.execute("SELECT version FROM manifest").fetchone()
            if version > self._manifest[0]:
                (document,) = connection.execute("SELECT document FROM manifest").fetchone()
                with self._manifest_lock:  # versions only grow: never an older one kept
                    if version > self._manifest[0]:
                        self._manifest = (version, json.loads(document))
            self._local.seen = stamp
        return self._manifest

    def data_version(self) -> Any:
        held = self._hold.held(self._served_release)
        return self._newest()[0] if held is None else held.version

    def served_parts(self) -> releases.Parts:
        """The served release's parts (read-only; computed once per manifest version); within
        ``one_release``, those of the release its first read found served."""
        held = self._hold.held(self._served_release)
        return (self._served_release() if held is None else held).parts

    def served_reading(self, collection: str) -> PartsRead:
        """The served parts of a collection as a read takes them (as :meth:`served_parts`)."""
        held = self._hold.held(self._served_release)
        served = self._served_release() if held is None else held
        return served.readings.get(collection, NOTHING_READ)

    def _served_release(self) -> ServedRelease:
        version, manifest = self._newest()
        cached = self._served
        if cached is None or cached.version != version:
            parts = releases.active_parts(manifest)
            cached = ServedRelease(parts, version, self._readings(parts))
            self._served = cached
        return cached

    def served_value(
        self, collection: str, where: Predicate, statement: Callable[..., tuple[str, list[Any]]]
    ) -> Any:
        """The one value ``statement(collection, where, parts)`` selects over the served parts.
        Outside ``one_release`` the statement also reads the manifest's version in the same
        snapshot: the parts known are used without asking first, and the statement is made
        again over the new release's parts only when that version says they changed."""
        held = self._hold.held(self._served_release)
        try:
            connection = self._connection()
            if held is not None:
                reading = held.readings.get(collection, NOTHING_READ)
                return connection.execute(*statement(collection, where, reading)).fetchone()[0]
            served = self._served or self._served_release()
            for _ in range(VERSION_RETRIES):
                text, parameters = statement(
                    collection, where, served.readings.get(collection, NOTHING_READ)
                )
                versioned = _VERSIONED.get(text)
                if versioned is None:
                    if len(_VERSIONED) >= VERSIONED_KEPT:
                        _VERSIONED.clear()
                    versioned = _VERSIONED[text] = (
                        f"SELECT ({text}), (SELECT version FROM manifest)"
                    )
                value, version = connection.execute(versioned, parameters).fetchone()
                if version == served.version:
                    return value
                self._local.seen = None  # a release changed: read the manifest again
                served = self._served_release()
            # releases changing faster than one read: the newest parts, as a held read takes
            reading = served.readings.get(collection, NOTHING_READ)
            return connection.execute(*statement(collection, where, reading)).fetchone()[0]
        except sqlite3.Error as error:
            raise self._translated(error) from error

    def _readings(self, parts: releases.Parts) -> dict[str, PartsRead]:
        """Each collection's parts with their datasets and whether all their variants have
        gene keys (read once per release: a part never changes)."""
        named = sorted({int(part) for ids in parts.values() for part in ids})
        with self.session() as connection:
            rows = connection.execute(
                f"SELECT part, dataset_id, unkeyed_genes FROM stored_part "
                f"WHERE part IN ({', '.join('?' * len(named))})",
                named,
            ).fetchall()
        datasets = {part: dataset for part, dataset, _ in rows}
        unkeyed = {part for part, _, count in rows if count}
        readings = {}
        for collection, ids in parts.items():
            of = tuple(int(part) for part in ids)
            keyed = not unkeyed.intersection(of)
            readings[collection] = PartsRead(of, {p: datasets.get(p, "") for p in of}, keyed)
        return readings

    @contextmanager
    def one_release(self) -> Iterator[None]:
        with self._hold.holding():
            yield

    @contextmanager
    def writing(self) -> Iterator[releases.Manifest]:
        """Hold the writers' lock (threads and processes), remove what dead writers left, and
        yield the newest manifest."""
        with self._thread_lock, open(self.path.with_name(LOCK_FILE), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                self._remove_unnamed_parts()
                yield self.manifest()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def commit(self, manifest: releases.Manifest) -> None:
        """Make ``manifest`` the committed one (the caller holds the writers' lock): the parts
        it names become permanent, those it no longer names start their grace period."""
        named = sorted(int(part) for part in releases.referenced_parts(manifest))
        marks = ", ".join("?" * len(named))
        with self.session() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                connection.execute(
                    "UPDATE manifest SET document = ?, version = version + 1",
                    (json.dumps(manifest),),
                )
                connection.execute(
                    f"UPDATE stored_part SET loader_pid = NULL, dropped_at = NULL "
                    f"WHERE part IN ({marks})",
                    named,
                )
                connection.execute(
                    f"UPDATE stored_part SET dropped_at = ? WHERE dropped_at IS NULL "
                    f"AND loader_pid IS NULL AND part NOT IN ({marks})",
                    [time.time(), *named],
                )
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        self._local.seen = None  # this connection's commit leaves its data_version as it was
        self.manifest()
        self._remove_unnamed_parts(unnamed_by_loads=False)
        with self.session() as connection:
            # statistics for the planner, from a sample of each index (milliseconds at 10^6
            # rows): without them SQLite prefers the part's equality to the gene subqueries
            connection.execute(f"PRAGMA analysis_limit = {ANALYSIS_ROWS}")
            connection.execute("ANALYZE")

    def _remove_unnamed_parts(self, unnamed_by_loads: bool = True) -> None:
        """Parts whose grace period ended and (``unnamed_by_loads``) parts of loads that never
        committed: no other writer runs while we hold the lock."""
        of_loads = "loader_pid IS NOT NULL OR " if unnamed_by_loads else ""
        with self.session() as connection:
            rows = connection.execute(
                f"SELECT part FROM stored_part WHERE {of_loads}dropped_at <= ?",
                (time.time() - DROPPED_PART_GRACE_SECONDS,),
            ).fetchall()
            delete_parts(connection, [part for (part,) in rows])

    def new_parts(self) -> NewParts:
        return NewParts(self._connection(), loader_pid=os.getpid())

    def discard(self, parts: Iterable[int]) -> None:
        with self.session() as connection:
            delete_parts(connection, list(parts))

    # -- reads -----------------------------------------------------------------------------------

    def selection(self, parts: Callable[[], releases.Parts]) -> SqlSelection:
        return SqlSelection(self, parts)

    def collection(self, name: str, pending: SqlitePending | None = None) -> Any:
        """A collection of MongoDB's API: the tables each process rebuilds (privacy laws, a
        hub's network) in this process's memory; the others as a copying view
        (:mod:`app.store.sqlite_collections`), never on a serving path."""
        if name in PROCESS_LOCAL_COLLECTIONS:
            return self._process_local[name]
        return SqliteCollection(self, name, pending)

    def check(self) -> None:
        """Raise :class:`StoreDamagedError` if SQLite found the database or a journal damaged,
        or cannot read it now (readiness)."""
        if self._damaged is not None:
            raise self._damaged
        self.manifest()
        if self.directory is not None:
            for journal in (self.budgets, self.audit_log):
                journal.check()

    def close(self) -> None:
        with self._thread_lock:
            for connection in self._opened:
                with suppress(sqlite3.Error):
                    connection.close()
            self._opened.clear()
            self._local = threading.local()
        for journal in (self.budgets, self.audit_log):
            journal.close()
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)


class SqlSelection:
    """``exists``, ``count``, ``records``, ``project``, ``distinct`` and whole documents over
    the parts ``parts()`` names (the served release's, or a load's own); ``reading`` gives the
    served parts of a collection with what lets the SQL name them directly."""

    def __init__(
        self,
        database: SqliteDatabase,
        parts: Callable[[], releases.Parts],
        reading: Callable[[str], PartsRead] | None = None,
    ) -> None:
        self._database = database
        self._parts = parts
        self._reading = reading

    def _parts_of(self, collection: str) -> PartsRead | list[int]:
        if self._reading is not None:
            return self._reading(collection)
        return [int(part) for part in self._parts().get(collection, [])]

    def _row(self, statement: tuple[str, list[Any]]) -> tuple[Any, ...] | None:
        with self._database.session() as connection:
            return connection.execute(*statement).fetchone()

    def _rows(self, statement: tuple[str, list[Any]]) -> list[tuple[Any, ...]]:
        with self._database.session() as connection:
            return connection.execute(*statement).fetchall()

    def exists(self, collection: str, where: Predicate) -> bool:
        if self._reading is not None:
            return bool(self._database.served_value(collection, where, _exists_value))
        return self._row(sql_exists(collection, where, self._parts_of(collection))) is not None

    def count(self, collection: str, where: Predicate) -> int:
        if self._reading is not None:
            return self._database.served_value(collection, where, sql_count)
        return self._row(sql_count(collection, where, self._parts_of(collection)))[0]  # type: ignore[index]

    def count_meeting(self, collection: str, where: Predicate, also: Predicate) -> tuple[int, bool]:
        def statement(name: str, selected: Predicate, parts: Any) -> tuple[str, list[Any]]:
            return sql_count_meeting(name, selected, also, parts)

        if self._reading is not None:
            value = self._database.served_value(collection, where, statement)
        else:
            value = self._row(statement(collection, where, self._parts_of(collection)))[0]  # type: ignore[index]
        return value >> 1, bool(value & 1)

    def records(
        self, collection: str, where: Predicate, skip: int, limit: int
    ) -> list[dict[str, Any]]:
        statement = sql_records(collection, where, skip, limit, self._parts_of(collection))
        names = self._database.sample_names
        with self._database.session() as connection:
            rows = connection.execute(*statement).fetchall()
            return [stored_record(connection, names, row) for row in rows]

    def distinct(self, collection: str, field: str, where: Predicate) -> list[Any]:
        try:
            statement = sql_distinct(collection, field, where, self._parts_of(collection))
        except ValueError:  # a field held in the record only: read from the documents
            values: list[Any] = []
            for document in self.documents(collection, where):
                found = _at_path(document, field)
                for value in found if isinstance(found, list) else [found]:
                    if value is not None and value not in values:
                        values.append(value)
            return values
        return [value for (value,) in self._rows(statement)]

    def documents(
        self, collection: str, where: Predicate, with_case_level: bool = True
    ) -> Iterator[dict[str, Any]]:
        """The selected documents whole, as the loaders wrote them (variants' records without
        their carriers unless ``with_case_level``)."""
        text, parameters = sql_where(collection, where, self._parts_of(collection))
        with self._database.session() as connection:
            yield from read_documents(
                connection,
                collection,
                text,
                parameters,
                with_case_level,
                self._database.sample_names,
            )

    def project(
        self, collection: str, where: Predicate, fields: Sequence[str], order: Sequence[str] = ()
    ) -> Iterator[dict[str, Any]]:
        projected = [_projected(document, fields) for document in self.documents(collection, where)]
        if order:
            projected.sort(key=lambda document: [_sort_key(_at_path(document, f)) for f in order])
        yield from projected

    def _released_documents(self, collection: str, carriers: bool) -> list[dict[str, Any]]:
        """Every document of the collection in the parts read, each a copy of its own at the
        top level (the stages that add fields add them there); small collections' documents
        are decoded once per release, as parts never change."""
        parts = self._parts_of(collection)
        key = (collection, tuple(parts.parts if isinstance(parts, PartsRead) else parts), carriers)
        cache = self._database.decoded
        found = cache.get(key)
        if found is None:
            found = list(self.documents(collection, EVERYTHING, carriers))
            if len(found) <= DECODED_DOCUMENTS_KEPT:
                cache[key] = found
                while len(cache) > DECODED_COLLECTIONS_KEPT:
                    del cache[next(iter(cache))]
        return [dict(document) for document in found]

    def filtering_terms(
        self,
        dataset_ids: Sequence[str] | None,
        scopes: Sequence[str] | None,
        kinds: Sequence[str] | None,
    ) -> Iterator[dict[str, Any]]:
        where = EVERYTHING if dataset_ids is None else InDatasets(tuple(dataset_ids))
        for document in self.documents(FILTERING_TERMS, where):
            if (scopes is None or document["scope"] in scopes) and (
                kinds is None or document["kind"] in kinds
            ):
                del document[ID]
                yield document

    def aggregate(self, collection: str, pipeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """A MongoDB aggregation over the selected release's documents, run by mongomock (a
        leading ``$match`` first, in Python): the documented subset of Data Connect's SQL
        where its queries do not run on SQLite natively."""
        rest = list(pipeline)
        carriers = CASE_LEVEL in json.dumps(pipeline, default=str)
        documents: Iterable[dict[str, Any]] = (
            self._database.collection(collection).find({})
            if collection in PROCESS_LOCAL_COLLECTIONS
            else self._released_documents(collection, carriers)
        )
        if rest and "$match" in rest[0]:
            selector, rest = rest[0]["$match"], rest[1:]
            documents = (document for document in documents if filter_applies(selector, document))
        scratch = mongomock.MongoClient()["aggregate"]
        for name in _collections_read_by(rest):
            if name in PROCESS_LOCAL_COLLECTIONS:  # kept in this process's memory
                others = list(self._database.collection(name).find({}))
            else:
                others = list(self.documents(name, EVERYTHING))
            if others:
                scratch[name].insert_many(others)
        # the documents read are this call's own: the pipeline runs over them as they are
        return list(process_pipeline(list(documents), scratch, rest, None))


class SqlitePending:
    """What a load is writing: the served parts, then each change applied, as new parts."""

    def __init__(self, database: SqliteDatabase, parts: releases.Parts) -> None:
        self.database = database
        self.parts = parts
        self._created: list[int] = []  # every part this write made

    def selection(self) -> SqlSelection:
        return self.database.selection(lambda: self.parts)

    def abandon(self) -> None:
        """Delete every part this write made (it failed before its commit, or in it)."""
        self.database.discard(self._created)
        self._created.clear()

    def replace(
        self, name: str, selector: Mapping[str, Any], documents: Iterable[dict[str, Any]]
    ) -> int:
        """Write the new documents' parts first (a failing input leaves nothing named), then
        leave out of the collection what ``selector`` matched."""
        kept = self._without(name, dict(selector))
        written, new = self._insert(name, documents)
        self.parts[name] = [*kept, *new]
        return written

    def declare_samples(self, biosample_ids: Sequence[str]) -> None:
        with (
            self.database.session() as connection,
            all_or_nothing(connection, "declare_samples"),
        ):
            CarrierWriter(connection).declare(biosample_ids)

    def upsert_by_id(self, name: str, documents: list[dict[str, Any]]) -> int:
        ids = [document[ID] for document in documents]
        return self.replace(name, {ID: {"$in": ids}}, documents)

    def _insert(self, name: str, documents: Iterable[dict[str, Any]]) -> tuple[int, list[str]]:
        """Insert in batches of their own transactions, into new parts (one per dataset); how
        many were written and the parts."""
        parts = self.database.new_parts()
        written, batch = 0, []
        try:
            with self.database.session() as connection:
                connection.execute(f"PRAGMA cache_size=-{WRITE_CACHE_KIB}")
                try:
                    for document in documents:
                        batch.append(document)
                        if len(batch) >= WRITE_BATCH:
                            written += insert_documents(connection, name, batch, parts)
                            batch = []
                    if batch:
                        written += insert_documents(connection, name, batch, parts)
                finally:
                    connection.execute(f"PRAGMA cache_size=-{READ_CACHE_KIB}")
        finally:
            self._created += parts.parts.values()
        return written, [str(part) for part in parts.parts.values()]

    def _without(self, name: str, selector: dict[str, Any]) -> list[str]:
        """The collection's parts with what ``selector`` matches left out: parts of the
        datasets it names go whole; any other selector rewrites the parts it matches in."""
        current = self.parts.get(name, [])
        if not selector:
            return []
        datasets = _datasets_named(selector, DATASET_FIELDS.get(name))
        if datasets is not None:
            of = self._datasets_of(current)
            return [part for part in current if of.get(int(part)) not in datasets]
        kept = []
        for part in current:
            with self.database.session() as connection:
                documents = list(
                    read_documents(
                        connection, name, "part = ?", [int(part)], True, self.database.sample_names
                    )
                )
            remaining = [doc for doc in documents if not filter_applies(selector, doc)]
            if len(remaining) == len(documents):
                kept.append(part)
            else:
                kept += self._insert(name, remaining)[1]
        return kept

    def _datasets_of(self, parts: Sequence[str]) -> dict[int, str]:
        with self.database.session() as connection:
            rows = connection.execute(
                f"SELECT part, dataset_id FROM stored_part WHERE part IN "
                f"({', '.join('?' * len(parts))})",
                [int(part) for part in parts],
            ).fetchall()
        return dict(rows)


def _exists_value(collection: str, where: Predicate, parts: PartsRead) -> tuple[str, list[Any]]:
    text, parameters = sql_exists(collection, where, parts)
    return f"SELECT EXISTS ({text})", parameters


def _datasets_named(selector: dict[str, Any], field: str | None) -> set[str] | None:
    """The datasets a selector of the dataset field alone names (``{field: id}`` or
    ``{field: {"$in": [...]}}``), else None."""
    if field is None or set(selector) != {field}:
        return None
    value = selector[field]
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict) and set(value) == {"$in"}:
        return {item for item in value["$in"] if isinstance(item, str)}
    return None


def _remove_in_creator(directory: str, creator: int) -> None:
    """Remove a temporary database when the process that made it ends (not a forked worker)."""
    if os.getpid() == creator:
        shutil.rmtree(directory, ignore_errors=True)


def _journal_path(directory: Path | None, journal: type[SqliteJournal]) -> Path | None:
    return None if directory is None else directory / f"{journal.name}{JOURNAL_SUFFIX}"


def _at_path(document: Any, path: str) -> Any:
    value = document
    for step in path.split("."):
        if isinstance(value, list):
            value = [item.get(step) for item in value if isinstance(item, dict)]
        elif isinstance(value, dict):
            value = value.get(step)
        else:
            return None
    return value


def _projected(document: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """The ``fields`` (dotted paths) of a document, nested as MongoDB's projection gives them."""
    projected: dict[str, Any] = {}
    for path in fields:
        steps = path.split(".")
        source: Any = document
        for step in steps[:-1]:
            source = source.get(step) if isinstance(source, dict) else None
        if not isinstance(source, dict) or steps[-1] not in source:
            continue
        target = projected
        for step in steps[:-1]:
            target = target.setdefault(step, {})
        target[steps[-1]] = source[steps[-1]]
    return projected


def _sort_key(value: Any) -> tuple[int, Any]:
    # MongoDB's order of types for the values a projection sorts by: missing first
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (3, value)
    if isinstance(value, int | float):
        return (1, value)
    return (2, str(value))


def _collections_read_by(pipeline: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()

    def visit(value: Any) -> None:
        if isinstance(value, dict):
            lookup = value.get("$lookup")
            if isinstance(lookup, dict) and isinstance(lookup.get("from"), str):
                found.add(lookup["from"])
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    visit(pipeline)
    return found
