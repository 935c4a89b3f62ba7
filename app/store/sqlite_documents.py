"""Our documents (``docs/storage.md``, as the loaders write them) as rows of the tables of
:mod:`app.store.sqlite_schema`.

A typed column holds one type: a document whose ``start`` is not an integer, or whose link is not
text, is refused rather than converted (SQLite would store ``"5"`` as 5, and a query would then
find what MongoDB's type bracketing does not). The loaders never write such documents.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from bson import json_util

from app.genome import GENE_KEYS
from app.store.collections import ALLELE_FREQUENCY, DATASET_ID, FILTERING_TERMS
from app.store.sqlite_carriers import (
    CARRIER_COLUMNS,
    NO_CARRIERS,
    CarrierWriter,
    SampleNames,
    carrier_ids,
    rebuilt_cases,
)
from app.store.sqlite_records import RecordPacker
from app.store.sqlite_schema import (
    CARRIERS,
    DATASET_DOCUMENTS,
    DDL,
    DURATIONS,
    ENTRY_COLLECTIONS,
    ENTRY_COLUMNS,
    ENTRY_VALUES,
    HGVS_COLUMN,
    HGVS_DERIVED,
    INTERNAL_ID_COLUMN,
    STORE_FORMAT,
    VARIANT_COLLECTION,
    VARIANT_COLUMNS,
    VARIANT_INTEGERS,
    VARIANT_TEXTS,
    VARIANT_VALUES,
    ValuesTable,
    variant_column_sql,
)
from app.store.variant_names import hgvs_id_derived, stored_internal_id

CASE_LEVEL = "caseLevelData"
# the columns that spell a variant's derived names, in the order variant_names takes them
_NAMING_FIELDS = ("assemblyId", "referenceName", "start", "referenceBases", "alternateBases")


class DocumentShapeError(ValueError):
    """A document the typed columns cannot hold as it is; the message names the field."""


class StoreFormatError(ValueError):
    """The database file holds tables of another layout than this version reads."""


def create_tables(connection: sqlite3.Connection) -> None:
    """Create the tables in a new file; a file of another layout is refused, never mixed."""
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    (tables,) = connection.execute(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'variant'"
    ).fetchone()
    if tables and version != STORE_FORMAT:
        raise StoreFormatError(
            f"its tables are of layout {version}, this version reads layout {STORE_FORMAT}: "
            "load the data again into a new data directory"
        )
    connection.executescript(DDL)
    connection.execute(f"PRAGMA user_version = {STORE_FORMAT}")


@contextmanager
def all_or_nothing(connection: sqlite3.Connection, name: str) -> Iterator[None]:
    """A savepoint: what the block writes is kept whole, or, on any error, none of it."""
    connection.execute(f"SAVEPOINT {name}")
    try:
        yield
        connection.execute(f"RELEASE {name}")
    except BaseException:
        if connection.in_transaction:  # SQLite ends it by itself on some errors (a full disk)
            connection.execute(f"ROLLBACK TO {name}")
            connection.execute(f"RELEASE {name}")
        raise


def insert_documents(
    connection: sqlite3.Connection,
    collection: str,
    documents: Iterable[Mapping[str, Any]],
    part_of: NewParts | None = None,
) -> int:
    """Insert ``documents`` of ``collection``, all or none, each into the part ``part_of`` gives
    for its dataset (by default a new part per dataset); how many were inserted."""
    insert = _INSERTERS.get(collection) or (
        _insert_entry if collection in ENTRY_COLLECTIONS else None
    )
    if insert is None and collection in DATASET_DOCUMENTS:
        insert = _insert_dataset_document
    if insert is None:
        insert = _insert_other_document
    part_of = part_of or NewParts(connection)
    with all_or_nothing(connection, "insert_documents"):
        count = 0
        if collection == VARIANT_COLLECTION:  # the bulk of a load: one statement per table
            count = _insert_variants(connection, collection, documents, part_of)
            documents = ()
        for number, document in enumerate(documents, 1):
            try:
                insert(connection, collection, document, part_of)
            except DocumentShapeError as error:
                raise DocumentShapeError(f"{collection} document {number}: {error}") from None
            count += 1
    return count


class NewParts:
    """A new part for each (collection, dataset) met, made on first use: the parts one write
    makes."""

    def __init__(self, connection: sqlite3.Connection, loader_pid: int | None = None) -> None:
        self._connection = connection
        self._loader_pid = loader_pid
        self.parts: dict[tuple[str, str], int] = {}
        self._packers: dict[int, RecordPacker] = {}

    def packer(self, part: int) -> RecordPacker:
        """What compresses the variant records of ``part``, for every batch of this write."""
        if part not in self._packers:
            self._packers[part] = RecordPacker(self._connection, part)
        return self._packers[part]

    def __call__(self, collection: str, dataset_id: Any) -> int:
        if not isinstance(dataset_id, str):
            raise DocumentShapeError(f"the dataset id {dataset_id!r} is not text")
        key = (collection, dataset_id)
        if key not in self.parts:
            cursor = self._connection.execute(
                "INSERT INTO stored_part (collection, dataset_id, loader_pid) VALUES (?, ?, ?)",
                (collection, dataset_id, self._loader_pid),
            )
            assert cursor.lastrowid is not None
            self.parts[key] = cursor.lastrowid
        return self.parts[key]


_VARIANT_ROW = (
    *VARIANT_COLUMNS.values(),
    "part",
    HGVS_COLUMN,
    HGVS_DERIVED,
    "gene_keyed",
    "record",
    "case_level",
    *CARRIER_COLUMNS,
)
_INSERT_VARIANT = (
    f"INSERT INTO variant (vid, {', '.join(_VARIANT_ROW)}) "
    f"VALUES ({', '.join('?' * (len(_VARIANT_ROW) + 1))})"
)
_PART_AT = len(VARIANT_COLUMNS)  # where a variant row names its part
_AF_AT = list(VARIANT_COLUMNS.values()).index("af")  # ... and its frequency
_COLUMN_FIELDS = tuple(VARIANT_COLUMNS)
_NAMED_AT = [_COLUMN_FIELDS.index(field) for field in _NAMING_FIELDS]
# the types of a document's column fields that need no conversion (what the loaders write):
# a quick test of every field at once before each one is checked
_USUAL_TYPES = {
    tuple(
        frequency if field == ALLELE_FREQUENCY else int if field in VARIANT_INTEGERS else str
        for field in _COLUMN_FIELDS
    )
    for frequency in (float, type(None))
}
_INTERNAL_ID_AT = list(VARIANT_COLUMNS.values()).index(INTERNAL_ID_COLUMN)


def _insert_variants(
    connection: sqlite3.Connection,
    collection: str,
    documents: Iterable[Mapping[str, Any]],
    part_of: NewParts,
) -> int:
    """Insert variant documents with one ``executemany`` per table (row keys given here: no
    other writer runs meanwhile, the writers' lock is held)."""
    (vid,) = connection.execute("SELECT coalesce(max(vid), 0) FROM variant").fetchone()
    rows: list[tuple[Any, ...]] = []
    values: dict[str, list[tuple[Any, ...]]] = {field: [] for field in VARIANT_VALUES}
    sizes: dict[int, list[int]] = {}  # part -> [count, longest, without gene keys]
    carriers = CarrierWriter(connection)
    for number, document in enumerate(documents, 1):
        try:
            row = _variant_row(collection, document, part_of, carriers)
            # each field of several values, as text; most are empty lists
            texts = [
                (field, _texts(document, field))
                for field in VARIANT_VALUES
                if (found := document.get(field)) is not None and found != []
            ]
        except DocumentShapeError as error:
            raise DocumentShapeError(f"{collection} document {number}: {error}") from None
        vid += 1
        rows.append([vid, *row])
        part = row[_PART_AT]
        for field, found in texts:
            # a value repeated in one document is one row: "any value" and "no value" unchanged
            unique = enumerate(dict.fromkeys(found))
            if field == GENE_KEYS:  # beside each key, the variant's part and frequency
                values[field] += [(t, vid, at, part, row[_AF_AT]) for at, t in unique]
            else:
                values[field] += [(t, vid, at) for at, t in unique]
        size = sizes.setdefault(part, [0, 0, 0])
        size[0] += 1
        size[1] = max(size[1], document["end"] - document["start"])
        size[2] += GENE_KEYS not in document
    _pack_records(rows, part_of)
    connection.executemany(_INSERT_VARIANT, rows)
    for field, table in VARIANT_VALUES.items():
        extra = ", part, af" if field == GENE_KEYS else ""
        connection.executemany(
            f"INSERT INTO {table.table} ({table.column}, {table.row}, position{extra}) "
            f"VALUES (?, ?, ?{', ?, ?' if extra else ''})",
            values[field],
        )
    connection.executemany(
        "UPDATE stored_part SET variant_count = variant_count + ?, "
        "longest_variant = max(longest_variant, ?), unkeyed_genes = unkeyed_genes + ? "
        "WHERE part = ?",
        [(count, longest, unkeyed, part) for part, (count, longest, unkeyed) in sizes.items()],
    )
    return len(rows)


_RECORD_AT = 1 + _VARIANT_ROW.index("record")  # in a row given its vid first


def _pack_records(rows: list[list[Any]], part_of: NewParts) -> None:
    """Put each row's record in its stored form, part by part (``sqlite_records``)."""
    of_part: dict[int, list[list[Any]]] = {}
    for row in rows:
        of_part.setdefault(row[_PART_AT + 1], []).append(row)
    for part, its_rows in of_part.items():
        packed = part_of.packer(part).packed([row[_RECORD_AT] for row in its_rows])
        for row, record in zip(its_rows, packed, strict=True):
            row[_RECORD_AT] = record


def _variant_row(
    collection: str, document: Mapping[str, Any], part_of: NewParts, carriers: CarrierWriter
) -> tuple[Any, ...]:
    """The ``variant`` row of a document, in ``_VARIANT_ROW`` order, its types checked."""
    typed = list(map(document.get, _COLUMN_FIELDS))
    frequency = typed[_AF_AT]
    if tuple(map(type, typed)) not in _USUAL_TYPES or frequency != frequency:  # NaN
        # checked field by field, converted, or refused
        typed = [_typed(document, field) for field in _COLUMN_FIELDS]
    record = _record(document)
    identifiers = record.get("identifiers")
    if identifiers is not None and not _is_mapping(identifiers):
        raise DocumentShapeError("record.identifiers is not an object")
    hgvs = (identifiers or {}).get("genomicHGVSId")
    if hgvs is not None and not isinstance(hgvs, str):
        raise DocumentShapeError("record.identifiers.genomicHGVSId is not text")
    cases = record.get(CASE_LEVEL)
    positioned = carriers.positioned_row(document.get(CARRIERS), cases)
    if positioned is not None:
        carrier_row, rebuilt = positioned, True
    elif cases is None and document.get(CARRIERS) == []:  # a record of no carriers
        carrier_row, rebuilt = NO_CARRIERS, False
    else:
        carrying = list(dict.fromkeys(_texts(document, CARRIERS)))
        carrier_row, rebuilt = carriers.row(carrying, cases)
    # the names the row's columns spell are not stored (app.store.variant_names)
    position = [typed[at] for at in _NAMED_AT]
    typed[_INTERNAL_ID_AT] = stored_internal_id(typed[_INTERNAL_ID_AT], *position)
    hgvs_derived = hgvs is not None and hgvs_id_derived(hgvs, *position)
    return (
        *typed,
        part_of(collection, document.get(DATASET_ID)),
        None if hgvs_derived else hgvs,
        int(hgvs_derived),
        int(GENE_KEYS in document),
        *_record_texts(record, not rebuilt),
        *carrier_row,
    )


def _record_texts(record: Mapping[str, Any], case_level_too: bool) -> tuple[bytes, str | None]:
    """The record's JSON text (UTF-8) without its carriers, and theirs (None: it lists none,
    or they are not wanted)."""
    if CASE_LEVEL not in record:
        return _json_bytes(record), None
    case_level = record[CASE_LEVEL] if case_level_too else None
    stored = {key: value for key, value in record.items() if key != CASE_LEVEL}
    return _json_bytes(stored), None if case_level is None else _json(case_level)


def _typed(document: Mapping[str, Any], field: str) -> Any:
    value = document.get(field)
    if field == ALLELE_FREQUENCY:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise DocumentShapeError(f"{field} {value!r} is not a number")
        return float(value)
    if field in VARIANT_INTEGERS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise DocumentShapeError(f"{field} {value!r} is not an integer")
        return value
    if field in VARIANT_TEXTS and not isinstance(value, str):
        raise DocumentShapeError(f"{field} {value!r} is not text")
    return value


def _insert_entry(
    connection: sqlite3.Connection, collection: str, document: Mapping[str, Any], part_of: NewParts
) -> None:
    part = part_of(collection, document.get(DATASET_ID))
    row: dict[str, Any] = {"collection": collection, "part": part}
    for field, column in ENTRY_COLUMNS.items():
        value = document.get(field)
        if value is not None and not isinstance(value, str):
            raise DocumentShapeError(f"{field} {value!r} is not text")
        if field == "id" and value is None:
            raise DocumentShapeError("it has no id")
        row[column] = value
    # an entry written without a record (by a tool, not a loader) is kept as it came
    row["record"] = _json(document["record"]) if "record" in document else "null"
    if row["record"] != "null":
        _record(document)
    cursor = connection.execute(
        f"INSERT INTO entry ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        list(row.values()),
    )
    for field, values in ENTRY_VALUES.items():
        _insert_values(connection, values, cursor.lastrowid, _texts(document, field))
    durations = document.get(DURATIONS) or []
    if not isinstance(durations, list):
        raise DocumentShapeError(f"{DURATIONS} is not a list")
    for duration in durations:
        path, days = duration.get("path"), duration.get("days")
        if not isinstance(path, str) or isinstance(days, bool) or not isinstance(days, int | float):
            raise DocumentShapeError(f"{DURATIONS}: {duration!r} is not a path and its days")
        connection.execute(
            "INSERT INTO entry_duration (path, days, eid) VALUES (?, ?, ?)",
            (path, float(days), cursor.lastrowid),
        )


def _insert_dataset_document(
    connection: sqlite3.Connection, collection: str, document: Mapping[str, Any], part_of: NewParts
) -> None:
    part = part_of(collection, document.get("_id"))
    rest = {key: value for key, value in document.items() if key != "_id"}
    connection.execute(
        "INSERT OR REPLACE INTO dataset_document (collection, part, document) VALUES (?, ?, ?)",
        (collection, part, _json(rest)),
    )


def _insert_filtering_term(
    connection: sqlite3.Connection, collection: str, document: Mapping[str, Any], part_of: NewParts
) -> None:
    part = part_of(collection, document.get(DATASET_ID))
    values = document.get("values")
    connection.execute(
        "INSERT INTO filtering_term (part, scope, kind, id, label, term_values) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            part,
            document["scope"],
            document["kind"],
            document["id"],
            document.get("label"),
            None if values is None else _json(values),
        ),
    )


def _insert_other_document(
    connection: sqlite3.Connection, collection: str, document: Mapping[str, Any], part_of: NewParts
) -> None:
    part = part_of(collection, str(document.get(DATASET_ID) or ""))
    connection.execute(
        "INSERT INTO other_document (part, document) VALUES (?, ?)",
        (part, json_util.dumps(document)),
    )


_INSERTERS = {FILTERING_TERMS: _insert_filtering_term}


def _texts(document: Mapping[str, Any], field: str) -> list[str]:
    """The values of a field of several (missing or null: none), each text."""
    values = document.get(field)
    if values is None or (type(values) is list and not values):
        return []
    if not isinstance(values, list):
        raise DocumentShapeError(f"{field} {values!r} is not a list of text")
    try:
        # every value is text: join's check, in C (a variant lists hundreds of carriers)
        "".join(values)
    except TypeError:
        raise DocumentShapeError(f"{field} {values!r} is not a list of text") from None
    return values


def _insert_values(
    connection: sqlite3.Connection, values: ValuesTable, row: int | None, texts: list[str]
) -> None:
    # a value repeated in one document is one row: "any value" and "no value" are unchanged
    connection.executemany(
        f"INSERT OR IGNORE INTO {values.table} ({values.column}, {values.row}, position) "
        "VALUES (?, ?, ?)",
        [(text, row, position) for position, text in enumerate(texts)],
    )


def _record(document: Mapping[str, Any]) -> Mapping[str, Any]:
    record = document.get("record")
    if not _is_mapping(record):
        raise DocumentShapeError("it has no record object")
    return record


def _is_mapping(value: Any) -> bool:
    """A dict without the ``Mapping`` ABC's check, which costs more than the rest of a test."""
    return type(value) is dict or isinstance(value, Mapping)


def _json(value: Any) -> str:
    try:
        return json.dumps(value, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as error:
        raise DocumentShapeError(f"the record is not JSON data ({error})") from None


def _json_bytes(value: Any) -> bytes:
    """``value`` as UTF-8 JSON text, as :func:`_json` writes it: by orjson, three times
    faster than json on a variant record (the largest cost of writing one), and by json
    where orjson refuses what json takes (keys that are not text, integers beyond 64 bits).
    orjson writes NaN and infinities as null, which json refuses: they are refused too."""
    try:
        text = orjson.dumps(value)
    except TypeError:
        try:
            return _json(value).encode()
        except UnicodeEncodeError as error:
            raise DocumentShapeError(f"the record is not JSON data ({error})") from None
    if b"null" in text and _holds_non_finite(value):
        raise DocumentShapeError("the record is not JSON data (a number is NaN or infinite)")
    return text


def _holds_non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, Mapping):
        return any(map(_holds_non_finite, value.values()))
    if isinstance(value, list | tuple):
        return any(map(_holds_non_finite, value))
    return False


# -- reading documents back, deleting parts -------------------------------------------------

_ROW_TABLES = ("variant", "entry", "dataset_document", "filtering_term", "other_document")
_READ_BATCH = 500


def read_documents(
    connection: sqlite3.Connection,
    collection: str,
    condition: str,
    parameters: list[Any],
    with_case_level: bool = True,
    names: SampleNames | None = None,
) -> Iterator[dict[str, Any]]:
    """The documents of ``collection`` whose rows meet ``condition`` (over its table), as the
    loaders wrote them (the values of a field of several in their stored order; variants'
    records without their carriers unless ``with_case_level``)."""
    datasets = dict(connection.execute("SELECT part, dataset_id FROM stored_part").fetchall())
    if collection == VARIANT_COLLECTION:
        yield from _variant_documents(
            connection, condition, parameters, datasets, with_case_level, names or SampleNames()
        )
    elif collection in ENTRY_COLLECTIONS:
        yield from _entry_documents(connection, collection, condition, parameters, datasets)
    elif collection in DATASET_DOCUMENTS:
        rows = connection.execute(
            "SELECT part, document FROM dataset_document WHERE collection = ? AND "
            f"({condition}) ORDER BY part",
            [collection, *parameters],
        )
        for part, document in rows:
            yield {"_id": datasets[part], **json.loads(document)}
    elif collection == FILTERING_TERMS:
        rows = connection.execute(
            "SELECT rowid, part, scope, kind, id, label, term_values FROM filtering_term "
            f"WHERE {condition} ORDER BY rowid",
            parameters,
        )
        for row, part, scope, kind, term_id, label, values in rows:
            term = {"_id": row, DATASET_ID: datasets[part], "scope": scope, "kind": kind}
            term["id"] = term_id
            term["label"] = label
            if values is not None:
                term["values"] = json.loads(values)
            yield term
    else:
        rows = connection.execute(
            f"SELECT document FROM other_document WHERE {condition} ORDER BY rowid", parameters
        )
        for (document,) in rows:
            yield json_util.loads(document)


# What a variant record is read from: its JSON, and its carriers (sqlite_carriers).
RECORD_COLUMNS = ("record", "case_level", *CARRIER_COLUMNS)
# ... as a SELECT list, the record as JSON text whichever form it is stored in (sqlite_records)
# the variant columns as a document's fields read back: its internal id derived where not stored
_VARIANT_COLUMNS_READ = [variant_column_sql(column) for column in VARIANT_COLUMNS.values()]
RECORD_SELECTED = ", ".join(
    "record_json(variant.record)" if column == "record" else f"variant.{column}"
    for column in RECORD_COLUMNS
)


def _variant_documents(
    connection: sqlite3.Connection,
    condition: str,
    parameters: list[Any],
    datasets: dict[int, str],
    with_case_level: bool,
    names: SampleNames,
) -> Iterator[dict[str, Any]]:
    columns = ", ".join([RECORD_SELECTED, *_VARIANT_COLUMNS_READ])
    rows = connection.execute(
        f"SELECT variant.vid, variant.part, variant.gene_keyed, {columns} "
        f"FROM variant WHERE {condition} ORDER BY variant.vid",
        parameters,
    )
    stored = len(RECORD_COLUMNS)
    while batch := rows.fetchmany(_READ_BATCH):
        values = {
            field: _values_of(connection, table, [row[0] for row in batch])
            for field, table in VARIANT_VALUES.items()
        }
        for vid, part, gene_keyed, *rest in batch:
            record_row, typed = rest[:stored], rest[stored:]
            # the row key is the document's _id, as MongoDB gives every document one
            document: dict[str, Any] = {"_id": vid, DATASET_ID: datasets[part]}
            document |= dict(zip(VARIANT_COLUMNS, typed, strict=True))
            for field, found in values.items():
                if field != GENE_KEYS or gene_keyed:
                    document[field] = found.get(vid, [])
            carriers, order = record_row[2], record_row[3]
            document[CARRIERS] = carrier_ids(connection, names, carriers, order)
            document["record"] = stored_record(connection, names, record_row, with_case_level)
            yield document


def stored_record(
    connection: sqlite3.Connection,
    names: SampleNames,
    row: Sequence[Any],
    with_case_level: bool = True,
) -> dict[str, Any]:
    """A record as the loader gave it, from its stored columns (``RECORD_COLUMNS``)."""
    record, case_level, *carrier_row = row
    decoded = json.loads(record)
    if not with_case_level:
        return decoded
    if case_level is not None:
        decoded[CASE_LEVEL] = json.loads(case_level)
    elif carrier_row[-1]:  # cases_rebuilt
        decoded[CASE_LEVEL] = rebuilt_cases(connection, names, carrier_row)
    return decoded


def _entry_documents(
    connection: sqlite3.Connection,
    collection: str,
    condition: str,
    parameters: list[Any],
    datasets: dict[int, str],
) -> Iterator[dict[str, Any]]:
    links = ", ".join(f"entry.{column}" for column in ENTRY_COLUMNS.values())
    rows = connection.execute(
        f"SELECT entry.eid, entry.part, entry.record, {links} FROM entry "
        f"WHERE entry.collection = ? AND ({condition}) ORDER BY entry.eid",
        [collection, *parameters],
    )
    while batch := rows.fetchmany(_READ_BATCH):
        eids = [row[0] for row in batch]
        values = {
            field: _values_of(connection, table, eids) for field, table in ENTRY_VALUES.items()
        }
        durations: dict[int, list[dict[str, Any]]] = {}
        marks = ", ".join("?" * len(eids))
        for eid, path, days in connection.execute(
            f"SELECT eid, path, days FROM entry_duration WHERE eid IN ({marks}) ORDER BY rowid",
            eids,
        ):
            durations.setdefault(eid, []).append({"path": path, "days": _number(days)})
        for eid, part, record, *linked in batch:
            document: dict[str, Any] = {"_id": eid, DATASET_ID: datasets[part]}
            for field, value in zip(ENTRY_COLUMNS, linked, strict=True):
                if value is not None:
                    document[field] = value
            if record != "null":
                document["record"] = json.loads(record)
            for field, found in values.items():
                document[field] = found.get(eid, [])
            document[DURATIONS] = durations.get(eid, [])
            yield document


def _values_of(
    connection: sqlite3.Connection, values: ValuesTable, rows: list[int]
) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    statement = (
        f"SELECT {values.row}, {values.column} FROM {values.table} "
        f"WHERE {values.row} IN ({', '.join('?' * len(rows))}) ORDER BY {values.row}, position"
    )
    for row, value in connection.execute(statement, rows):
        found.setdefault(row, []).append(value)
    return found


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def delete_parts(connection: sqlite3.Connection, parts: list[int]) -> None:
    """Delete the parts and every row of theirs, in one transaction."""
    if not parts:
        return
    marks = ", ".join("?" * len(parts))
    connection.execute("BEGIN IMMEDIATE")
    try:
        for table in VARIANT_VALUES.values():
            connection.execute(
                f"DELETE FROM {table.table} WHERE vid IN "
                f"(SELECT vid FROM variant WHERE part IN ({marks}))",
                parts,
            )
        for name in (*(t.table for t in ENTRY_VALUES.values()), "entry_duration"):
            connection.execute(
                f"DELETE FROM {name} WHERE eid IN (SELECT eid FROM entry WHERE part IN ({marks}))",
                parts,
            )
        for table in _ROW_TABLES:
            connection.execute(f"DELETE FROM {table} WHERE part IN ({marks})", parts)
        connection.execute(f"DELETE FROM stored_part WHERE part IN ({marks})", parts)
        connection.execute(
            "DELETE FROM record_dictionary WHERE dictionary_id NOT IN (SELECT record_dictionary "
            "FROM stored_part WHERE record_dictionary IS NOT NULL)"
        )
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
