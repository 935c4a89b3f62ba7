"""Predicates (:mod:`app.store.query`) lowered to SQLite over the tables of
:mod:`app.store.sqlite_schema`, with the semantics :mod:`app.store.lower_mongo` gives them.

Every value is a parameter, never part of the text. Every lowered condition is two-valued (true
or false, never NULL), so ``Not`` of it is its complement: a missing value is compared with
``IS``/``IS NOT`` or tested first. A field of several values is a child table; ``=`` and the
orderings are "any value" (``rowid IN (SELECT ... WHERE value ...)``, a subquery SQLite can also
drive the query from) and ``!`` "no value", a row without values included. A condition on a
record path walks the record's JSON as MongoDB walks a document: through arrays (one level at
the leaf, as MongoDB), comparing only values of the type compared (numbers with numbers, text
with text, booleans with booleans). Text patterns are Python regular expressions, matched by
the ``regexp`` function :func:`register_functions` adds to a connection: the patterns the
beacon builds (:mod:`app.query.wildcards`) match in linear time under Python's ``re``.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import singledispatch
from typing import Any

from app.genome import gene_key
from app.store import query as q
from app.store.collections import DATASET_ID, FILTERING_TERMS
from app.store.sqlite_carriers import register_carrier_functions
from app.store.sqlite_documents import RECORD_COLUMNS, RECORD_SELECTED
from app.store.sqlite_records import register_record_functions
from app.store.sqlite_schema import (
    CARRIERS,
    DATASET_DOCUMENTS,
    ENTRY_COLLECTIONS,
    ENTRY_COLUMNS,
    ENTRY_VALUES,
    GENE_KEY_TABLE,
    HGVS_COLUMN,
    HGVS_DERIVED,
    INTERNAL_ID_COLUMN,
    ONTOLOGY_TERMS,
    VARIANT_COLLECTION,
    VARIANT_COLUMNS,
    VARIANT_VALUES,
    ValuesTable,
    hgvs_id_sql,
    internal_id_sql,
    variant_column_sql,
)
from app.store.variant_names import hgvs_id_position

Sql = tuple[str, list[Any]]


@dataclass(frozen=True)
class PartsRead:
    """The parts a read covers, with what the store knows of each: its dataset (so that
    ``InDatasets`` becomes a list of parts, not a subquery per row) and whether every variant
    of them has case-folded gene keys (so that ``Gene`` needs no branch for those without)."""

    parts: tuple[int, ...]
    datasets: Mapping[int, str]  # part -> the dataset it holds
    genes_keyed: bool = False
    _of: dict[tuple[str, ...], tuple[int, ...]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def of_datasets(self, ids: tuple[str, ...]) -> list[int]:
        """The parts read that hold one of these datasets."""
        found = self._of.get(ids)
        if found is None:
            datasets = self.datasets
            found = self._of[ids] = tuple(p for p in self.parts if datasets.get(p) in ids)
        return list(found)


# the parts read: with their datasets; only their ids; None: all rows
Parts = PartsRead | Sequence[int] | None
TRUE, FALSE = "1", "0"
_DATASET_OF_ROW = "(SELECT dataset_id FROM stored_part WHERE stored_part.part = {table}.part)"
_NUMBER_TYPES = "('integer', 'real')"
_BOOLEAN_TYPES = "('true', 'false')"
_SQL_ORDERINGS = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}
_VARIANT_COLUMN_FIELDS = {q.VariantField.TYPE: "variant_type"}
# the names a row stores only where its columns do not spell them (app.store.variant_names)
_NAMES = (q.VariantField.INTERNAL_ID, q.VariantField.HGVS_ID)
# what sql_records selects: the record, its case-level data and carrier columns apart
# (app.store.sqlite_documents.RECORD_COLUMNS); entries have neither
_RECORD_COLUMNS = {
    "variant": RECORD_SELECTED,
    "entry": "entry.record" + ", NULL" * (len(RECORD_COLUMNS) - 2) + ", 0",
}
# the bitmap of the samples whose biosample id meets a condition (sqlite_carriers)
_SAMPLES_WHERE = "(SELECT carrier_set(sample) FROM sample_name WHERE biosample_id {condition})"
_NULLABLE = frozenset({"af", "individual_id", "biosample_id", "run_id"})


@dataclass(frozen=True)
class _Rows:
    """The rows a collection is kept in: its table, the key of a row, and its kind."""

    collection: str
    table: str
    key: str
    kind: str  # "variant", "entry", "per dataset", "other"
    reading: PartsRead | None = None

    def column(self, name: str) -> str:
        return f"{self.table}.{name}"


def _rows(collection: str, reading: PartsRead | None = None) -> _Rows:
    if collection == VARIANT_COLLECTION:
        return _Rows(collection, "variant", "vid", "variant", reading)
    if collection in ENTRY_COLLECTIONS:
        return _Rows(collection, "entry", "eid", "entry", reading)
    if collection in DATASET_DOCUMENTS:
        return _Rows(collection, "dataset_document", "part", "per dataset", reading)
    if collection == FILTERING_TERMS:
        return _Rows(collection, "filtering_term", "rowid", "per dataset", reading)
    # a collection of no declared layout: whole documents, selected by dataset at most
    return _Rows(collection, "other_document", "rowid", "other", reading)


# -- the statements ---------------------------------------------------------------------------


def sql_where(collection: str, where: q.Predicate, parts: Parts = None) -> Sql:
    """The condition on the collection's table selecting the rows ``where`` means among the
    rows of ``parts`` (None: every row of the collection; a release reads the parts it names).
    The text is made once per shape of ``where`` (its values taken out, they are parameters)."""
    return _where(collection, where, parts)[:2]


@dataclass
class _Template:
    """What one shape lowers to: the condition's text, whether it reads only the parts its
    datasets name (no list of the parts read before it), and the statements made of it."""

    text: str
    bounded: bool
    statements: dict[str, str]


def _where(
    collection: str, where: q.Predicate, parts: Parts
) -> tuple[str, list[Any], _Template | None]:
    """The condition, its parameters, and the template its text is cached in (None: not
    cached, a predicate of a kind :data:`_SIGNATURES` does not know)."""
    reading = parts if isinstance(parts, PartsRead) else None
    signed = _signature(where, reading)
    if signed is None:
        return (*_where_lowered(collection, where, parts), None)
    shape, parameters = signed
    ids = None if parts is None else _part_ids(parts)
    key = (collection, shape, None if ids is None else len(ids), reading is None)
    template = _TEMPLATES.get(key)
    if template is None:
        text, lowered = _where_lowered(collection, where, parts)
        bounded = reading is not None and _bounded_by_datasets(where)
        outer = _outer_parameters(collection, ids, bounded)
        if lowered != [*outer, *parameters]:  # a signature out of step: never cached
            return text, lowered, None
        if len(_TEMPLATES) >= TEMPLATES_KEPT:
            _TEMPLATES.clear()
        template = _TEMPLATES[key] = _Template(text, bounded, {})
    if template.bounded:
        return template.text, parameters, template
    return template.text, [*_outer_parameters(collection, ids, False), *parameters], template


def _part_ids(parts: PartsRead | Sequence[int]) -> Sequence[int]:
    return parts.parts if isinstance(parts, PartsRead) else parts


def _outer_parameters(collection: str, ids: Sequence[int] | None, bounded: bool) -> list[Any]:
    if ids is None:
        return [collection] if _rows(collection).table in ("entry", "dataset_document") else []
    return [] if bounded or not ids else list(ids)


def _bounded_by_datasets(where: q.Predicate) -> bool:
    """Whether ``where`` holds only rows of the datasets it names (an ``InDatasets`` at its
    top): the parts of those datasets are then the only parts to read."""
    if isinstance(where, q.InDatasets):
        return True
    return isinstance(where, q.All) and any(isinstance(p, q.InDatasets) for p in where.parts)


def _where_lowered(collection: str, where: q.Predicate, parts: Parts) -> Sql:
    reading = parts if isinstance(parts, PartsRead) else None
    rows = _rows(collection, reading)
    text, parameters = _lowered(where, rows)
    if parts is not None:
        if reading is not None and _bounded_by_datasets(where):
            return text, parameters
        ids = list(_part_ids(parts))
        if not ids:
            return FALSE, []
        return f"{_in(rows.column('part'), ids)[0]} AND {text}", [*ids, *parameters]
    if rows.table in ("entry", "dataset_document"):
        return f"{rows.column('collection')} = ? AND {text}", [collection, *parameters]
    return text, parameters


def sql_order_by(collection: str) -> str:
    """The collection's page order, each row in one place: variants by position, then internal
    id, dataset and row; entries by id, then dataset."""
    rows = _rows(collection)
    dataset = _DATASET_OF_ROW.format(table=rows.table)
    if rows.kind == "variant":
        columns = ("assembly", "chrom", "start", '"end"', INTERNAL_ID_COLUMN)
        read = [variant_column_sql(column, rows.table) for column in columns]
        return ", ".join([*read, dataset, rows.column("vid")])
    if rows.kind == "entry":
        return f"{rows.column('id')}, {dataset}"
    return dataset


def sql_count(collection: str, where: q.Predicate, parts: Parts = None) -> Sql:
    text, parameters, template = _where(collection, where, parts)
    if template is None:
        return _count_statement(collection, where, parts, text), parameters
    statement = template.statements.get("count")
    if statement is None:
        statement = template.statements["count"] = _count_statement(collection, where, parts, text)
    return statement, parameters


def sql_count_meeting(
    collection: str, where: q.Predicate, also: q.Predicate, parts: Parts = None
) -> Sql:
    """One value for what ``where`` selects: twice its count, plus one when any of it also
    meets ``also``. A count and the check of its rows made in one scan, where the check alone
    would be a second statement; one value, so that a served read checks the release's
    version beside it as it does beside a count."""
    text, parameters, template = _where(collection, where, parts)
    reading = parts if isinstance(parts, PartsRead) else None
    signed = _signature(also, reading) if template is not None else None
    key = None if signed is None else ("count meeting", signed[0])
    if template is not None and signed is not None and key in template.statements:
        return template.statements[key], [*signed[1], *parameters]
    # the gene-key table holds each key's frequency: a frequency check reads it there too
    frequency_only = isinstance(also, q.CommonAllele | q.RareAllele)
    rows, text = _counted_rows(collection, where, parts, text, frequency_only)
    met, met_parameters = _lowered(also, rows)
    statement = (
        f"SELECT 2 * count(*) + coalesce(max(CASE WHEN {met} THEN 1 ELSE 0 END), 0) "
        f"FROM {rows.table} WHERE {text}"
    )
    if template is not None and signed is not None and signed[1] == met_parameters:
        template.statements[key] = statement
    return statement, [*met_parameters, *parameters]


def _count_statement(collection: str, where: q.Predicate, parts: Parts, text: str) -> str:
    rows, condition = _counted_rows(collection, where, parts, text)
    return f"SELECT count(*) FROM {rows.table} WHERE {condition}"


def _counted_rows(
    collection: str, where: q.Predicate, parts: Parts, text: str, gene_table: bool = True
) -> tuple[_Rows, str]:
    """The rows a count of ``where`` (lowered as ``text``) reads and its condition on them: the
    gene-key table alone where it answers (:func:`_gene_table_count`) and ``gene_table`` allows,
    else the collection's table; the parameters are those of ``where`` either way."""
    reading = parts if isinstance(parts, PartsRead) else None
    gene_count = _gene_table_count(collection, where, parts) if gene_table else None
    if gene_count is not None:
        return _Rows(collection, GENE_KEY_TABLE, "vid", "variant", reading), gene_count
    return _rows(collection, reading), text


def _gene_table_count(collection: str, where: q.Predicate, parts: Parts) -> str | None:
    """The condition on the gene-key table that counts what ``where`` selects, when it asks
    for one gene in datasets whose variants all have gene keys, and at most a frequency: the
    table holds each key's part and frequency, so the count reads it alone. Its parameters
    are those of ``where`` on the variant table, in the same order."""
    if not (
        collection == VARIANT_COLLECTION
        and isinstance(parts, PartsRead)
        and parts.genes_keyed
        and isinstance(where, q.All)
        and _bounded_by_datasets(where)
    ):
        return None
    genes = [part for part in where.parts if isinstance(part, q.Gene)]
    if len(genes) != 1 or genes[0].operator != "=":
        return None
    kinds = {type(part) for part in where.parts}
    if not kinds <= {q.InDatasets, q.Gene, q.CommonAllele, q.RareAllele}:
        return None
    rows = _Rows(collection, GENE_KEY_TABLE, "vid", "variant", parts)
    texts = [
        f"{GENE_KEY_TABLE}.gene_key = ?" if isinstance(part, q.Gene) else _lowered(part, rows)[0]
        for part in where.parts
    ]
    return " AND ".join(texts)


def sql_exists(collection: str, where: q.Predicate, parts: Parts = None) -> Sql:
    text, parameters = sql_where(collection, where, parts)
    return f"SELECT 1 FROM {_rows(collection).table} WHERE {text} LIMIT 1", parameters


def sql_records(
    collection: str, where: q.Predicate, skip: int, limit: int, parts: Parts = None
) -> Sql:
    """The stored records and their case-level data apart (the columns
    :func:`app.store.sqlite_documents.stored_record` decodes),
    ``limit`` after ``skip`` in the collection's order; a ``limit`` of 0 is no limit, as
    MongoDB's."""
    if skip < 0 or limit < 0:
        raise ValueError("skip and limit are not negative")
    rows = _rows(collection)
    if rows.kind == "per dataset":
        raise ValueError(f"{collection} has no records to page")
    text, parameters = sql_where(collection, where, parts)
    statement = (
        f"SELECT {_RECORD_COLUMNS[rows.kind]} FROM {rows.table} "
        f"WHERE {text} "
        f"ORDER BY {sql_order_by(collection)} LIMIT ? OFFSET ?"
    )
    return statement, [*parameters, limit or -1, skip]


def sql_distinct(collection: str, field: str, where: q.Predicate, parts: Parts = None) -> Sql:
    """The distinct values of ``field`` (each value of a field of several) in the selected rows,
    NULL left out, in no particular order."""
    rows = _rows(collection)
    text, parameters = sql_where(collection, where, parts)
    selected = f"SELECT {rows.column(rows.key)} FROM {rows.table} WHERE {text}"
    if field == ("_id" if rows.table == "dataset_document" else DATASET_ID):
        parts_of = f"SELECT {rows.column('part')} FROM {rows.table} WHERE {text}"
        return f"SELECT DISTINCT dataset_id FROM stored_part WHERE part IN ({parts_of})", parameters
    if rows.kind == "variant" and field == CARRIERS:
        union = f"SELECT carrier_union(variant.carriers) FROM variant WHERE {text}"
        statement = (
            "SELECT biosample_id FROM sample_name WHERE sample IN "
            f"(SELECT value FROM json_each(({union})))"
        )
        return statement, parameters
    values = _values_table(rows, field)
    if values is not None:
        statement = f"SELECT DISTINCT {values.column} FROM {values.table} "
        return statement + f"WHERE {values.row} IN ({selected})", parameters
    column = _column(rows, field)
    statement = f"SELECT DISTINCT {column} FROM {rows.table} WHERE {text} AND {column} IS NOT NULL"
    return statement, parameters


def _values_table(rows: _Rows, field: str) -> ValuesTable | None:
    tables = VARIANT_VALUES if rows.kind == "variant" else ENTRY_VALUES
    return tables.get(field) if rows.kind in ("variant", "entry") else None


def _column(rows: _Rows, field: str) -> str:
    column = _column_if_any(rows, field)
    if column is None:
        raise ValueError(f"{rows.collection} has no field {field} in SQL")
    return column


def _column_if_any(rows: _Rows, field: str) -> str | None:
    """The column of a field, None where the collection's documents never hold it (as a link
    of another entry type: MongoDB finds no value there)."""
    columns = VARIANT_COLUMNS if rows.kind == "variant" else ENTRY_COLUMNS
    if rows.kind not in ("variant", "entry") or field not in columns:
        return None
    if rows.kind == "variant":
        return variant_column_sql(columns[field], rows.table)
    return rows.column(columns[field])


def register_functions(connection: sqlite3.Connection) -> None:
    """Add what the lowered SQL calls: ``regexp(pattern, text)``, a case-insensitive search,
    the carrier bitmaps' functions (:mod:`app.store.sqlite_carriers`) and ``record_json``
    (:mod:`app.store.sqlite_records`)."""
    connection.create_function("regexp", 2, _regexp_search, deterministic=True)
    register_carrier_functions(connection)
    register_record_functions(connection)


@functools.lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _regexp_search(pattern: str, text: Any) -> bool:
    return isinstance(text, str) and _compiled(pattern).search(text) is not None


# -- the lowering -----------------------------------------------------------------------------


@singledispatch
def _lowered(where: q.Predicate, rows: _Rows) -> Sql:
    raise TypeError(f"no SQL lowering for {type(where).__name__}")


def _only(rows: _Rows, kind: str, where: q.Predicate) -> None:
    if rows.kind != kind:
        raise ValueError(f"{type(where).__name__} does not select {rows.collection}")


@_lowered.register
def _(where: q.All, rows: _Rows) -> Sql:
    if not where.parts:
        return TRUE, []
    return _joined(" AND ", [_lowered(part, rows) for part in where.parts])


@_lowered.register
def _(where: q.AnyOf, rows: _Rows) -> Sql:
    if not where.parts:
        return FALSE, []
    return _joined(" OR ", [_lowered(part, rows) for part in where.parts])


@_lowered.register
def _(where: q.Not, rows: _Rows) -> Sql:
    text, parameters = _lowered(where.part, rows)
    return f"NOT ({text})", parameters


@_lowered.register
def _(where: q.InDatasets, rows: _Rows) -> Sql:
    if rows.reading is not None:  # the parts of those datasets among the parts read
        return _in(rows.column("part"), rows.reading.of_datasets(where.ids))
    if not where.ids:
        return FALSE, []
    marks = _marks(where.ids)
    text = f"{rows.column('part')} IN (SELECT part FROM stored_part WHERE dataset_id IN ({marks}))"
    return text, list(where.ids)


# -- variants ---------------------------------------------------------------------------------


def _variant_column_equals(column: str, value_of: Callable[[Any], Any]) -> Any:
    def lower(where: q.Predicate, rows: _Rows) -> Sql:
        _only(rows, "variant", where)
        return f"{rows.column(column)} = ?", [value_of(where)]

    return lower


def _column_in(kind: str, column: str, values_of: Callable[[Any], Any]) -> Any:
    def lower(where: q.Predicate, rows: _Rows) -> Sql:
        _only(rows, kind, where)
        return _in(rows.column(column), values_of(where))

    return lower


for _predicate, _column_name, _value_of in (
    (q.Assembly, "assembly", lambda where: where.assembly),
    (q.Chromosome, "chrom", lambda where: where.name),
    (q.StartsAt, "start", lambda where: where.start),
):
    _lowered.register(_predicate, _variant_column_equals(_column_name, _value_of))
_lowered.register(q.VariantTypes, _column_in("variant", "variant_type", lambda w: w.types))
_lowered.register(q.EntryIds, _column_in("entry", "id", lambda where: where.ids))


@_lowered.register
def _(where: q.Overlaps, rows: _Rows) -> Sql:
    _only(rows, "variant", where)
    start, end = rows.column("start"), rows.column('"end"')
    text, parameters = f"{start} < ? AND {end} > ?", [where.end, where.start]
    if where.longest is not None:  # the bound lower_mongo keeps: start > start - longest
        text += f" AND {start} > ?"
        parameters.append(where.start - max(where.longest, 1))
    return f"({text})", parameters


@_lowered.register
def _(where: q.Bracket, rows: _Rows) -> Sql:
    _only(rows, "variant", where)
    start, end = rows.column("start"), rows.column('"end"')
    text = f"({start} >= ? AND {start} < ? AND {end} >= ? AND {end} < ?)"
    return text, [where.start_low, where.start_high, where.end_low, where.end_high]


@_lowered.register
def _(where: q.Bases, rows: _Rows) -> Sql:
    _only(rows, "variant", where)
    parts = []
    for column, bases in (("ref", where.reference), ("alt", where.alternate)):
        if bases is not None:
            if "N" in bases:  # GLOB: whole text, case-sensitive, as lower_mongo's ^...$ regex
                parts.append((f"{rows.column(column)} GLOB ?", [_bases_glob(bases)]))
            else:
                parts.append((f"{rows.column(column)} = ?", [bases]))
    return _joined(" AND ", parts) if parts else (TRUE, [])


def _bases_glob(bases: str) -> str:
    """``N`` any one of ``ACGTN``, every other character itself."""
    return "".join(
        "[ACGTN]" if base == "N" else f"[{base}]" if base in "*?[" else base for base in bases
    )


@_lowered.register
def _(where: q.LengthBetween, rows: _Rows) -> Sql:
    _only(rows, "variant", where)
    length = rows.column("variant_length")
    parts = []
    if where.low is not None:
        parts.append((f"{length} >= ?", [where.low]))
    if where.high is not None:
        parts.append((f"{length} <= ?", [where.high]))
    return _joined(" AND ", parts) if parts else (TRUE, [])


@_lowered.register
def _(where: q.Gene, rows: _Rows) -> Sql:
    """The folded key where the variant has keys, the symbol as given where it has none."""
    _only(rows, "variant", where)
    if where.operator == "!":
        text, parameters = _lowered(q.Gene("=", where.symbol), rows)
        return f"NOT ({text})", parameters
    keyed = rows.column("gene_keyed")
    by_key, key_parameters = _any_value(
        rows, VARIANT_VALUES["geneKeys"], where.operator, gene_key(where.symbol)
    )
    if rows.reading is not None and rows.reading.genes_keyed:  # no variant read lacks keys
        return by_key, key_parameters
    by_symbol, symbol_parameters = _any_value(
        rows, VARIANT_VALUES["geneIds"], where.operator, where.symbol
    )
    text = f"(({keyed} = 1 AND {by_key}) OR ({keyed} = 0 AND {by_symbol}))"
    return text, [*key_parameters, *symbol_parameters]


@_lowered.register
def _(where: q.VariantValue, rows: _Rows) -> Sql:
    _only(rows, "variant", where)
    if where.field in _NAMES:
        return _name_compared(rows, where.field, where.operator, where.value)
    if where.field in _VARIANT_COLUMN_FIELDS:
        return _column_compared(
            rows, _VARIANT_COLUMN_FIELDS[where.field], where.operator, where.value
        )
    if where.operator == "!":
        text, parameters = _lowered(q.VariantValue(where.field, "=", where.value), rows)
        return f"NOT ({text})", parameters
    if where.field.value == CARRIERS:
        return _carried(rows, f"{_sql_operator(where.operator)} ?", [where.value])
    return _any_value(rows, VARIANT_VALUES[where.field.value], where.operator, where.value)


@_lowered.register
def _(where: q.VariantValueIn, rows: _Rows) -> Sql:
    _only(rows, "variant", where)
    if where.field in _NAMES:
        return _named_any(rows, where.field, where.values)
    if where.field in _VARIANT_COLUMN_FIELDS:
        return _in(rows.column(_VARIANT_COLUMN_FIELDS[where.field]), where.values)
    if where.field.value == CARRIERS:
        return _carried_in(rows, where.values)
    return _any_value_in(rows, VARIANT_VALUES[where.field.value], where.values)


@_lowered.register
def _(where: q.NamedVariant, rows: _Rows) -> Sql:
    _only(rows, "variant", where)
    internal, internal_parameters = _named(rows, q.VariantField.INTERNAL_ID, where.name)
    identified, _ = _any_value(rows, VARIANT_VALUES["identifiers"], "=", where.name)
    hgvs, hgvs_parameters = _named(rows, q.VariantField.HGVS_ID, where.name)
    return (
        f"({internal} OR {identified} OR {hgvs})",
        [*internal_parameters, where.name, *hgvs_parameters],
    )


# -- the names a row's columns spell ----------------------------------------------------------


def _named(rows: _Rows, field: q.VariantField, name: str) -> Sql:
    """The rows ``field`` names ``name``, stored as it or spelled by their columns; true or
    false, never NULL, and of one shape for every name."""
    if field == q.VariantField.INTERNAL_ID:  # an expression the index holds
        return f"{internal_id_sql(rows.table)} = ?", [name]
    return _hgvs_named_text(rows), _hgvs_named_parameters(name)


def _hgvs_named_text(rows: _Rows) -> str:
    stored = rows.column(HGVS_COLUMN)
    spelled = " AND ".join(
        f"{rows.column(column)} = ?" for column in ("chrom", "start", "ref", "alt")
    )
    # an accession may name a chromosome of two assemblies; every part is said so that the
    # position index (part first) finds the rows spelling it
    derived = (
        f"{rows.column('part')} IN (SELECT part FROM stored_part) AND "
        f"{rows.column(HGVS_DERIVED)} = 1 AND {rows.column('assembly')} IN (?, ?) AND {spelled}"
    )
    return f"(({stored} IS NOT NULL AND {stored} = ?) OR ({derived}))"


def _hgvs_named_parameters(name: str) -> list[Any]:
    position = hgvs_id_position(name)
    if position is None:  # no row spelling an id starts before its chromosome
        return [name, "", "", "", -1, "", ""]
    assemblies = (position.assemblies * 2)[:2]
    return [name, *assemblies, position.chrom, position.start, position.ref, position.alt]


def _named_any(rows: _Rows, field: q.VariantField, names: Sequence[str]) -> Sql:
    if field == q.VariantField.INTERNAL_ID:
        return _in(internal_id_sql(rows.table), names)
    if not names:
        return FALSE, []
    text = _hgvs_named_text(rows)
    return (
        "(" + " OR ".join([text] * len(names)) + ")",
        [value for name in names for value in _hgvs_named_parameters(name)],
    )


def _name_compared(rows: _Rows, field: q.VariantField, operator: q.Operator, name: Any) -> Sql:
    """A name compared: equal (or not) as it is stored or spelled, through the indexes;
    ordered as the text it reads back as (no index serves that)."""
    if operator in ("=", "!") and isinstance(name, str):
        text, parameters = _named(rows, field, name)
        return (text if operator == "=" else f"NOT {text}"), parameters
    if operator in ("=", "!"):  # a name that is not text: no row is named by it
        return (FALSE if operator == "=" else TRUE), []
    if field == q.VariantField.INTERNAL_ID:
        return f"{internal_id_sql(rows.table)} {_sql_operator(operator)} ?", [name]
    hgvs = hgvs_id_sql(rows.table)
    return f"({hgvs} IS NOT NULL AND {hgvs} {_sql_operator(operator)} ?)", [name]


@_lowered.register
def _(where: q.CommonAllele | q.RareAllele, rows: _Rows) -> Sql:
    _only(rows, "variant", where)
    af = rows.column("af")
    # an unknown (NULL) frequency is rare, never common, as MongoDB's $gte fails on null
    if isinstance(where, q.CommonAllele):
        return f"({af} IS NOT NULL AND {af} >= ?)", [where.frequency]
    return f"({af} IS NULL OR {af} < ?)", [where.frequency]


# -- links, either kind -----------------------------------------------------------------------


@_lowered.register
def _(where: q.LinkedTo, rows: _Rows) -> Sql:
    if rows.kind == "per dataset":
        raise ValueError(f"LinkedTo does not select {rows.collection}")
    if rows.kind == "variant" and where.field == CARRIERS:
        return _carried_in(rows, where.ids)
    values = _values_table(rows, where.field)
    if values is not None:
        return _any_value_in(rows, values, where.ids)
    column = _column_if_any(rows, where.field)
    return (FALSE, []) if column is None else _in(column, where.ids)


@_lowered.register
def _(where: q.HasLink, rows: _Rows) -> Sql:
    # variants always hold a (maybe empty) carrier list: MongoDB's $exists on it says nothing
    _only(rows, "entry", where)
    return f"{_column(rows, where.field)} IS NOT NULL", []


# -- metadata entries -------------------------------------------------------------------------


@_lowered.register
def _(where: q.HasOntologyTerm, rows: _Rows) -> Sql:
    _only(rows, "entry", where)
    return _any_value_in(rows, ENTRY_VALUES[ONTOLOGY_TERMS], where.terms)


@_lowered.register
def _(where: q.DurationAt, rows: _Rows) -> Sql:
    """The path and the length read from the same duration (MongoDB's $elemMatch)."""
    _only(rows, "entry", where)
    operator = "=" if where.operator == "!" else where.operator
    text = (
        f"{rows.column('eid')} IN (SELECT eid FROM entry_duration "
        f"WHERE path = ? AND days {_sql_operator(operator)} ?)"
    )
    parameters = [where.path, where.days]
    return (f"NOT ({text})", parameters) if where.operator == "!" else (text, parameters)


@_lowered.register
def _(where: q.RecordValue, rows: _Rows) -> Sql:
    """Some value at the path meets the comparison (``!``: no value equals, or matches)."""
    _only(rows, "entry", where)
    sources, source_parameters, value = _path_values(rows.column("record"), where.path)
    negated = where.operator == "!"
    if where.kind == "text" and where.operator in ("=", "!"):
        pattern = where.pattern or re.escape(str(where.value))
        condition, parameters = f"{value}.type = 'text' AND regexp(?, {value}.value)", [pattern]
    elif where.kind == "number or text" and where.operator in ("=", "!"):
        # a field of no declared kind may hold 5 or "5": equality takes both
        condition = (
            f"(({value}.type IN {_NUMBER_TYPES} AND {value}.value = ?) "
            f"OR ({value}.type = 'text' AND {value}.value = ?))"
        )
        parameters = [float(where.value), str(where.value)]
    else:
        compared = float(where.value) if where.kind == "number or text" else where.value
        operator = "=" if negated else where.operator
        condition, parameters = _typed_compared(value, operator, compared)
    text = f"EXISTS (SELECT 1 FROM {sources} WHERE {condition})"
    return (f"NOT {text}" if negated else text), [*source_parameters, *parameters]


def _path_values(record: str, path: str) -> tuple[str, list[Any], str]:
    """The ``FROM`` list of json_each walks reaching every value at ``path`` as MongoDB would
    (each step into the objects of an array, the values of an array at the end), its
    parameters, and the alias whose ``value``/``type`` are those values."""
    steps = path.split(".")
    for step in steps:
        if not step or '"' in step or step.isdigit():
            raise ValueError(f"record path {path!r}: {step!r} is not a field name SQL walks")
    sources, parameters = [], []
    source, guard = record, None
    for number, step in enumerate(steps):
        alias = f"step{number}"
        json_path = f'$."{step}"'
        # an array: its elements; anything else (an object, a scalar): itself; missing: nothing
        values = (
            f"CASE WHEN json_type({source}, ?) = 'array' THEN {source} -> ? "
            f"ELSE '[' || ({source} -> ?) || ']' END"
        )
        if guard is not None:
            values = f"CASE WHEN {guard} THEN {values} END"
        sources.append(f"json_each({values}) AS {alias}")
        parameters += [json_path] * 3
        source, guard = f"{alias}.value", f"{alias}.type = 'object'"
    return ", ".join(sources), parameters, f"step{len(steps) - 1}"


def _typed_compared(value: str, operator: q.Operator, compared: Any) -> Sql:
    """``value operator compared`` for values of ``compared``'s type only (MongoDB's type
    bracketing: a number never equals or orders with text, nor a boolean with a number)."""
    if isinstance(compared, bool):
        types, compared = _BOOLEAN_TYPES, int(compared)
    elif isinstance(compared, int | float):
        types = _NUMBER_TYPES
    elif isinstance(compared, str):
        types = "('text')"
    else:
        raise TypeError(f"no SQL comparison with a {type(compared).__name__}")
    return f"({value}.type IN {types} AND {value}.value {_sql_operator(operator)} ?)", [compared]


# -- shapes: a predicate with its values taken out ---------------------------------------------

TEMPLATES_KEPT = 4096  # lowered texts kept, by shape (emptied when full)
_TEMPLATES: dict[Hashable, _Template] = {}
Signed = tuple[Hashable, list[Any]]


def _signature(where: q.Predicate, reading: PartsRead | None) -> Signed | None:
    """The shape of ``where`` (what its lowered text depends on) and the parameters its
    lowering gives, in their order, without lowering it; None for a kind not listed in
    :data:`_SIGNATURES` (lowered on every call)."""
    signing = _SIGNATURES.get(type(where))
    return None if signing is None else signing(where, reading)


def _signed_parts(kind: type, parts: tuple[q.Predicate, ...], reading: PartsRead | None) -> Any:
    shapes: list[Any] = [kind]
    parameters: list[Any] = []
    signatures = _SIGNATURES
    for part in parts:
        signing = signatures.get(part.__class__)
        signed = None if signing is None else signing(part, reading)
        if signed is None:
            return None
        shapes.append(signed[0])
        parameters += signed[1]
    return tuple(shapes), parameters


def _signed_not(where: q.Not, reading: PartsRead | None) -> Signed | None:
    signed = _signature(where.part, reading)
    return None if signed is None else ((q.Not, signed[0]), signed[1])


def _signed_datasets(where: q.InDatasets, reading: PartsRead | None) -> Signed:
    wanted = list(where.ids) if reading is None else reading.of_datasets(where.ids)
    return (q.InDatasets, len(wanted)), wanted


def _signed_overlaps(where: q.Overlaps, _: PartsRead | None) -> Signed:
    if where.longest is None:
        return (q.Overlaps, False), [where.end, where.start]
    return (q.Overlaps, True), [where.end, where.start, where.start - max(where.longest, 1)]


def _signed_bases(where: q.Bases, _: PartsRead | None) -> Signed:
    shape: list[Any] = [q.Bases]
    parameters = []
    for bases in (where.reference, where.alternate):
        if bases is None:
            shape.append(None)
        elif "N" in bases:
            shape.append("glob")
            parameters.append(_bases_glob(bases))
        else:
            shape.append("equal")
            parameters.append(bases)
    return tuple(shape), parameters


def _signed_length(where: q.LengthBetween, _: PartsRead | None) -> Signed:
    bounds = [bound for bound in (where.low, where.high) if bound is not None]
    return (q.LengthBetween, where.low is None, where.high is None), bounds


def _signed_gene(where: q.Gene, reading: PartsRead | None) -> Signed:
    keyed_only = reading is not None and reading.genes_keyed
    parameters = [gene_key(where.symbol)] if keyed_only else [gene_key(where.symbol), where.symbol]
    return (q.Gene, where.operator, keyed_only), parameters


_SIGNATURES: dict[type, Callable[[Any, PartsRead | None], Signed | None]] = {
    q.All: lambda where, reading: (
        ((q.All,), []) if not where.parts else _signed_parts(q.All, where.parts, reading)
    ),
    q.AnyOf: lambda where, reading: (
        ((q.AnyOf,), []) if not where.parts else _signed_parts(q.AnyOf, where.parts, reading)
    ),
    q.Not: _signed_not,
    q.InDatasets: _signed_datasets,
    q.Assembly: lambda where, _: (q.Assembly, [where.assembly]),
    q.Chromosome: lambda where, _: (q.Chromosome, [where.name]),
    q.StartsAt: lambda where, _: (q.StartsAt, [where.start]),
    q.Overlaps: _signed_overlaps,
    q.Bracket: lambda where, _: (
        q.Bracket,
        [where.start_low, where.start_high, where.end_low, where.end_high],
    ),
    q.Bases: _signed_bases,
    q.VariantTypes: lambda where, _: ((q.VariantTypes, len(where.types)), list(where.types)),
    q.LengthBetween: _signed_length,
    q.Gene: _signed_gene,
    q.NamedVariant: lambda where, _: (
        q.NamedVariant,
        [where.name, where.name, *_hgvs_named_parameters(where.name)],
    ),
    q.CommonAllele: lambda where, _: (q.CommonAllele, [where.frequency]),
    q.RareAllele: lambda where, _: (q.RareAllele, [where.frequency]),
    q.EntryIds: lambda where, _: ((q.EntryIds, len(where.ids)), list(where.ids)),
}


# -- shared pieces ----------------------------------------------------------------------------


def _column_compared(rows: _Rows, column: str, operator: q.Operator, value: Any) -> Sql:
    name = rows.column(column)
    if operator == "!":  # a missing value is not equal
        return (f"{name} IS NOT ?" if column in _NULLABLE else f"{name} != ?"), [value]
    text = f"{name} {_sql_operator(operator)} ?"
    return (f"({name} IS NOT NULL AND {text})" if column in _NULLABLE else text), [value]


def _any_value(rows: _Rows, values: ValuesTable, operator: q.Operator, value: Any) -> Sql:
    """Some value of the row in the child table meets ``operator value``."""
    text = (
        f"{rows.column(rows.key)} IN (SELECT {values.row} FROM {values.table} "
        f"WHERE {values.column} {_sql_operator(operator)} ?)"
    )
    return text, [value]


def _any_value_in(rows: _Rows, values: ValuesTable, wanted: Sequence[Any]) -> Sql:
    if not wanted:
        return FALSE, []
    text = (
        f"{rows.column(rows.key)} IN (SELECT {values.row} FROM {values.table} "
        f"WHERE {values.column} IN ({_marks(wanted)}))"
    )
    return text, list(wanted)


def _carried(rows: _Rows, condition: str, parameters: list[Any]) -> Sql:
    """Some carrier of the row has a biosample id meeting ``condition``: its bitmap meets the
    bitmap of those samples (one subquery for the statement, not one per row)."""
    wanted = _SAMPLES_WHERE.format(condition=condition)
    return f"carried({rows.column('carriers')}, {wanted})", parameters


def _carried_in(rows: _Rows, wanted: Sequence[Any]) -> Sql:
    if not wanted:
        return FALSE, []
    return _carried(rows, f"IN ({_marks(wanted)})", list(wanted))


def _in(column: str, wanted: Sequence[Any]) -> Sql:
    """One of ``wanted``: false, not NULL, where the column holds none."""
    if not wanted:
        return FALSE, []
    text = f"{column} = ?" if len(wanted) == 1 else f"{column} IN ({_marks(wanted)})"
    if column.split(".")[-1] in _NULLABLE:
        text = f"({column} IS NOT NULL AND {text})"
    return text, list(wanted)


def _sql_operator(operator: q.Operator) -> str:
    if operator == "!":
        raise ValueError("! is lowered as the negation of =")
    return "=" if operator == "=" else _SQL_ORDERINGS[operator]


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def _joined(separator: str, parts: list[Sql]) -> Sql:
    if len(parts) == 1:
        return parts[0]
    text = separator.join(part for part, _ in parts)
    return f"({text})", [parameter for _, parameters in parts for parameter in parameters]
