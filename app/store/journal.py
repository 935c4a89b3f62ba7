"""Collections every serving process writes (query budgets, the audit log) on the embedded store.

They are not part of any release: a request writes to them at any time, from any gunicorn
worker. Each is an SQLite database (``journals/<name>.sqlite3``, WAL mode, so readers never
wait for a writer) holding one row per document, keyed by its ``_id``. A call whose filter names
the ``_id`` (a budget's read and charge) reads and writes that one row, and an insert (an audit
entry) adds one, whatever the number of documents; other calls read every row. Each write is
one transaction taken before it reads (``BEGIN IMMEDIATE``), so a read-modify-write such as a
conditional charge is atomic across processes, and a write that fails (a full disk) leaves
nothing of itself. mongomock answers every call over the rows it read, so the semantics are
MongoDB's.

A journal of the earlier format (``<name>.bson``, concatenated BSON) is imported on first use
and renamed ``<name>.bson.imported``; records in it that are not whole (a write torn by a full
disk) are skipped, and reported by :meth:`JournalCollection.skipped_records`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bson
from bson.errors import BSONError
from pymongo.errors import DuplicateKeyError
from pymongo.results import InsertManyResult, InsertOneResult

from app.store.cursor import scratch_collection
from app.store.errors import StorageFullError, StoreDamagedError
from app.store.segment import CODEC

log = logging.getLogger(__name__)

SUFFIX = ".sqlite3"
LEGACY_SUFFIX = ".bson"  # the format before: every document appended to one BSON file
BUSY_SECONDS = 30.0  # how long a call waits for another process's write before failing

_READS = ("find", "find_one", "count_documents", "distinct", "aggregate")
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
_SCHEMA = (
    # position: insertion order (MongoDB's natural order); key: the BSON of the _id;
    # expires: the TTL field's time (POSIX seconds), NULL when the document has none
    "CREATE TABLE IF NOT EXISTS documents (position INTEGER PRIMARY KEY, key BLOB NOT NULL "
    "UNIQUE, expires REAL, body BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS documents_expiring ON documents (expires) "
    "WHERE expires IS NOT NULL",
    # what an import of a journal of the earlier format could not read, reported on every read
    "CREATE TABLE IF NOT EXISTS skipped (at TEXT NOT NULL, problem TEXT NOT NULL)",
)
_FULL = (sqlite3.SQLITE_FULL,)
_DAMAGED = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


class JournalCollection:
    """A pymongo-like collection kept in an SQLite database that several processes share.

    ``on_damage`` is told when SQLite finds the file damaged (the store then reports it).
    """

    def __init__(
        self,
        path: Path,
        name: str,
        ttl_field: str | None = None,
        on_damage: Callable[[StoreDamagedError], None] | None = None,
    ) -> None:
        self.path = path
        self.name = name
        # documents whose date in this field has passed are dropped (MongoDB's TTL index)
        self._ttl_field = ttl_field
        self._on_damage = on_damage
        self._lock = threading.Lock()  # one connection per process, used by one thread at a time
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._unreadable: dict[bytes, str] = {}  # rows this process's reads could not decode
        path.parent.mkdir(parents=True, exist_ok=True)

    def __getattr__(self, method: str) -> Any:
        if method in _READS:
            return lambda *args, **kwargs: self._read(method, *args, **kwargs)
        if method in _REWRITES:
            return lambda *args, **kwargs: self._rewrite(method, *args, **kwargs)
        raise AttributeError(method)

    # -- pymongo's calls ---------------------------------------------------------------------

    def insert_one(self, document: dict[str, Any]) -> Any:
        (inserted,) = self._insert([document])
        return InsertOneResult(inserted, acknowledged=True)

    def insert_many(self, documents: list[dict[str, Any]], ordered: bool = True) -> Any:
        return InsertManyResult(self._insert(list(documents)), acknowledged=True)

    def create_index(self, keys: Any, **options: Any) -> str:
        return str(options.get("name", keys))

    def index_information(self) -> dict[str, Any]:
        return {"_id_": {"key": [("_id", 1)]}}

    def drop(self) -> None:
        with self._transaction() as database:
            database.execute("DELETE FROM documents")

    def skipped_records(self) -> list[str]:
        """Records reads had to leave out: those an import of the earlier format found torn,
        and rows this process found undecodable."""
        with self._session() as database:
            rows = database.execute("SELECT at, problem FROM skipped ORDER BY rowid").fetchall()
        return [f"{problem} (found {at})" for at, problem in rows] + list(self._unreadable.values())

    def check(self) -> None:
        """Raise :class:`StoreDamagedError` unless SQLite can read the file (readiness)."""
        with self._session() as database:
            database.execute("SELECT count(*) FROM documents WHERE position = 1").fetchone()

    def close(self) -> None:
        with self._lock:
            if self._connection is not None and self._pid == os.getpid():
                self._connection.close()
            self._connection = None

    # -- reading and writing rows ------------------------------------------------------------

    def _read(self, method: str, *args: Any, **kwargs: Any) -> Any:
        with self._session() as database:
            documents = self._documents(database, _selected_keys(method, args, kwargs))
        return getattr(scratch_collection(documents), method)(*args, **kwargs)

    def _insert(self, documents: list[dict[str, Any]]) -> list[Any]:
        """One row each, in one transaction: an insert never reads the others."""
        for document in documents:
            document.setdefault("_id", bson.ObjectId())
        rows = [(_key(d["_id"]), self._expiry(d), _encoded(d)) for d in documents]
        try:
            with self._transaction() as database:
                database.executemany(
                    "INSERT INTO documents (key, expires, body) VALUES (?, ?, ?)", rows
                )
        except sqlite3.IntegrityError:
            raise DuplicateKeyError(f"E11000 duplicate key error collection: {self.name}") from None
        return [document["_id"] for document in documents]

    def _rewrite(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """mongomock's write over the rows the filter can match; the rows it changed, added
        or removed are written back in the same transaction."""
        with self._transaction() as database:
            self._drop_expired(database)
            rows = self._rows(database, _selected_keys(method, args, kwargs))
            readable = [(key, body, _decoded(body)) for key, body in rows]
            # a row that does not decode is left as it is (reads report it)
            before = {key: body for key, body, document in readable if document is not None}
            scratch = scratch_collection(d for _, _, d in readable if d is not None)
            result = getattr(scratch, method)(*args, **kwargs)
            after = {_key(document["_id"]): document for document in scratch.find({})}
            for key in before.keys() - after.keys():
                database.execute("DELETE FROM documents WHERE key = ?", (key,))
            for key, document in after.items():
                body = _encoded(document)
                if key not in before:
                    database.execute(
                        "INSERT INTO documents (key, expires, body) VALUES (?, ?, ?)",
                        (key, self._expiry(document), body),
                    )
                elif body != before[key]:
                    database.execute(
                        "UPDATE documents SET expires = ?, body = ? WHERE key = ?",
                        (self._expiry(document), body, key),
                    )
        return result

    def _documents(self, database: sqlite3.Connection, keys: list[bytes] | None) -> list[dict]:
        found = []
        for key, body in self._rows(database, keys, unexpired=True):
            document = _decoded(body)
            if document is None:
                problem = f"{self.path}: the document with key {key.hex()} does not decode"
                log.error("journal %s: %s; left out", self.name, problem)
                self._unreadable[key] = problem
                continue
            found.append(document)
        return found

    def _rows(
        self, database: sqlite3.Connection, keys: list[bytes] | None, unexpired: bool = False
    ) -> list[tuple[bytes, bytes]]:
        if keys == []:
            return []
        conditions, values = [], []
        if keys is not None:
            conditions.append(f"key IN ({', '.join('?' * len(keys))})")
            values.extend(keys)
        if unexpired and self._ttl_field is not None:
            conditions.append("(expires IS NULL OR expires > ?)")
            values.append(_now())
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        query = f"SELECT key, body FROM documents{where} ORDER BY position"
        return database.execute(query, values).fetchall()

    def _drop_expired(self, database: sqlite3.Connection) -> None:
        if self._ttl_field is not None:
            database.execute("DELETE FROM documents WHERE expires <= ?", (_now(),))

    def _expiry(self, document: dict[str, Any]) -> float | None:
        if self._ttl_field is None:
            return None
        value = document.get(self._ttl_field)
        if not isinstance(value, datetime):
            return None
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()

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

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken before anything is read; rolled back on any error."""
        with self._session() as database, _committed(database):
            yield database

    def _connected(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():  # never use a forked one
            database = sqlite3.connect(
                self.path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False
            )
            try:
                database.execute("PRAGMA journal_mode=WAL")
                database.execute("PRAGMA synchronous=NORMAL")
                for statement in _SCHEMA:
                    database.execute(statement)
                self._import_earlier_format(database)
            except BaseException:
                database.close()
                raise
            self._connection, self._pid = database, os.getpid()
        return self._connection

    def _translated(self, error: sqlite3.Error) -> Exception:
        code = getattr(error, "sqlite_errorcode", None)
        if code in _FULL:
            return StorageFullError(self.path, str(error))
        if code in _DAMAGED:
            damaged = StoreDamagedError(self.path, f"journals/{self.path.name}", str(error))
            if self._on_damage is not None:
                self._on_damage(damaged)
            return damaged
        return error

    def _import_earlier_format(self, database: sqlite3.Connection) -> None:
        """Move the documents of a ``<name>.bson`` journal in, once (whichever process comes
        first); records that are not whole are skipped and noted in ``skipped``."""
        legacy = self.path.with_suffix(LEGACY_SUFFIX)
        if not legacy.exists():
            return
        with _committed(database):
            if not legacy.exists():  # another process imported it meanwhile
                return
            documents, problems = whole_records(legacy.read_bytes())
            now = _now()
            rows = []
            for document in documents:
                expiry = self._expiry(document)
                if "_id" in document and (expiry is None or expiry > now):
                    rows.append((_key(document["_id"]), expiry, _encoded(document)))
            database.executemany(
                "INSERT OR IGNORE INTO documents (key, expires, body) VALUES (?, ?, ?)", rows
            )
            found = datetime.now(UTC).isoformat(timespec="seconds")
            for problem in problems:
                log.error("journal %s: %s: %s; skipped", self.name, legacy, problem)
                database.execute(
                    "INSERT INTO skipped (at, problem) VALUES (?, ?)",
                    (found, f"{legacy}: {problem}"),
                )
            os.replace(legacy, legacy.with_name(legacy.name + ".imported"))


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


def _selected_keys(method: str, args: tuple, kwargs: dict[str, Any]) -> list[bytes] | None:
    """The keys of the only rows a call's filter can match (it names the ``_id``), or None."""
    if method == "aggregate":
        return None
    position = 1 if method == "distinct" else 0
    selector = args[position] if len(args) > position else kwargs.get("filter")
    if selector is not None and not isinstance(selector, dict):
        selector = {"_id": selector}  # find_one(<id>)
    if not selector or "_id" not in selector:
        return None
    wanted = selector["_id"]
    if isinstance(wanted, dict):
        if set(wanted) == {"$eq"}:
            wanted = wanted["$eq"]
        elif set(wanted) == {"$in"} and isinstance(wanted["$in"], list | tuple):
            values = list(wanted["$in"])
            return None if any(isinstance(v, dict | list) for v in values) else _keys(values)
        else:
            return None
    if isinstance(wanted, list) or hasattr(wanted, "pattern"):
        return None  # an array or a pattern matches otherwise than by equality
    return _keys([wanted])


def _keys(values: list[Any]) -> list[bytes]:
    return [_key(value) for value in values]


def _key(value: Any) -> bytes:
    """The row key of an ``_id``: its BSON, numbers of equal value given one key."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return bson.encode({"_id": value})


def _encoded(document: dict[str, Any]) -> bytes:
    return bson.encode(document)


def _decoded(body: bytes) -> dict[str, Any] | None:
    try:
        return bson.decode(body, CODEC)
    except (BSONError, ValueError, OverflowError):
        return None


def _now() -> float:
    return datetime.now(UTC).timestamp()
