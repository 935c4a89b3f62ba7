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
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from app.genome import GENE_KEYS
from app.store.collections import ALLELE_FREQUENCY, FILTERING_TERMS
from app.store.sqlite_schema import (
    DATASET_DOCUMENTS,
    DDL,
    DURATIONS,
    ENTRY_COLLECTIONS,
    ENTRY_COLUMNS,
    ENTRY_VALUES,
    VARIANT_COLLECTION,
    VARIANT_COLUMNS,
    VARIANT_INTEGERS,
    VARIANT_TEXTS,
    VARIANT_VALUES,
    ValuesTable,
)

DATASET_ID = "datasetId"


class DocumentShapeError(ValueError):
    """A document the typed columns cannot hold as it is; the message names the field."""


def create_tables(connection: sqlite3.Connection) -> None:
    connection.executescript(DDL)


PartOf = Callable[[str, str], int]  # (collection, dataset id) -> the part its rows go to


def insert_documents(
    connection: sqlite3.Connection,
    collection: str,
    documents: Iterable[Mapping[str, Any]],
    part_of: PartOf | None = None,
) -> int:
    """Insert ``documents`` of ``collection``, all or none, each into the part ``part_of`` gives
    for its dataset (by default a new part per dataset); how many were inserted."""
    insert = _INSERTERS.get(collection) or (
        _insert_entry if collection in ENTRY_COLLECTIONS else None
    )
    if insert is None and collection in DATASET_DOCUMENTS:
        insert = _insert_dataset_document
    if insert is None:
        raise ValueError(f"no SQL table holds the collection {collection}")
    part_of = part_of or NewParts(connection)
    connection.execute("SAVEPOINT insert_documents")
    try:
        count = 0
        for number, document in enumerate(documents, 1):
            try:
                insert(connection, collection, document, part_of)
            except DocumentShapeError as error:
                raise DocumentShapeError(f"{collection} document {number}: {error}") from None
            count += 1
        connection.execute("RELEASE insert_documents")
    except BaseException:
        connection.execute("ROLLBACK TO insert_documents")
        connection.execute("RELEASE insert_documents")
        raise
    return count


class NewParts:
    """A new part for each (collection, dataset) met, made on first use: the parts one write
    makes."""

    def __init__(self, connection: sqlite3.Connection, loader_pid: int | None = None) -> None:
        self._connection = connection
        self._loader_pid = loader_pid
        self.parts: dict[tuple[str, str], int] = {}

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


def _insert_variant(
    connection: sqlite3.Connection, collection: str, document: Mapping[str, Any], part_of: PartOf
) -> None:
    part = part_of(collection, document.get(DATASET_ID))
    row = {column: _typed(document, field) for field, column in VARIANT_COLUMNS.items()}
    record = _record(document)
    identifiers = record.get("identifiers")
    if identifiers is not None and not isinstance(identifiers, Mapping):
        raise DocumentShapeError("record.identifiers is not an object")
    hgvs = (identifiers or {}).get("genomicHGVSId")
    if hgvs is not None and not isinstance(hgvs, str):
        raise DocumentShapeError("record.identifiers.genomicHGVSId is not text")
    row |= {
        "part": part,
        "hgvs_id": hgvs,
        "gene_keyed": int(GENE_KEYS in document),
        "record": _json(record),
    }
    names = ", ".join(f'"{name.strip(chr(34))}"' for name in row)
    cursor = connection.execute(
        f"INSERT INTO variant ({names}) VALUES ({', '.join('?' * len(row))})", list(row.values())
    )
    for field, values in VARIANT_VALUES.items():
        _insert_values(connection, values, cursor.lastrowid, _texts(document, field))
    connection.execute(
        "UPDATE stored_part SET variant_count = variant_count + 1, "
        "longest_variant = max(longest_variant, ?) WHERE part = ?",
        (row['"end"'] - row["start"], part),
    )


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
    connection: sqlite3.Connection, collection: str, document: Mapping[str, Any], part_of: PartOf
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
    row["record"] = _json(_record(document))
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
    connection: sqlite3.Connection, collection: str, document: Mapping[str, Any], part_of: PartOf
) -> None:
    part = part_of(collection, document.get("_id"))
    rest = {key: value for key, value in document.items() if key != "_id"}
    connection.execute(
        "INSERT OR REPLACE INTO dataset_document (collection, part, document) VALUES (?, ?, ?)",
        (collection, part, _json(rest)),
    )


def _insert_filtering_term(
    connection: sqlite3.Connection, collection: str, document: Mapping[str, Any], part_of: PartOf
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


_INSERTERS = {VARIANT_COLLECTION: _insert_variant, FILTERING_TERMS: _insert_filtering_term}


def _texts(document: Mapping[str, Any], field: str) -> list[str]:
    """The values of a field of several (missing or null: none), each text."""
    values = document.get(field)
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise DocumentShapeError(f"{field} {values!r} is not a list of text")
    return values


def _insert_values(
    connection: sqlite3.Connection, values: ValuesTable, row: int | None, texts: list[str]
) -> None:
    # a value repeated in one document is one row: "any value" and "no value" are unchanged
    connection.executemany(
        f"INSERT OR IGNORE INTO {values.table} ({values.column}, {values.row}) VALUES (?, ?)",
        [(text, row) for text in texts],
    )


def _record(document: Mapping[str, Any]) -> Mapping[str, Any]:
    record = document.get("record")
    if not isinstance(record, Mapping):
        raise DocumentShapeError("it has no record object")
    return record


def _json(value: Any) -> str:
    try:
        return json.dumps(value, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as error:
        raise DocumentShapeError(f"the record is not JSON data ({error})") from None
