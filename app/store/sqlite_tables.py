"""Data Connect's tables as SQL views over the embedded store's SQLite tables, and a read-only
runner for the SELECTs written over them.

A view is one subquery, ``(SELECT <columns> FROM <tables> WHERE <visible rows>)``, giving a
table's columns from :mod:`app.store.sqlite_schema`: typed columns as they are, the values of
a field of several (gene symbols, ontology terms) as a JSON array in their stored order, and a
field only the record holds by its JSON path. The rows are those of the parts the served
release names (pinned per request, :meth:`Store.one_release`) that meet the predicate the
caller may see, lowered by :mod:`app.store.lower_sql`. The tables each process rebuilds (the
privacy-law registry, a hub's network) are not in SQLite: their rows are bound as one JSON
parameter and read through ``json_each``.

Every value is a named parameter: a view's names start with the prefix its caller gives, so
several views (a JOIN) share one statement.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from app.store.collections import (
    DATASETS,
    INDIVIDUALS,
    METADATA_STATS,
    PROCESS_LOCAL_COLLECTIONS,
    VARIANT_STATS,
    VARIANTS,
)
from app.store.errors import QueryBudgetError, QueryRefusedError
from app.store.lower_sql import register_functions, sql_where
from app.store.query import EVERYTHING, Predicate
from app.store.sqlite_schema import internal_id_sql
from app.store.sqlite_store import MMAP_BYTES, READ_CACHE_KIB

Parameters = dict[str, Any]
MAX_VALUE_BYTES = 16_000_000  # of one text or blob a query makes (randomblob, printf widths)
PROGRESS_STEPS = 20_000  # SQLite instructions between two looks at the clock

_FREQUENCY_COLUMNS = (
    ("allele_count", "alleleCount"),
    ("allele_number", "alleleNumber"),
    ("allele_frequency", "alleleFrequency"),
)
_VARIANT_KEY = (
    f"stored_part.dataset_id AS dataset_id, {internal_id_sql()} AS variant_id, "
    "variant.chrom AS chromosome, variant.start AS start, variant.ref AS ref, "
    "variant.alt AS alt"
)


def _values(table: str, column: str, row: str, owner: str) -> str:
    """The values of a field of several, as a JSON array in their stored order."""
    return (
        f"(SELECT json_group_array({column}) FROM (SELECT {column} FROM {table} "
        f"WHERE {table}.{row} = {owner} ORDER BY position))"
    )


def _record(source: str, path: str) -> str:
    """The value at a dotted path of a JSON document (JSON text where it is an array)."""
    steps = "".join(f'."{step}"' for step in path.split("."))
    return f"json_extract({source}, '${steps}')"


def _gathered(source: str, listed: str, inner: str) -> str:
    """MongoDB's ``$list.field``: the value at path ``inner`` of each object of the list at
    path ``listed`` (objects without it left out), as a JSON array; NULL where there is no
    list."""
    steps = "".join(f'."{step}"' for step in listed.split("."))
    leaf = "".join(f'."{step}"' for step in inner.split("."))
    return (
        f"CASE WHEN json_type({source}, '${steps}') = 'array' THEN "
        f"(SELECT json_group_array(json_extract(item.value, '${leaf}')) "
        f"FROM json_each({_record(source, listed)}) AS item "
        f"WHERE json_type(item.value, '${leaf}') IS NOT NULL) END"
    )


def _stats(collection: str, field: str) -> str:
    """A dataset's count from its summary document of ``collection``; 0 without one."""
    return (
        f"coalesce((SELECT {_record('summary.document', field)} FROM dataset_document AS summary "
        f"JOIN stored_part AS of_summary ON of_summary.part = summary.part "
        f"WHERE summary.collection = '{collection}' AND of_summary.dataset_id = "
        f"stored_part.dataset_id AND summary.part IN ({{{collection}}})), 0)"
    )


_DUO = "dataUseConditions.duoDataUse"


def _document(path: str) -> str:
    return _record("dataset_document.document", path)


_DATASET_COLUMNS = ", ".join(
    [
        "stored_part.dataset_id AS id",
        *(
            f"{_document(name)} AS {name}"
            for name in ("name", "description", "version", "country", "organization")
        ),
        f"{_document('populations')} AS populations",
        f"{_gathered('dataset_document.document', _DUO, 'id')} AS duo_codes",
        f"{_gathered('dataset_document.document', _DUO, 'label')} AS duo_labels",
        f"{_document('privacyLaws')} AS privacy_laws",
        "NULL AS access_level",
        f"{_document('createDateTime')} AS create_date_time",
        f"{_document('updateDateTime')} AS update_date_time",
        f"{_stats(VARIANT_STATS, 'variantCount')} AS variant_count",
        f"{_stats(VARIANT_STATS, 'sampleCount')} AS sample_count",
        f"{_stats(METADATA_STATS, 'individualCount')} AS individual_count",
        f"{_stats(METADATA_STATS, 'biosampleCount')} AS biosample_count",
    ]
)


def _entry(path: str) -> str:
    return _record("entry.record", path)


_INDIVIDUAL_COLUMNS = ", ".join(
    [
        "stored_part.dataset_id AS dataset_id",
        "entry.id AS id",
        *(
            f"{_entry(path)} AS {name}"
            for name, path in (
                ("sex_id", "sex.id"),
                ("sex_label", "sex.label"),
                ("ethnicity_id", "ethnicity.id"),
                ("ethnicity_label", "ethnicity.label"),
                ("geographic_origin_id", "geographicOrigin.id"),
                ("geographic_origin_label", "geographicOrigin.label"),
                ("karyotypic_sex", "karyotypicSex"),
            )
        ),
        f"{_gathered('entry.record', 'diseases', 'diseaseCode.id')} AS disease_ids",
        f"{_values('entry_term', 'term', 'eid', 'entry.eid')} AS ontology_terms",
    ]
)
_BIOSAMPLE_COLUMNS = ", ".join(
    [
        "stored_part.dataset_id AS dataset_id",
        "entry.id AS id",
        "entry.individual_id AS individual_id",
        *(
            f"{_entry(path)} AS {name}"
            for name, path in (
                ("biosample_status_id", "biosampleStatus.id"),
                ("sample_origin_type_id", "sampleOriginType.id"),
                ("sample_origin_type_label", "sampleOriginType.label"),
                ("collection_date", "collectionDate"),
                ("collection_moment", "collectionMoment"),
            )
        ),
    ]
)
_FREQUENCIES = ", ".join(
    f"json_extract(frequency.value, '$.{field}') AS {name}" for name, field in _FREQUENCY_COLUMNS
)
# one row per (dataset, allele): the dataset's own frequency is the first one of every sample
# of its VCF (population ALL), read only when a query asks for it
_OWN_FREQUENCY = ", ".join(
    f"(SELECT json_extract(frequency.value, '$.{field}') "
    "FROM json_each(record_json(variant.record), '$.frequencyInPopulations') AS frequency_set, "
    "json_each(frequency_set.value, '$.frequencies') AS frequency "
    "WHERE coalesce(json_extract(frequency.value, '$.population'), 'ALL') = 'ALL' "
    f"ORDER BY frequency_set.key, frequency.key LIMIT 1) AS {name}"
    for name, field in _FREQUENCY_COLUMNS
)
_UNWOUND = (
    "JOIN json_each(record_json(variant.record), '$.frequencyInPopulations') AS frequency_set "
    "JOIN json_each(frequency_set.value, '$.frequencies') AS frequency"
)
# view name -> (collection, table, columns, FROM after the table, condition of its rows)
_VIEWS: dict[str, tuple[str, str, str, str, str]] = {
    "datasets": (DATASETS, "dataset_document", _DATASET_COLUMNS, "", "1"),
    "individuals": (INDIVIDUALS, "entry", _INDIVIDUAL_COLUMNS, "", "1"),
    "biosamples": ("biosamples", "entry", _BIOSAMPLE_COLUMNS, "", "1"),
    "variants": (
        VARIANTS,
        "variant",
        f'{_VARIANT_KEY}, variant.assembly AS assembly_id, variant."end" AS "end", '
        "variant.variant_type AS variant_type, "
        f"{_values('variant_gene_symbol', 'symbol', 'vid', 'variant.vid')} AS gene_ids, "
        f"{_OWN_FREQUENCY}",
        "",
        "1",
    ),
    "population_frequencies": (
        VARIANTS,
        "variant",
        f"{_VARIANT_KEY}, json_extract(frequency_set.value, '$.source') AS source, "
        f"json_extract(frequency.value, '$.population') AS population, {_FREQUENCIES}",
        _UNWOUND,
        "1",
    ),
}
VIEWS = tuple(_VIEWS)


class SqlTables:
    """The views of one release, and a read-only runner of SELECTs over them."""

    dialect = "sqlite"

    def __init__(
        self,
        path: str,
        parts: Mapping[str, Sequence[str]],
        process_local: Callable[[str], Any],
    ) -> None:
        self._path = path
        self._parts = {name: [int(part) for part in ids] for name, ids in parts.items()}
        self._process_local = process_local

    def view(self, name: str, visible: Predicate | None, prefix: str) -> tuple[str, Parameters]:
        """The subquery of view ``name`` holding the rows ``visible`` selects (None: all)."""
        collection, table, columns, joined, condition = _VIEWS[name]
        parts = self._parts.get(collection, [])
        where, parameters = sql_where(collection, visible or EVERYTHING, parts)
        lists = {
            summary: ", ".join(map(str, self._parts.get(summary, []))) or "NULL"
            for summary in (VARIANT_STATS, METADATA_STATS)
        }
        columns = columns.format(**lists)
        text = (
            f"(SELECT {columns} FROM {table} JOIN stored_part ON stored_part.part = {table}.part "
            f"{joined} WHERE {where} AND {condition})"
        )
        return _named(text, parameters, prefix)

    def rows_view(
        self,
        collection: str,
        columns: Mapping[str, str],
        lists: Mapping[str, tuple[str, str]],
        prefix: str,
    ) -> tuple[str, Parameters]:
        """The subquery of a table each process rebuilds: each column read at its document
        path, or (``lists``) gathered from each object of a list: (the list's path, the
        value's path in each object)."""
        if collection not in PROCESS_LOCAL_COLLECTIONS:
            raise ValueError(f"{collection} is kept in SQLite: use view()")
        rows = list(self._process_local(collection).find({}, {"_id": 0}).sort("_id"))
        read = [
            (_gathered("row.value", *lists[name]) if name in lists else _record("row.value", path))
            + f' AS "{name}"'
            for name, path in columns.items()
        ]
        text = f"(SELECT {', '.join(read)} FROM json_each(:{prefix}rows) AS row)"
        return text, {f"{prefix}rows": json.dumps(rows, default=str)}

    def run(
        self,
        select: str,
        parameters: Mapping[str, Any],
        offset: int,
        size: int,
        seconds: float,
        max_rows: int,
        functions: Mapping[str, Callable[..., Any]] = {},
        aggregates: Mapping[str, type] = {},
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The column names and up to ``size`` rows after ``offset`` of ``select``, run on a
        read-only connection; :class:`QueryBudgetError` past ``seconds`` or when the page
        reaches beyond ``max_rows`` rows of the answer. ``functions`` and ``aggregates`` are added
        to the connection by name (any number of arguments)."""
        if offset + size > max_rows:
            raise QueryBudgetError(
                f"this page would reach past row {max_rows:,} of the answer, the row budget; "
                "narrow the query (WHERE, GROUP BY) or aggregate"
            )
        connection = self._connection()
        for name, function in functions.items():
            connection.create_function(name, -1, function, deterministic=True)
        for name, aggregate in aggregates.items():
            connection.create_aggregate(name, -1, aggregate)
        deadline = time.monotonic() + seconds
        connection.set_progress_handler(lambda: time.monotonic() > deadline, PROGRESS_STEPS)
        paged = f"SELECT * FROM ({select}) LIMIT :page_size OFFSET :page_offset"
        try:
            cursor = connection.execute(
                paged, {**parameters, "page_size": size, "page_offset": offset}
            )
            names = [column[0] for column in cursor.description]
            return names, cursor.fetchall()
        except sqlite3.OperationalError as error:
            if time.monotonic() > deadline or "interrupted" in str(error):
                raise QueryBudgetError(
                    f"the query ran longer than its time budget of {seconds:g} s; "
                    "narrow it (WHERE on indexed columns: chromosome, start) or aggregate less"
                ) from None
            raise QueryRefusedError(str(error)) from None
        except (sqlite3.DataError, sqlite3.ProgrammingError, sqlite3.IntegrityError) as error:
            raise QueryRefusedError(str(error)) from None
        finally:
            connection.set_progress_handler(None, 0)

    def _connection(self) -> sqlite3.Connection:
        return _read_only(self._path)


_LOCAL = threading.local()


def _read_only(path: str) -> sqlite3.Connection:
    """This thread's read-only connection to the database at ``path`` (LIKE case-sensitive,
    as in Trino)."""
    opened: dict[str, tuple[int, sqlite3.Connection]] = _LOCAL.__dict__.setdefault("opened", {})
    found = opened.get(path)
    if found is not None and found[0] == os.getpid():
        return found[1]
    connection = sqlite3.connect(
        f"file:{quote(path)}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
    )
    connection.execute("PRAGMA query_only = ON")
    connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    connection.execute("PRAGMA case_sensitive_like = ON")
    connection.execute(f"PRAGMA cache_size = -{READ_CACHE_KIB}")
    connection.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    register_functions(connection)
    opened[path] = (os.getpid(), connection)
    return connection


def _named(text: str, parameters: list[Any], prefix: str) -> tuple[str, Parameters]:
    """``text`` with each ``?`` outside quotes renamed ``:<prefix><n>``, and its values."""
    out, named, quote_char, number = [], {}, None, 0
    for character in text:
        if quote_char is not None:
            quote_char = None if character == quote_char else quote_char
        elif character in "'\"":
            quote_char = character
        elif character == "?":
            name = f"{prefix}{number}"
            named[name] = parameters[number]
            number += 1
            out.append(f":{name}")
            continue
        out.append(character)
    if number != len(parameters):
        raise ValueError("the view's parameters do not match its text")
    return "".join(out), named
