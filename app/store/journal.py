"""The journals on the embedded store: query budgets and the audit log as SQLite tables.

They are not part of any release: a request writes to them at any time, from any gunicorn
worker. Each journal is an SQLite database of its own (``journals/<name>.sqlite3``, WAL mode,
so readers never wait for a writer; in this process's memory for a store kept there). Every
write is one SQL statement, or one transaction taken before it reads (``BEGIN IMMEDIATE``), so
"charge unless the budget is spent" is atomic across processes, and a write that fails (a full
disk) leaves nothing of itself.

Journals of the earlier formats are imported on first use: ``<name>.bson`` (concatenated BSON,
renamed ``<name>.bson.imported`` afterwards) and a ``documents`` table of BSON documents in the
same file (dropped afterwards). Records in them that are not whole (a write torn by a full
disk) or do not decode are skipped, and reported by :meth:`SqliteJournal.skipped_records`.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import bson
from bson.codec_options import CodecOptions
from bson.errors import BSONError

from app.store.collections import AUDIT_LOG, QUERY_BUDGETS
from app.store.errors import StorageFullError, StoreDamagedError
from app.store.journals import AuditEntry, BudgetPeriod
from app.store.mongo_journals import audit_entry, budget_from_document, utc

log = logging.getLogger(__name__)
CODEC = CodecOptions(tz_aware=False)  # how the BSON journals of earlier versions decode

SUFFIX = ".sqlite3"
LEGACY_SUFFIX = ".bson"  # the first format: every document appended to one BSON file
LEGACY_TABLE = "documents"  # the format after it: one BSON document per row
BUSY_SECONDS = 30.0  # how long a call waits for another process's write before failing
PURGE_SECONDS = 60.0  # ended budgets are deleted at most this often, as MongoDB's TTL monitor
EXPORT_BATCH = 1000  # audit entries read per statement by an export
_SKIPPED_TABLE = (
    # what an import of a journal of an earlier format could not read, reported on every read
    "CREATE TABLE IF NOT EXISTS skipped (at TEXT NOT NULL, problem TEXT NOT NULL)"
)
FULL_CODES = (sqlite3.SQLITE_FULL,)
DAMAGED_CODES = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class SqliteJournal:
    """One journal's SQLite database, shared by the processes that serve the store.

    ``path`` None keeps it in this process's memory. ``on_damage`` is told when SQLite finds the
    file damaged (the store then reports it).
    """

    name = ""
    schema: tuple[str, ...] = ()
    check_query = ""

    def __init__(
        self,
        path: Path | None,
        on_damage: Callable[[StoreDamagedError], None] | None = None,
    ) -> None:
        self.path = path
        self._on_damage = on_damage
        self._lock = threading.Lock()  # one connection per process, used by one thread at a time
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)

    def skipped_records(self) -> list[str]:
        """Records of a journal of an earlier format that its import had to leave out."""
        with self._session() as database:
            rows = database.execute("SELECT at, problem FROM skipped ORDER BY rowid").fetchall()
        return [f"{problem} (found {at})" for at, problem in rows]

    def check(self) -> None:
        """Raise :class:`StoreDamagedError` unless SQLite can read the file (readiness)."""
        with self._session() as database:
            database.execute(self.check_query).fetchall()

    def close(self) -> None:
        with self._lock:
            if self._connection is not None and self._pid == os.getpid():
                self._connection.close()
            self._connection = None

    def import_documents(self, database: sqlite3.Connection, documents: list[dict]) -> list[str]:
        """Write the documents of a journal of an earlier format as rows; a problem for each
        one left out."""
        raise NotImplementedError

    # -- the database ----------------------------------------------------------------------

    @contextmanager
    def _session(self) -> Iterator[sqlite3.Connection]:
        """This process's connection, for one call; SQLite's failures become the store's."""
        with self._lock:
            try:
                yield self._connected()
            except sqlite3.Error as error:
                translated = self._translated(error)
                if translated is error:
                    raise
                raise translated from error

    def _connected(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():  # never use a forked one
            database = sqlite3.connect(
                ":memory:" if self.path is None else self.path,
                timeout=BUSY_SECONDS,
                isolation_level=None,
                check_same_thread=False,
            )
            try:
                database.execute("PRAGMA journal_mode=WAL")
                database.execute("PRAGMA synchronous=NORMAL")
                for statement in (*self.schema, _SKIPPED_TABLE):
                    database.execute(statement)
                if self.path is not None:
                    self._import_earlier_formats(database)
            except BaseException:
                database.close()
                raise
            self._connection, self._pid = database, os.getpid()
        return self._connection

    def _translated(self, error: sqlite3.Error) -> Exception:
        code = getattr(error, "sqlite_errorcode", None)
        where = self.path if self.path is not None else Path(f"memory:{self.name}")
        if code in FULL_CODES:
            return StorageFullError(where, str(error))
        if code in DAMAGED_CODES:
            damaged = StoreDamagedError(where, f"journals/{where.name}", str(error))
            if self._on_damage is not None:
                self._on_damage(damaged)
            return damaged
        return error

    def _import_earlier_formats(self, database: sqlite3.Connection) -> None:
        """Move the documents of a ``<name>.bson`` journal, then of a ``documents`` table, in
        once (whichever process comes first), noting in ``skipped`` what could not be read."""
        assert self.path is not None
        legacy = self.path.with_suffix(LEGACY_SUFFIX)
        if legacy.exists():
            with _committed(database):
                if legacy.exists():  # not imported by another process meanwhile
                    documents, problems = whole_records(legacy.read_bytes())
                    problems += self.import_documents(database, documents)
                    _note_skipped(database, self.name, [f"{legacy}: {p}" for p in problems])
                    os.replace(legacy, legacy.with_name(legacy.name + ".imported"))
        if _has_table(database, LEGACY_TABLE):
            with _committed(database):
                if _has_table(database, LEGACY_TABLE):
                    documents, problems = _table_documents(database)
                    problems += self.import_documents(database, documents)
                    _note_skipped(database, self.name, [f"{self.path}: {p}" for p in problems])
                    database.execute(f"DROP TABLE {LEGACY_TABLE}")


class SqliteBudgets(SqliteJournal):
    """A budget period is one row, changed by one ``INSERT … ON CONFLICT DO UPDATE`` (whose
    ``WHERE`` makes a reservation conditional on the room left). A period that has ended reads
    as never charged, as if MongoDB's TTL index had dropped it; its row is deleted later."""

    name = QUERY_BUDGETS
    schema = (
        "CREATE TABLE IF NOT EXISTS budgets (identity TEXT NOT NULL, period INTEGER NOT NULL, "
        "spent INTEGER NOT NULL, ends_at REAL NOT NULL, PRIMARY KEY (identity, period)) "
        "WITHOUT ROWID",
        "CREATE INDEX IF NOT EXISTS budgets_ending ON budgets (ends_at)",
    )
    check_query = "SELECT spent FROM budgets LIMIT 1"

    # Add ?units to a period's row, made if missing; a row of an ended period starts again.
    _ADD = (
        "INSERT INTO budgets (identity, period, spent, ends_at) VALUES (:identity, :period, "
        ":units, :ends_at) ON CONFLICT (identity, period) DO UPDATE SET "
        "spent = CASE WHEN ends_at > :now THEN spent ELSE 0 END + excluded.spent, "
        "ends_at = CASE WHEN ends_at > :now THEN ends_at ELSE excluded.ends_at END"
    )

    def __init__(self, path: Path | None, on_damage: Any = None) -> None:
        super().__init__(path, on_damage)
        self._purged_at = float("-inf")

    def spent(self, period: BudgetPeriod) -> int:
        with self._session() as database:
            row = database.execute(
                "SELECT spent FROM budgets WHERE identity = ? AND period = ? AND ends_at > ?",
                (period.identity, period.index, time.time()),
            ).fetchone()
        return 0 if row is None else int(row[0])

    def charge(self, period: BudgetPeriod, units: int) -> int:
        ((spent,),) = self._write(f"{self._ADD} RETURNING spent", period, units)
        return int(spent)

    def reserve(self, period: BudgetPeriod, units: int, limit: int) -> bool:
        if units > limit:
            return False
        room = " WHERE CASE WHEN ends_at > :now THEN spent ELSE 0 END + excluded.spent <= :limit"
        return bool(self._write(f"{self._ADD}{room} RETURNING spent", period, units, limit=limit))

    def _write(self, statement: str, period: BudgetPeriod, units: int, **more: Any) -> list:
        """One statement, atomic by itself; the rows it returns (read to the end, which ends
        its transaction)."""
        now = time.time()
        values = {
            "identity": period.identity,
            "period": period.index,
            "units": units,
            "ends_at": period.ends_at.timestamp(),
            "now": now,
            **more,
        }
        with self._session() as database:
            if now - self._purged_at > PURGE_SECONDS:
                database.execute("DELETE FROM budgets WHERE ends_at <= ?", (now,))
                self._purged_at = now
            return database.execute(statement, values).fetchall()

    def import_documents(self, database: sqlite3.Connection, documents: list[dict]) -> list[str]:
        now, rows, problems = time.time(), [], []
        for document in documents:
            found = budget_from_document(document)
            if found is None:
                problems.append(f"budget {document.get('_id')!r} names no period and end")
            elif found[0].ends_at.timestamp() > now:
                period, spent = found
                rows.append((period.identity, period.index, spent, period.ends_at.timestamp()))
        database.executemany("INSERT OR IGNORE INTO budgets VALUES (?, ?, ?, ?)", rows)
        return problems


class SqliteAuditLog(SqliteJournal):
    """An entry is one row, appended by one ``INSERT``; an export reads a time window through
    the index on the time (in microseconds since the epoch, UTC)."""

    name = AUDIT_LOG
    schema = (
        "CREATE TABLE IF NOT EXISTS entries (position INTEGER PRIMARY KEY, at INTEGER NOT NULL, "
        "who TEXT NOT NULL, authenticated INTEGER NOT NULL, method TEXT NOT NULL, "
        "endpoint TEXT NOT NULL, status INTEGER NOT NULL, datasets TEXT NOT NULL, "
        "request_id TEXT, query TEXT, lost INTEGER, lost_since INTEGER)",
        "CREATE INDEX IF NOT EXISTS entries_by_time ON entries (at, position)",
    )
    check_query = "SELECT at FROM entries WHERE position = 1"
    _INSERT = "INSERT INTO entries VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    _COLUMNS = "position, at, who, authenticated, method, endpoint, status, datasets, " + (
        "request_id, query, lost, lost_since"
    )

    def append(self, entry: AuditEntry) -> None:
        with self._session() as database:
            database.execute(self._INSERT, _entry_row(entry))

    def entries(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> Iterator[AuditEntry]:
        """Read in batches (each its own statement), so an export holds no lock between them."""
        after = (_micros(since) - 1 if since is not None else -(2**63), 2**63 - 1)
        before = _micros(until) if until is not None else 2**63 - 1
        while True:
            with self._session() as database:
                rows = database.execute(
                    f"SELECT {self._COLUMNS} FROM entries WHERE (at, position) > (?, ?) "
                    "AND at < ? ORDER BY at, position LIMIT ?",
                    (*after, before, EXPORT_BATCH),
                ).fetchall()
            for row in rows:
                yield _row_entry(row)
            if len(rows) < EXPORT_BATCH:
                return
            after = (rows[-1][1], rows[-1][0])

    def import_documents(self, database: sqlite3.Connection, documents: list[dict]) -> list[str]:
        rows, problems = [], []
        for document in documents:
            entry = audit_entry(document)
            if entry is None:
                problems.append(f"entry {document.get('_id')!r} has no time")
            else:
                rows.append(_entry_row(entry))
        database.executemany(self._INSERT, rows)
        return problems


def _entry_row(entry: AuditEntry) -> tuple:
    return (
        _micros(entry.at),
        entry.who,
        int(entry.authenticated),
        entry.method,
        entry.endpoint,
        entry.status,
        json.dumps([list(item) for item in entry.datasets]),
        entry.request_id,
        entry.query,
        entry.lost,
        None if entry.lost_since is None else _micros(entry.lost_since),
    )


def _row_entry(row: tuple) -> AuditEntry:
    _, at, who, authenticated, method, endpoint, status, datasets, *rest = row
    request_id, query, lost, since = rest
    return AuditEntry(
        at=_moment(at),
        who=who,
        authenticated=bool(authenticated),
        method=method,
        endpoint=endpoint,
        status=status,
        datasets=tuple((ident, level) for ident, level in json.loads(datasets)),
        request_id=request_id,
        query=query,
        lost=lost,
        lost_since=None if since is None else _moment(since),
    )


def _micros(moment: datetime) -> int:
    return (utc(moment) - _EPOCH) // _MICROSECOND


def _moment(micros: int) -> datetime:
    return _EPOCH + micros * _MICROSECOND


@contextmanager
def _committed(database: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, taken before anything is read; rolled back on any error (SQLite
    may have rolled it back itself, as after a full disk)."""
    database.execute("BEGIN IMMEDIATE")
    try:
        yield
        database.execute("COMMIT")
    except BaseException:
        if database.in_transaction:
            database.execute("ROLLBACK")
        raise


def _has_table(database: sqlite3.Connection, name: str) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return database.execute(query, (name,)).fetchone() is not None


def _table_documents(database: sqlite3.Connection) -> tuple[list[dict[str, Any]], list[str]]:
    """The documents of the earlier ``documents`` table, in the order they were written."""
    documents, problems = [], []
    query = f"SELECT key, body FROM {LEGACY_TABLE} ORDER BY position"
    for key, body in database.execute(query).fetchall():
        try:
            documents.append(bson.decode(body, CODEC))
        except (BSONError, ValueError, OverflowError):
            problems.append(f"the document with key {bytes(key).hex()} does not decode")
    return documents, problems


def _note_skipped(database: sqlite3.Connection, name: str, problems: list[str]) -> None:
    found = datetime.now(UTC).isoformat(timespec="seconds")
    for problem in problems:
        log.error("journal %s: %s; skipped", name, problem)
        database.execute("INSERT INTO skipped (at, problem) VALUES (?, ?)", (found, problem))


def whole_records(data: bytes) -> tuple[list[dict[str, Any]], list[str]]:
    """The documents of concatenated BSON, and a problem for each stretch of bytes that is not
    a whole record (a write torn by a full disk, later ones appended after it), skipped up to
    the next record that decodes."""
    documents: list[dict[str, Any]] = []
    problems: list[str] = []
    offset = 0
    while offset < len(data):
        document = _record_at(data, offset)
        if document is not None:
            documents.append(document[0])
            offset += document[1]
            continue
        resumed = next((p for p in range(offset + 1, len(data)) if _resumes_at(data, p)), len(data))
        problems.append(f"bytes {offset}-{resumed} are not a whole record")
        offset = resumed
    return documents, problems


def _record_at(data: bytes, offset: int) -> tuple[dict[str, Any], int] | None:
    """The document starting at ``offset`` and its length, if a whole one does."""
    if offset + 5 > len(data):
        return None
    size = int.from_bytes(data[offset : offset + 4], "little", signed=True)
    if size < 5 or offset + size > len(data) or data[offset + size - 1] != 0:
        return None
    try:
        return bson.decode(data[offset : offset + size], CODEC), size
    except (BSONError, ValueError, OverflowError):
        return None


def _resumes_at(data: bytes, offset: int) -> bool:
    """Whether a journal record (a document with an ``_id``) starts at ``offset`` and is
    followed by another one or by the end: not a document nested inside a torn one."""
    found = _record_at(data, offset)
    if found is None or "_id" not in found[0]:
        return False
    following = offset + found[1]
    return following == len(data) or _record_at(data, following) is not None
