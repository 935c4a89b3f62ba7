"""What each Data Connect endpoint answers: table listings, table pages and SQL search pages,
over the application's own set of tables (a node's, or a hub's)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from app.dataconnect.backend import QueryBackend
from app.dataconnect.native import NativeBackend, OverBudgetError
from app.dataconnect.paging import BadPageTokenError, PageToken, decode_page_token
from app.dataconnect.sql import SearchQueryError, parse_search
from app.dataconnect.sql_pipeline import Aggregate, Selected
from app.dataconnect.tables import Table, TableSet
from schemas.dataconnect import JSON_SCHEMA_DRAFT


@dataclass(frozen=True)
class DataConnectError(Exception):
    """A client error, answered with the specification's ``errors`` body."""

    status: int
    title: str
    detail: str


def list_tables(tables: TableSet) -> dict[str, Any]:
    return {"tables": [table_info(tables, table.name) for table in tables.tables]}


def table_info(tables: TableSet, name: str) -> dict[str, Any]:
    table = _table(tables, name)
    return {"name": table.name, "description": table.description, "data_model": table.data_model}


def table_data(
    tables: TableSet,
    backend: QueryBackend,
    name: str,
    token: str | None,
    size: int,
    next_url: str,
) -> dict[str, Any]:
    """One page of a table's rows, in a stable order."""
    offset = 0
    if token is not None:
        page = _decode(token)
        if page.table != name:
            raise DataConnectError(400, "Bad page token", "the token belongs to another table")
        offset = page.offset
    table = _table(tables, name)
    with _refusals():
        rows, more = backend.page(table, [], offset, size)
    following = PageToken(offset + size, table=name) if more else None
    return _page(table.data_model, _complete(rows, table_columns(table)), following, next_url)


def search(
    tables: TableSet,
    backend: QueryBackend,
    query: str | None,
    parameters: Sequence[Any],
    token: str | None,
    size: int,
    next_url: str,
) -> dict[str, Any]:
    """One page of a SQL query's result: the first (``query``) or a later one (``token``)."""
    offset = 0
    if token is not None:
        page = _decode(token)
        if page.query is None:
            raise DataConnectError(400, "Bad page token", "the token belongs to no search")
        query, parameters, offset = page.query, page.parameters, page.offset
    if query is None:
        raise DataConnectError(400, "Bad request", "a search needs a query")
    following_page = PageToken(offset + size, query=query, parameters=tuple(parameters))
    if isinstance(backend, NativeBackend):
        with _refusals():
            model, rows, more = backend.search(tables, query, parameters, offset, size)
        return _page(model, rows, following_page if more else None, next_url)
    try:
        parsed = parse_search(query, parameters)
        table = tables.by_name.get(parsed.table.lower())  # unquoted SQL names ignore case
        if table is None:
            known = ", ".join(tables.by_name)
            raise SearchQueryError(f"no table {parsed.table!r}; tables: {known}")
        # rows enter in _id order, ORDER BY ends on the table's unique row key and grouped
        # results on their keys, so every page of the same query is cut from one sequence
        stages = parsed.pipeline(table.columns, table.row_key)
        outputs = parsed.outputs(table.columns)
    except SearchQueryError as error:
        raise DataConnectError(400, "Invalid query", str(error)) from None
    rows, more = backend.page(table, stages, offset, size)
    following = (
        PageToken(offset + size, query=query, parameters=tuple(parameters)) if more else None
    )
    names = [item.name for item in outputs]
    return _page(_result_model(table, outputs), _complete(rows, names), following, next_url)


@contextmanager
def _refusals() -> Iterator[None]:
    """A query the engine refused, or stopped at its budget, as the client's error."""
    try:
        yield
    except OverBudgetError as error:
        raise DataConnectError(400, "Query over budget", str(error)) from None
    except SearchQueryError as error:
        raise DataConnectError(400, "Invalid query", str(error)) from None


def table_columns(table: Table) -> tuple[str, ...]:
    return tuple(column.name for column in table.columns)


def _result_model(table: Table, outputs: Sequence[Selected]) -> dict[str, Any]:
    """The result's JSON Schema: a selected column keeps its table column's schema whatever
    its alias; an aggregate gets the type SQL gives it."""
    columns = table.data_model["properties"]
    properties: dict[str, Any] = {}
    for item in outputs:
        if isinstance(item.source, Aggregate):
            properties[item.name] = _aggregate_schema(item.source, columns)
        else:
            properties[item.name] = columns[str(item.source)]
    return {
        "$schema": JSON_SCHEMA_DRAFT,
        "description": f"Result of a query over {table.name}.",
        "type": "object",
        "properties": properties,
    }


def _aggregate_schema(aggregate: Aggregate, columns: dict[str, Any]) -> dict[str, Any]:
    argument = "*" if aggregate.column is None else aggregate.column
    if aggregate.distinct:
        argument = f"DISTINCT {argument}"
    described = f"{aggregate.function.upper()}({argument}), computed by the query"
    if aggregate.function == "count":
        return {"type": "integer", "description": f"{described}."}
    if aggregate.function == "avg":
        kind: Any = "number"
    else:  # SUM, MIN and MAX keep the column's type
        source = columns[str(aggregate.column)]["type"]
        kind = source[0] if isinstance(source, list) else source
    # NULL when no row (or only NULLs) reached the aggregate
    return {"type": [kind, "null"], "description": f"{described}; null when no value reached it."}


def _complete(rows: list[dict[str, Any]], names: Sequence[str]) -> list[dict[str, Any]]:
    """Every column in every row, in order; absent values are null."""
    return [{name: row.get(name) for name in names} for row in rows]


def _page(
    model: dict[str, Any], rows: list[dict[str, Any]], following: PageToken | None, url: str
) -> dict[str, Any]:
    body: dict[str, Any] = {"data_model": model, "data": rows}
    if following is not None:
        body["pagination"] = {"next_page_url": f"{url}?page_token={following.encode()}"}
    return body


def _table(tables: TableSet, name: str) -> Table:
    table = tables.by_name.get(name)
    if table is None:
        known = ", ".join(tables.by_name)
        raise DataConnectError(404, "Table not found", f"no table {name!r}; tables: {known}")
    return table


def _decode(token: str) -> PageToken:
    try:
        return decode_page_token(token)
    except BadPageTokenError as error:
        raise DataConnectError(400, "Bad page token", str(error)) from None
