"""Data Connect SQL run by the store's own engine (the embedded store): the query is checked,
its tables rewritten to the rows the caller may see, and the engine answers the rest.

:func:`native_query` reads the SQL (Trino dialect) with the same parsing, parameter binding
and refusals of hostile input as :mod:`app.dataconnect.sql`; checks that it is a query (SELECT,
with JOINs, subqueries, WITH and set operations) over our tables and their columns only;
replaces each table by the view the store gives of it (:meth:`Store.sql_tables`), restricted
by :mod:`app.dataconnect.access`; and writes it in the engine's dialect. Functions the Data
Connect specification lists that the engine lacks are added to its connection
(:data:`TRINO_FUNCTIONS`). Pure functions, apart from :class:`NativeBackend`, which runs them.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from app.dataconnect.access import CATALOG_COUNTS, RowAccess, visible_rows
from app.dataconnect.sql import (
    SearchQueryError,
    UnknownColumnError,
    UnknownTableError,
    UnsupportedQueryError,
    bound_statement,
    like_pattern_checked,
)
from app.dataconnect.tables import (
    BIOSAMPLES_TABLE,
    DATASETS_TABLE,
    INDIVIDUALS_TABLE,
    NETWORK_DATASETS_TABLE,
    POPULATION_FREQUENCIES_TABLE,
    PRIVACY_LAWS_TABLE,
    VARIANTS_TABLE,
    Table,
    TableSet,
)
from app.store.errors import QueryBudgetError, QueryRefusedError
from app.store.sqlite_tables import SqlTables
from schemas.dataconnect import JSON_SCHEMA_DRAFT

# the store's view of each table kept in the engine; the others are rows each process rebuilds
STORE_VIEWS = {
    DATASETS_TABLE.name: "datasets",
    INDIVIDUALS_TABLE.name: "individuals",
    BIOSAMPLES_TABLE.name: "biosamples",
    VARIANTS_TABLE.name: "variants",
    POPULATION_FREQUENCIES_TABLE.name: "population_frequencies",
}
# columns of the rebuilt tables gathering a field of each object of a list: (list, field)
GATHERED: dict[str, dict[str, tuple[str, str]]] = {
    PRIVACY_LAWS_TABLE.name: {
        "source_titles": ("sources", "title"),
        "source_urls": ("sources", "url"),
    },
    NETWORK_DATASETS_TABLE.name: {},
}
_PARAMETER = "search_parameter_"
_STATEMENTS = (exp.Query,)
_REFUSED_NODES = {
    exp.Unnest: "UNNEST",
    exp.Lateral: "LATERAL",
    exp.Into: "SELECT INTO",
    exp.Pivot: "PIVOT",
    exp.TableSample: "TABLESAMPLE",
}
_AGGREGATE_TYPES = {exp.Count: "integer", exp.Avg: "number"}


class OverBudgetError(SearchQueryError):
    """The query ran past its time budget, or a page past the answer's row budget."""


@dataclass(frozen=True)
class NativeQuery:
    """A checked query in the engine's dialect: its text and its named parameters (the
    views' with the client's), and the JSON Schema of its result rows."""

    text: str
    parameters: dict[str, Any]
    model: dict[str, Any]


@dataclass(frozen=True)
class _Reference:
    table: Table
    alias: str
    token: str


def native_query(
    sql: str,
    parameters: Sequence[Any],
    tables: TableSet,
    view: Callable[[Table, str], tuple[str, dict[str, Any]]],
) -> NativeQuery:
    """``sql`` checked against ``tables`` and rewritten for the engine; ``view(table,
    prefix)`` gives a table's subquery, its parameter names starting with ``prefix``."""
    try:
        statement = bound_statement(sql, parameters)
        return _rewritten(statement, parameters, tables, view)
    except RecursionError:
        raise SearchQueryError("the query is nested too deeply") from None


def _rewritten(
    statement: exp.Expression,
    parameters: Sequence[Any],
    tables: TableSet,
    view: Callable[[Table, str], tuple[str, dict[str, Any]]],
) -> NativeQuery:
    if not isinstance(statement, _STATEMENTS):
        raise UnsupportedQueryError("only SELECT statements are allowed")
    for node in statement.walk():
        name = _REFUSED_NODES.get(type(node))
        if name is not None:
            raise UnsupportedQueryError(f"{name} is not supported")
        if isinstance(node, exp.Like | exp.ILike):
            like_pattern_checked(node, parameters)
    references = _references(statement, tables)
    if not references:
        raise UnsupportedQueryError("FROM must name a table of this server")
    _check_columns(statement, references)
    model = _result_model(statement, references)
    _name_outputs(statement)
    for reference in references:
        _point_to(reference, statement)
    text = _engine_functions(statement).sql(dialect="sqlite")
    bound = {f"{_PARAMETER}{n}": value for n, value in enumerate(parameters, start=1)}
    for number, reference in enumerate(references):
        subquery, values = view(reference.table, f"v{number}_")
        text = text.replace(reference.token, subquery)
        bound |= values
    return NativeQuery(text, bound, model)


# -- tables ------------------------------------------------------------------------------------


def _references(statement: exp.Expression, tables: TableSet) -> list[_Reference]:
    """Each table the query reads, with its alias; refuses any table but ours (or a WITH
    name)."""
    named = {cte.alias_or_name.casefold() for cte in statement.find_all(exp.CTE)}
    found = []
    for table in statement.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise UnsupportedQueryError("FROM must name tables")
        parts = [part.name for part in table.parts]
        if len(parts) == 1 and parts[0].casefold() in named:
            continue
        name = ".".join(parts)
        known = tables.by_name.get(name.lower())
        if known is None:
            raise UnknownTableError(f"no table {name!r}; tables: {', '.join(tables.by_name)}")
        alias = table.alias or parts[-1]
        found.append(_Reference(known, alias, f"dc_{uuid.uuid4().hex}"))
        table.set("alias", None)
        table.set("_reference", len(found) - 1)
    return found


def _point_to(reference: _Reference, statement: exp.Expression) -> None:
    """Replace the table by the token its view will take the place of."""
    for table in list(statement.find_all(exp.Table)):
        if table.args.get("_reference") is not None and _same(table, reference):
            table.replace(
                exp.Table(
                    this=exp.to_identifier(reference.token),
                    alias=exp.TableAlias(this=exp.to_identifier(reference.alias)),
                )
            )
            return


def _same(table: exp.Table, reference: _Reference) -> bool:
    return ".".join(part.name for part in table.parts).lower() == reference.table.name.lower()


def _qualifier(column: exp.Column) -> tuple[str, ...]:
    return tuple(part.name.casefold() for part in column.parts[:-1])


def _owner(column: exp.Column, references: list[_Reference]) -> _Reference | None:
    """The table a qualified column names (by alias, last name part or whole name)."""
    qualifier = _qualifier(column)
    for reference in references:
        whole = tuple(part.casefold() for part in reference.table.name.split("."))
        if qualifier == (reference.alias.casefold(),) or whole[-len(qualifier) :] == qualifier:
            return reference
    return None


def _check_columns(statement: exp.Expression, references: list[_Reference]) -> None:
    """Every column a query names is one of its tables' (or an output or WITH name)."""
    outputs = {alias.alias.casefold() for alias in statement.find_all(exp.Alias)}
    outputs |= {
        column.name.casefold()
        for alias in statement.find_all(exp.TableAlias)
        for column in alias.columns
    }
    derived = {alias.alias_or_name.casefold() for alias in statement.find_all(exp.CTE)}
    derived |= {sub.alias.casefold() for sub in statement.find_all(exp.Subquery) if sub.alias}
    everything = {c.name.casefold(): c.name for r in references for c in _columns(r.table)}
    for column in statement.find_all(exp.Column):
        if isinstance(column.this, exp.Star):
            qualifier = _qualifier(column)
            if qualifier and _owner(column, references) is None and qualifier[-1] not in derived:
                raise _not_a_table(column, references)
            continue
        name = column.name
        qualifier = _qualifier(column)
        if qualifier:
            owner = _owner(column, references)
            if owner is None:
                if qualifier[-1] in derived:
                    continue
                raise _not_a_table(column, references)
            _column_of(owner.table, name)
        elif name.casefold() not in everything and name.casefold() not in outputs:
            if derived:  # a WITH or subquery output: the engine knows its columns
                continue
            close = difflib.get_close_matches(name, list(everything.values()), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UnknownColumnError(f"column {name!r} does not exist{hint}")


def _column_of(table: Table, name: str) -> Any:
    for column in _columns(table):
        if column.name.casefold() == name.casefold():
            return column
    names = [column.name for column in _columns(table)]
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise UnknownColumnError(f"column {name!r} does not exist in {table.name}{hint}")


def _not_a_table(column: exp.Column, references: list[_Reference]) -> UnknownColumnError:
    written = ".".join(part.name for part in column.parts[:-1])
    if len(references) == 1:
        return UnknownColumnError(
            f"{written!r} is not the table of this query ({references[0].table.name})"
        )
    return UnknownColumnError(f"{written!r} is not a table of this query")


# by the table object (kept, so that its id is never another's)
_DESCRIBED: dict[int, tuple[Table, tuple[Any, ...], dict[str, Any]]] = {}


def _described(table: Table) -> tuple[Table, tuple[Any, ...], dict[str, Any]]:
    """A table's columns and data model, built once (each builds its row schema)."""
    if id(table) not in _DESCRIBED:
        _DESCRIBED[id(table)] = (table, table.columns, table.data_model)
    return _DESCRIBED[id(table)]


def _columns(table: Table) -> tuple[Any, ...]:
    return _described(table)[1]


def _model(table: Table) -> dict[str, Any]:
    return _described(table)[2]


# -- results -----------------------------------------------------------------------------------


def _first_select(statement: exp.Expression) -> exp.Select:
    while isinstance(statement, exp.SetOperation):
        statement = statement.this
    if isinstance(statement, exp.Subquery):
        return _first_select(statement.this)
    assert isinstance(statement, exp.Select)
    return statement


def _name_outputs(statement: exp.Expression) -> None:
    """Unnamed computed outputs are ``_col<n>`` (0-based position), as Trino names them."""
    select = _first_select(statement)
    for position, node in enumerate(list(select.expressions)):
        if not isinstance(node, exp.Alias | exp.Column | exp.Star):
            node.replace(exp.alias_(node.copy(), f"_col{position}"))


def _result_model(statement: exp.Expression, references: list[_Reference]) -> dict[str, Any]:
    """The JSON Schema of a result row: a table column keeps its schema whatever its alias,
    counts are integers, averages numbers, SUM/MIN/MAX of a column the column's type; any
    other expression is described without a type."""
    select = _first_select(statement)
    properties: dict[str, Any] = {}
    names: list[str] = []
    for position, node in enumerate(select.expressions):
        if isinstance(node, exp.Star) or (
            isinstance(node, exp.Column) and isinstance(node.this, exp.Star)
        ):
            chosen = references if isinstance(node, exp.Star) else [_owner(node, references)]
            for reference in chosen:
                if reference is not None:
                    properties |= _model(reference.table)["properties"]
                    names += [column.name for column in _columns(reference.table)]
            continue
        name = node.alias if isinstance(node, exp.Alias) else None
        inner = node.this if isinstance(node, exp.Alias) else node
        names.append(name or _output_name(inner, position))
        properties[names[-1]] = _schema_of(inner, references)
    folded = [name.casefold() for name in names]
    for name in names:
        if folded.count(name.casefold()) > 1:
            raise SearchQueryError(
                f"the result would have two columns named {name!r}; give one an alias"
            )
    return {
        "$schema": JSON_SCHEMA_DRAFT,
        "description": "Result of a query over "
        + ", ".join(sorted({r.table.name for r in references})),
        "type": "object",
        "properties": properties,
    }


def _output_name(node: exp.Expression, position: int) -> str:
    return node.name if isinstance(node, exp.Column) else f"_col{position}"


def _schema_of(node: exp.Expression, references: list[_Reference]) -> dict[str, Any]:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Column):
        column = _source_column(node, references)
        if column is not None:
            return column
    described = f"{node.sql(dialect='trino')}, computed by the query"
    for kind, type_name in _AGGREGATE_TYPES.items():
        if isinstance(node, kind):
            if type_name == "integer":
                return {"type": "integer", "description": f"{described}."}
            return {"type": [type_name, "null"], "description": f"{described}; null: no value."}
    if isinstance(node, exp.Sum | exp.Min | exp.Max) and isinstance(node.this, exp.Column):
        column = _source_column(node.this, references)
        if column is not None and column.get("type") not in ("array", ["array", "null"]):
            source = column["type"]
            kind = source[0] if isinstance(source, list) else source
            return {"type": [kind, "null"], "description": f"{described}; null: no value."}
    return {"description": f"{described}."}


def _source_column(node: exp.Column, references: list[_Reference]) -> dict[str, Any] | None:
    owners = [_owner(node, references)] if _qualifier(node) else references
    found = [
        _model(reference.table)["properties"][column.name]
        for reference in owners
        if reference is not None
        for column in _columns(reference.table)
        if column.name.casefold() == node.name.casefold()
    ]
    return found[0] if len(found) == 1 else None


def typed_rows(
    model: Mapping[str, Any], names: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> list[dict[str, Any]]:
    """Rows as the data model types them: the engine's 0/1 as booleans, its JSON text of an
    array column as the array."""
    if len(set(names)) < len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise SearchQueryError(
            f"the result would have two columns named {twice!r}; give one an alias"
        )
    kinds = [_kind(model["properties"].get(name, {})) for name in names]
    return [
        {name: _typed(kind, value) for name, kind, value in zip(names, kinds, row, strict=True)}
        for row in rows
    ]


def _kind(schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("type")
    return kind[0] if isinstance(kind, list) else kind


def _typed(kind: str | None, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bytes):
        raise SearchQueryError("the query returns binary values, which a JSON answer cannot hold")
    if kind == "boolean":
        return bool(value)
    if kind == "array" and isinstance(value, str):
        return json.loads(value)
    if kind == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# -- functions the specification lists that SQLite lacks -----------------------------------


_RENAMED = {
    exp.RegexpLike: "regexp_like",
    exp.ArrayContains: "array_contains",
    exp.ArraySize: "cardinality",
}


def _engine_functions(statement: exp.Expression) -> exp.Expression:
    """Trino functions the engine has under another name, or only as one of ours."""

    def renamed(node: exp.Expression) -> exp.Expression:
        name = _RENAMED.get(type(node))
        if name is None:
            return node
        arguments = [node.this, node.expression]
        return exp.Anonymous(this=name, expressions=[a for a in arguments if a is not None])

    return statement.transform(renamed)


def _regexp_like(text: Any, pattern: Any) -> int | None:
    if text is None or pattern is None:
        return None
    return int(re.search(str(pattern), str(text)) is not None)


def _array_contains(array: Any, value: Any) -> int | None:
    if array is None or value is None:
        return None
    values = json.loads(array) if isinstance(array, str) else []
    return int(value in values)


def _cardinality(array: Any) -> int | None:
    return None if array is None else len(json.loads(array))


def _starts_with(text: Any, prefix: Any) -> int | None:
    return None if text is None or prefix is None else int(str(text).startswith(str(prefix)))


def _reverse(text: Any) -> str | None:
    return None if text is None else str(text)[::-1]


def _padded(left: bool) -> Callable[[Any, Any, Any], str | None]:
    def pad(text: Any, size: Any, filler: Any) -> str | None:
        if text is None or size is None or filler is None or not str(filler):
            return None
        text, size = str(text), int(size)
        if len(text) >= size:
            return text[:size]
        fill = (str(filler) * size)[: size - len(text)]
        return fill + text if left else text + fill

    return pad


def _codepoint(text: Any) -> int | None:
    return None if text is None or len(str(text)) != 1 else ord(str(text))


class _Spread:
    """Variance and standard deviation (Welford), of a sample or of the population."""

    sample = True
    root = False

    def __init__(self) -> None:
        self.count, self.mean, self.squares = 0, 0.0, 0.0

    def step(self, value: Any) -> None:
        if value is None:
            return
        self.count += 1
        delta = float(value) - self.mean
        self.mean += delta / self.count
        self.squares += delta * (float(value) - self.mean)

    def finalize(self) -> float | None:
        divisor = self.count - 1 if self.sample else self.count
        if divisor <= 0:
            return None
        variance = self.squares / divisor
        return math.sqrt(variance) if self.root else variance


def _spread(sample: bool, root: bool) -> type[_Spread]:
    return type("Spread", (_Spread,), {"sample": sample, "root": root})


TRINO_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "regexp_like": _regexp_like,
    "array_contains": _array_contains,
    "cardinality": _cardinality,
    "starts_with": _starts_with,
    "reverse": _reverse,
    "lpad": _padded(True),
    "rpad": _padded(False),
    "codepoint": _codepoint,
}
TRINO_AGGREGATES: dict[str, type] = {
    "stddev": _spread(sample=True, root=True),
    "stddev_samp": _spread(sample=True, root=True),
    "stddev_pop": _spread(sample=False, root=True),
    "variance": _spread(sample=True, root=False),
    "var_samp": _spread(sample=True, root=False),
    "var_pop": _spread(sample=False, root=False),
}


# -- the backend -----------------------------------------------------------------------------


class NativeBackend:
    """Data Connect over the store's SQL views, for one caller's reach."""

    def __init__(
        self, sql_tables: SqlTables, access: RowAccess, seconds: float, max_rows: int
    ) -> None:
        self._sql = sql_tables
        self._access = access
        self._seconds = seconds
        self._max_rows = max_rows

    def view(self, table: Table, prefix: str) -> tuple[str, dict[str, Any]]:
        """The table's rows this caller may see, as a subquery."""
        if table.name not in STORE_VIEWS:
            gathered = GATHERED.get(table.name, {})
            names = [column.name for column in _columns(table)]
            ordered = {name: table.sources.get(name, name) for name in names}
            return self._sql.rows_view(table.collection, ordered, gathered, prefix)
        visible = visible_rows(table.dataset_field, table.catalog, table.variant_rows, self._access)
        text, parameters = self._sql.view(STORE_VIEWS[table.name], visible, prefix)
        if table.catalog:
            return _catalog_columns(table, text, parameters, self._access, prefix)
        columns = ", ".join(f'"{column.name}"' for column in _columns(table))  # the model's order
        return f"(SELECT {columns} FROM {text} AS stored_rows)", parameters

    def search(
        self, tables: TableSet, sql: str, parameters: Sequence[Any], offset: int, size: int
    ) -> tuple[dict[str, Any], list[dict[str, Any]], bool]:
        """The result's data model, up to ``size`` rows after ``offset``, whether more follow."""
        query = native_query(sql, parameters, tables, self.view)
        names, rows = self._run(query, offset, size)
        typed = typed_rows(query.model, names, rows)
        return query.model, typed[:size], len(typed) > size

    def page(
        self, table: Table, stages: Sequence[dict[str, Any]], offset: int, size: int
    ) -> tuple[list[dict[str, Any]], bool]:
        """A table's rows in a stable order (its data pages)."""
        if stages:
            raise ValueError("the native backend answers SQL, not pipeline stages")
        text, parameters = self.view(table, "v0_")
        query = NativeQuery(f"SELECT * FROM {text} AS rows", parameters, _model(table))
        names, rows = self._run(query, offset, size)
        typed = typed_rows(_model(table), names, rows)
        return typed[:size], len(typed) > size

    def _run(self, query: NativeQuery, offset: int, size: int) -> tuple[list[str], list[tuple]]:
        try:
            return self._sql.run(
                query.text,
                query.parameters,
                offset,
                size + 1,  # one more tells whether a next page exists
                self._seconds,
                self._max_rows + 1,  # the one more row is not part of the page
                TRINO_FUNCTIONS,
                TRINO_AGGREGATES,
            )
        except QueryBudgetError as error:
            raise OverBudgetError(str(error)) from None
        except QueryRefusedError as error:
            raise SearchQueryError(f"the query cannot run: {error}") from None


def _catalog_columns(
    table: Table, view: str, parameters: dict[str, Any], access: RowAccess, prefix: str
) -> tuple[str, dict[str, Any]]:
    """The catalog's access level column, and its counts banded where the level protects
    them (what :func:`app.dataconnect.access.catalog_stages` does on pipelines)."""
    bound = dict(parameters)

    def value(name: str, given: Any) -> str:
        key = f"{prefix}catalog_{name}"
        bound[key] = given
        return f":{key}"

    levels = [
        f"WHEN {value(f'id{n}', ident)} THEN {value(f'level{n}', level)}"
        for n, (ident, level) in enumerate(access.levels.items())
    ]
    level = f"CASE id {' '.join(levels)} END" if levels else "NULL"
    banded = ", ".join(value(f"banded{n}", ident) for n, ident in enumerate(access.banded))
    columns = []
    for column in _columns(table):
        name = column.name
        if name == "access_level":
            columns.append(f"{level} AS access_level")
        elif access.threshold > 0 and banded and name in CATALOG_COUNTS:
            threshold = value("threshold", access.threshold)
            columns.append(
                f"CASE WHEN id IN ({banded}) AND {name} > 0 AND {name} < {threshold} "
                f"THEN {threshold} ELSE {name} END AS {name}"
            )
        else:
            columns.append(f'"{name}"')
    return f"(SELECT {', '.join(columns)} FROM {view} AS catalog_rows)", bound
