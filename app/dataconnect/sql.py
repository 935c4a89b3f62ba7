"""Data Connect ``POST /search``: a SQL query (Trino dialect) -> MongoDB aggregation stages.

:func:`parse_search` reads the SQL with sqlglot, binds the ``?`` parameters and refuses what the
SQL alone shows to be outside the subset; :meth:`SearchQuery.pipeline` checks the rest against
the table's columns (names, types, grouping) and translates, through
:mod:`app.dataconnect.sql_pipeline`. Every refusal is a :class:`SearchQueryError` whose message
is meant for the client.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError, TokenError
from sqlglot.tokens import TokenType

from app.dataconnect.sql_pipeline import (
    Aggregate,
    Comparison,
    Condition,
    Conjunction,
    Constant,
    Containment,
    Disjunction,
    Membership,
    Negation,
    NullTest,
    OrderKey,
    Pattern,
    QueryPlan,
    Scalar,
    Selected,
    Star,
    Value,
    like_regex,
    pipeline_stages,
)
from app.query.wildcards import WildcardPatternError

DIALECT = "trino"
MAX_QUERY_LENGTH = 100_000
MAX_PARAMETERS = 1_000  # ? parameters of one query: each costs sqlglot a node to build and check
MAX_NESTING = 32  # of conditions; MongoDB refuses deeply nested documents
MAX_ORDER_KEYS = 16
INT64_RANGE = (-(2**63), 2**63 - 1)
TYPE_WORDS = {
    "string": "text",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "array": "array",
}
NUMERIC_TYPES = ("integer", "number")

_COMPARISONS = {exp.EQ: "=", exp.NEQ: "<>", exp.LT: "<", exp.LTE: "<=", exp.GT: ">", exp.GTE: ">="}
_MIRRORED = {"=": "=", "<>": "<>", "<": ">", ">": "<", "<=": ">=", ">=": "<="}
_AGGREGATES = {exp.Count: "count", exp.Sum: "sum", exp.Min: "min", exp.Max: "max", exp.Avg: "avg"}
_SELECT_PARTS = {"expressions", "distinct", "from_", "where", "group", "order", "limit", "offset"}
_CLAUSE_NAMES = {
    "with_": "WITH",
    "joins": "JOIN",
    "laterals": "LATERAL",
    "having": "HAVING",
    "qualify": "QUALIFY",
    "windows": "WINDOW",
    "sample": "TABLESAMPLE",
    "locks": "FOR UPDATE",
    "into": "SELECT INTO",
    "pivots": "PIVOT",
}
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.IntDiv, exp.Mod, exp.Neg, exp.DPipe)
_PARAMETER = "search_parameter_"
_NAMED_PARAMETER = re.compile(rf":{_PARAMETER}\d+")
_INTEGER = re.compile(r"^\d+$")
_TOKEN = re.compile(r"<Token token_type: [^,]*, text: (.*?), line: .*?>")
_UNCLOSED = re.compile(r"Missing (.+) from (\d+):(\d+)$")
_MISSING_PART = re.compile(r"Required keyword: '\w+' missing for <class '[\w.]*?(\w+)'>")


@dataclass(frozen=True)
class Column:
    """A table column: its name in the row documents and its JSON Schema type."""

    name: str
    type: str  # "string", "integer", "number", "boolean", "array"
    items: str | None = None  # an array's element type


class SearchQueryError(ValueError):
    """A query this server refuses; the message tells the client why."""


class UnsupportedQueryError(SearchQueryError):
    """Valid SQL outside the subset this server answers, or not a SELECT."""


class UnknownTableError(SearchQueryError):
    """FROM names no table (raised by the caller, which knows the tables)."""


class UnknownColumnError(SearchQueryError):
    """The query names a column the table does not have."""


class BadParameterError(SearchQueryError):
    """The ``?`` parameters do not match the query in number or type."""


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: the table it reads, its result column names and how to answer it.

    ``output`` keeps ``*`` as written, since only the table's columns can expand it;
    :meth:`output_names` gives the expanded names.
    """

    table: str
    output: tuple[str, ...]
    plan: QueryPlan = field(repr=False)

    def output_names(self, columns: Sequence[Column]) -> tuple[str, ...]:
        """The result column names, in order, with ``*`` expanded to ``columns``."""
        return tuple(item.name for item in self.outputs(columns))

    def outputs(self, columns: Sequence[Column]) -> tuple[Selected, ...]:
        """The result columns, in order, each with the table column or aggregate it holds."""
        return _checked_plan(self.plan, columns).selected

    def pipeline(
        self, columns: Sequence[Column], row_key: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        """Stages to append to a pipeline of flat row documents of a table with ``columns``.

        ``row_key`` names hidden row fields that are unique together; ORDER BY breaks ties on
        them. The result documents hold exactly :meth:`output_names` (no ``_id``). The query's
        own OFFSET and LIMIT are included; paging stages go after them.
        """
        try:
            plan = _checked_plan(self.plan, columns)
        except RecursionError:
            raise SearchQueryError("the query is nested too deeply") from None
        return pipeline_stages(plan, [column.name for column in columns], row_key)


def parse_search(sql: str, parameters: Sequence[Any] = ()) -> SearchQuery:
    """The query ``sql`` with its ``?`` placeholders bound, in order, to ``parameters``."""
    try:
        statement = _statement(sql, parameters)
        return _ParsedSelect(_select(statement), parameters).search_query()
    except RecursionError:
        raise SearchQueryError("the query is nested too deeply") from None


def bound_statement(sql: str, parameters: Sequence[Any] = ()) -> exp.Expression:
    """The one statement of ``sql``, after the refusals of hostile input :func:`parse_search`
    makes, its ``?`` placeholders named ``search_parameter_<n>`` (1-based) in order."""
    return _statement(sql, parameters)


def like_pattern_checked(node: exp.Like | exp.ILike, parameters: Sequence[Any]) -> None:
    """Refuse a LIKE pattern (a literal or a ``?``) the beacon's wildcard rules refuse."""
    pattern = node.expression
    value: Any = None
    if isinstance(pattern, exp.Literal) and pattern.is_string:
        value = pattern.this
    elif isinstance(pattern, exp.Placeholder) and pattern.name.startswith(_PARAMETER):
        value = parameters[int(pattern.name.removeprefix(_PARAMETER)) - 1]
    if not isinstance(value, str):
        return
    escape = node.parent.expression if isinstance(node.parent, exp.Escape) else None
    character = escape.this if isinstance(escape, exp.Literal) else None
    if "\x00" in value:
        raise SearchQueryError("a LIKE pattern cannot contain the NUL character")
    try:
        like_regex(value, character if isinstance(character, str) and len(character) == 1 else None)
    except WildcardPatternError as error:
        raise SearchQueryError(f"LIKE {_snippet(pattern)}: {error}") from None


# --- reading the SQL -----------------------------------------------------------------------


def _statement(sql: str, parameters: Sequence[Any]) -> exp.Expression:
    """The one statement of ``sql``, with ``?`` replaced by placeholders named by position."""
    if not isinstance(sql, str):
        raise SearchQueryError("the query must be a string")
    if len(sql) > MAX_QUERY_LENGTH:
        raise SearchQueryError(f"the query is longer than {MAX_QUERY_LENGTH} characters")
    if not isinstance(parameters, list | tuple):
        raise BadParameterError("parameters must be a list")
    if len(parameters) > MAX_PARAMETERS:
        raise BadParameterError(f"at most {MAX_PARAMETERS} parameters, not {len(parameters)}")
    if not _is_unicode(sql):
        raise SearchQueryError("the query is not valid Unicode text")
    statements = _parsed(sql)
    if not statements:
        raise SearchQueryError("the query is empty")
    if len(statements) > 1:
        raise UnsupportedQueryError("only one statement is allowed")
    if any(node.this for node in statements[0].find_all(exp.Placeholder)):
        raise UnsupportedQueryError("named parameters are not supported; use ? placeholders")
    positions = [token.start for token in _tokens(sql) if token.token_type == TokenType.PLACEHOLDER]
    if len(positions) != len(parameters):
        raise BadParameterError(
            f"the query has {len(positions)} ? placeholder(s) "
            f"but {len(parameters)} parameter(s) were given"
        )
    for number, value in enumerate(parameters, start=1):
        _check_parameter(number, value)
    if not positions:
        return statements[0]
    named = sql
    for number, start in reversed(list(enumerate(positions, start=1))):
        named = f"{named[:start]}:{_PARAMETER}{number}{named[start + 1 :]}"
    return _parsed(named)[0]


def _parsed(sql: str) -> list[exp.Expression]:
    """The statements of ``sql``, each a copy of its own (the same text is parsed once)."""
    return [statement.copy() for statement in _parsed_once(sql)]


@functools.lru_cache(maxsize=256)
def _parsed_once(sql: str) -> tuple[exp.Expression, ...]:
    try:
        return tuple(statement for statement in sqlglot.parse(sql, read=DIALECT) if statement)
    except ParseError as error:
        raise SearchQueryError(_syntax_message(error)) from None
    except TokenError as error:
        raise SearchQueryError(_token_error_message(sql, error)) from None
    except SqlglotError as error:
        raise SearchQueryError(f"syntax error: {error}") from None


def _tokens(sql: str) -> list[Any]:
    try:
        return sqlglot.Dialect.get_or_raise(DIALECT).tokenize(sql)
    except TokenError as error:
        raise SearchQueryError(_token_error_message(sql, error)) from None


def _syntax_message(error: ParseError) -> str:
    if not error.errors:
        return f"syntax error: {error}"
    first = error.errors[0]
    description = _TOKEN.sub(r"'\1'", str(first.get("description", "")))
    description = description.replace("'SENTINEL'", "the end of the query")
    description = _MISSING_PART.sub(lambda match: f"incomplete {match[1].upper()}", description)
    return f"syntax error at line {first.get('line')}, column {first.get('col')}: {description}"


def _token_error_message(sql: str, error: TokenError) -> str:
    unclosed = _UNCLOSED.match(str(error.__cause__))
    if unclosed:  # sqlglot gives the line and the offset in the whole text
        delimiter, offset = unclosed[1], int(unclosed[3])
        line = sql.count("\n", 0, offset) + 1
        column = offset - sql.rfind("\n", 0, offset)
        return f"syntax error at line {line}, column {column}: {delimiter} is never closed"
    return f"syntax error: {error}"


def _is_unicode(text: str) -> bool:
    """Whether ``text`` can be stored (BSON strings are UTF-8: no lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_parameter(number: int, value: Any) -> None:
    if isinstance(value, str) and not _is_unicode(value):
        raise BadParameterError(f"parameter {number} is not valid Unicode text")
    if value is None or isinstance(value, str | bool):
        return
    if isinstance(value, int):
        if not INT64_RANGE[0] <= value <= INT64_RANGE[1]:
            raise BadParameterError(f"parameter {number} is out of the 64-bit integer range")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BadParameterError(f"parameter {number} is not a finite number")
        return
    raise BadParameterError(
        f"parameter {number} must be a string, number, boolean or null, not {type(value).__name__}"
    )


def _select(statement: exp.Expression) -> exp.Select:
    """``statement`` if it is a single-table SELECT without subqueries, joins or windows."""
    if isinstance(statement, exp.SetOperation):
        raise UnsupportedQueryError(f"{statement.key.upper()} is not supported")
    if not isinstance(statement, exp.Select):
        raise UnsupportedQueryError("only SELECT statements are allowed")
    if statement.args.get("with_"):
        raise UnsupportedQueryError("WITH is not supported")
    nested = [node for node in statement.walk() if node is not statement]
    if any(isinstance(node, exp.Join) for node in nested):
        raise UnsupportedQueryError("JOIN is not supported")
    if any(isinstance(node, exp.Subquery | exp.Query) for node in nested):
        raise UnsupportedQueryError("subqueries are not supported")
    if any(isinstance(node, exp.Window) for node in nested):
        raise UnsupportedQueryError("window functions are not supported")
    for key, part in statement.args.items():
        if part and key not in _SELECT_PARTS:
            name = _CLAUSE_NAMES.get(key, key.strip("_").upper())
            raise UnsupportedQueryError(f"{name} is not supported")
    return statement


class _ParsedSelect:
    """Reads one checked SELECT into a :class:`QueryPlan`."""

    def __init__(self, select: exp.Select, parameters: Sequence[Any]) -> None:
        self.select = select
        self.parameters = parameters
        self.table, self.qualifiers = self._table()

    def search_query(self) -> SearchQuery:
        select = self.select
        selected = tuple(self._selected(i, node) for i, node in enumerate(select.expressions))
        distinct = select.args.get("distinct")
        if distinct and distinct.args.get("on"):
            raise UnsupportedQueryError("DISTINCT ON is not supported")
        where = select.args.get("where")
        offset = select.args.get("offset")
        plan = QueryPlan(
            selected=selected,
            where=self._condition(where.this, 0) if where else None,
            group_by=self._group_by(select.args.get("group")),
            distinct=bool(distinct),
            order_by=self._order_by(select.args.get("order")),
            offset=self._count(offset.expression, "OFFSET") if offset else 0,
            limit=self._limit(select.args.get("limit")),
        )
        return SearchQuery(self.table, tuple(item.name for item in selected), plan)

    def _table(self) -> tuple[str, set[tuple[str, ...]]]:
        source = self.select.args.get("from_")
        table = source.this if source else None
        if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
            raise UnsupportedQueryError("FROM must name one table")
        for key, part in table.args.items():
            if part and key not in ("this", "db", "catalog", "alias"):
                raise UnsupportedQueryError(f"{key.strip('_').upper()} on a table is not supported")
        alias = table.args.get("alias")
        if alias and alias.columns:
            raise UnsupportedQueryError("column aliases on a table are not supported")
        parts = tuple(part.name.casefold() for part in table.parts)
        qualifiers = {parts[i:] for i in range(len(parts))}
        if alias:
            qualifiers.add((alias.name.casefold(),))
        return ".".join(part.name for part in table.parts), qualifiers

    def _column(self, node: exp.Expression) -> str | None:
        """The name of the column ``node`` refers to, or None if it is no column."""
        while isinstance(node, exp.Paren):
            node = node.this
        if not isinstance(node, exp.Column) or not isinstance(node.this, exp.Identifier):
            return None
        self._check_qualifier(node)
        return node.name

    def _check_qualifier(self, node: exp.Column) -> None:
        qualifier = tuple(part.name.casefold() for part in node.parts[:-1])
        if qualifier and qualifier not in self.qualifiers:
            raise UnknownColumnError(
                f"{'.'.join(part.name for part in node.parts[:-1])!r} is not the table "
                f"of this query ({self.table})"
            )

    # SELECT list

    def _selected(self, position: int, node: exp.Expression) -> Selected:
        if isinstance(node, exp.Column) and isinstance(node.this, exp.Star):
            self._check_qualifier(node)
            node = node.this
        if isinstance(node, exp.Star):
            if any(node.args.values()):
                raise UnsupportedQueryError("* EXCEPT/REPLACE is not supported")
            return Selected("*", Star())
        alias = None
        if isinstance(node, exp.Alias):
            alias, node = node.alias, node.this
            _check_output_name(alias)
        column = self._column(node)
        if column is not None:
            return Selected(alias or column, column)
        aggregate = self._aggregate(node)
        if aggregate is None:
            raise _unsupported(node, "in the select list")
        return Selected(alias or f"_col{position}", aggregate)

    def _aggregate(self, node: exp.Expression) -> Aggregate | None:
        function = _AGGREGATES.get(type(node))
        if function is None:
            return None
        argument = node.this
        if node.expressions or argument is None:
            raise UnsupportedQueryError(f"{function}() takes exactly one argument")
        distinct = isinstance(argument, exp.Distinct)
        if distinct:
            if function != "count":
                raise UnsupportedQueryError(f"{function}(DISTINCT ...) is not supported")
            if len(argument.expressions) != 1:
                raise UnsupportedQueryError("count(DISTINCT ...) takes exactly one column")
            argument = argument.expressions[0]
        if isinstance(argument, exp.Star) and function == "count" and not distinct:
            return Aggregate("count")
        column = self._column(argument)
        if column is None:
            raise UnsupportedQueryError(f"{function}() is supported on a column only")
        return Aggregate(function, column, distinct)

    # WHERE

    def _condition(self, node: exp.Expression, depth: int) -> Condition:
        if depth > MAX_NESTING:
            raise SearchQueryError("the WHERE clause is nested too deeply")
        if isinstance(node, exp.Paren):
            return self._condition(node.this, depth + 1)
        if isinstance(node, exp.And | exp.Or):
            parts = tuple(self._condition(part, depth + 1) for part in _chain(node))
            return Conjunction(parts) if isinstance(node, exp.And) else Disjunction(parts)
        if isinstance(node, exp.Not):
            return Negation(self._condition(node.this, depth + 1))
        if type(node) in _COMPARISONS:
            return self._comparison(node)
        if isinstance(node, exp.In):
            return self._membership(node)
        if isinstance(node, exp.Between):
            return self._between(node)
        if isinstance(node, exp.Like | exp.Escape):
            return self._pattern(node)
        if isinstance(node, exp.Is):
            return self._null_test(node)
        if isinstance(node, exp.ArrayContains):
            return self._containment(node)
        column = self._column(node)
        if column is not None:  # a boolean column on its own
            return Comparison(column, "=", Value(True))
        if isinstance(node, exp.Boolean | exp.Null | exp.Placeholder):
            value = self._value(node)
            if not isinstance(value.value, bool | None):
                raise BadParameterError(f"parameter {value.parameter} is not a boolean")
            return Constant(value.value)
        raise _unsupported(node, "in WHERE")

    def _comparison(self, node: exp.Expression) -> Condition:
        operator = _COMPARISONS[type(node)]
        left, right = self._column(node.this), self._column(node.expression)
        if left is not None and right is not None:
            raise UnsupportedQueryError("comparing two columns is not supported")
        if left is not None:
            return Comparison(left, operator, self._value(node.expression))
        if right is not None:
            return Comparison(right, _MIRRORED[operator], self._value(node.this))
        self._value(node.this), self._value(node.expression)  # refuses what is no value
        raise UnsupportedQueryError(f"a comparison needs a column on one side: {_snippet(node)}")

    def _membership(self, node: exp.In) -> Condition:
        if any(node.args.get(key) for key in ("query", "unnest", "field")):
            raise _unsupported(node, "in WHERE")
        column = self._subject(node, "IN")
        return Membership(column, tuple(self._value(item) for item in node.expressions))

    def _between(self, node: exp.Between) -> Condition:
        if node.args.get("symmetric"):
            raise UnsupportedQueryError("BETWEEN SYMMETRIC is not supported")
        column = self._subject(node, "BETWEEN")
        low, high = self._value(node.args["low"]), self._value(node.args["high"])
        return Conjunction((Comparison(column, ">=", low), Comparison(column, "<=", high)))

    def _pattern(self, node: exp.Expression) -> Condition:
        escape = None
        if isinstance(node, exp.Escape):
            escape = self._value(node.expression)
            node = node.this
            if not isinstance(node, exp.Like):
                raise _unsupported(node, "in WHERE")
        column = self._subject(node, "LIKE")
        pattern = self._value(node.expression)
        escape_character = _escape_character(escape) if escape else None
        if isinstance(pattern.value, str) and "\x00" in pattern.value:
            raise SearchQueryError("a LIKE pattern cannot contain the NUL character")
        if isinstance(pattern.value, str) and escape_character is not None:
            _check_escapes(pattern.value, escape_character)
        if pattern.value is not None:
            try:  # translated here to refuse what cannot run; the pipeline translates again
                like_regex(str(pattern.value), escape_character)
            except WildcardPatternError as error:
                raise SearchQueryError(f"LIKE {_snippet(node.expression)}: {error}") from None
        condition = Pattern(column, pattern, escape_character)
        return Negation(condition) if node.args.get("negate") else condition

    def _null_test(self, node: exp.Is) -> Condition:
        if not isinstance(node.expression, exp.Null):
            raise UnsupportedQueryError(
                f"only IS NULL and IS NOT NULL are supported: {_snippet(node)}"
            )
        return NullTest(self._subject(node, "IS NULL"))

    def _containment(self, node: exp.ArrayContains) -> Condition:
        return Containment(self._subject(node, "contains()"), self._value(node.expression))

    def _subject(self, node: exp.Expression, construct: str) -> str:
        column = self._column(node.this)
        if column is None:
            raise UnsupportedQueryError(f"{construct} is supported on a column only")
        return column

    def _value(self, node: exp.Expression) -> Value:
        """A literal, or the parameter bound to a placeholder."""
        while isinstance(node, exp.Paren):
            node = node.this
        if isinstance(node, exp.Placeholder):
            number = int(str(node.this).removeprefix(_PARAMETER))
            return Value(self.parameters[number - 1], number)
        if isinstance(node, exp.Null):
            return Value(None)
        if isinstance(node, exp.Boolean):
            return Value(bool(node.this))
        if isinstance(node, exp.Literal):
            return Value(node.this if node.is_string else _number(node.this))
        if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and node.this.is_number:
            return Value(_number("-" + node.this.this))
        if self._column(node) is not None:
            raise UnsupportedQueryError("comparing two columns is not supported")
        raise _unsupported(node, "as a value")

    # GROUP BY, ORDER BY, LIMIT

    def _group_by(self, group: exp.Group | None) -> tuple[str | int, ...]:
        if group is None:
            return ()
        if any(group.args.get(key) for key in ("grouping_sets", "cube", "rollup", "totals")):
            raise UnsupportedQueryError("GROUPING SETS, CUBE and ROLLUP are not supported")
        if group.args.get("all"):
            raise UnsupportedQueryError("GROUP BY ALL is not supported")
        return tuple(self._group_key(node) for node in group.expressions)

    def _group_key(self, node: exp.Expression) -> str | int:
        column = self._column(node)
        if column is not None:
            return column
        position = _position(node)
        if position is None:
            raise UnsupportedQueryError(
                f"GROUP BY supports columns and select list positions: {_snippet(node)}"
            )
        return position

    def _order_by(self, order: exp.Order | None) -> tuple[OrderKey, ...]:
        if order is None:
            return ()
        if len(order.expressions) > MAX_ORDER_KEYS:
            raise UnsupportedQueryError(f"ORDER BY supports at most {MAX_ORDER_KEYS} keys")
        return tuple(self._order_key(node) for node in order.expressions)

    def _order_key(self, node: exp.Ordered) -> OrderKey:
        if node.args.get("with_fill"):
            raise UnsupportedQueryError("WITH FILL is not supported")
        target = node.this
        source: str | int | Aggregate | None = self._column(target)
        if source is None:
            source = _position(target)
        if source is None:
            source = self._aggregate(target)
        if source is None:
            raise UnsupportedQueryError(
                "ORDER BY supports columns, output names, positions and aggregates: "
                + _snippet(target)
            )
        # sqlglot spells out Trino's default: NULLS LAST, whatever the direction.
        return OrderKey(source, bool(node.args.get("desc")), bool(node.args.get("nulls_first")))

    def _limit(self, limit: exp.Expression | None) -> int | None:
        if limit is None:
            return None
        if isinstance(limit, exp.Fetch):
            options = limit.args.get("limit_options")
            if options and (options.args.get("percent") or options.args.get("with_ties")):
                raise UnsupportedQueryError("FETCH ... PERCENT or WITH TIES is not supported")
            count = limit.args.get("count")
            return 1 if count is None else self._count(count, "FETCH")
        if limit.args.get("offset") or limit.expressions:
            raise UnsupportedQueryError("LIMIT takes a single count; use OFFSET")
        if isinstance(limit.expression, exp.Var) and limit.expression.name.upper() == "ALL":
            return None
        return self._count(limit.expression, "LIMIT")

    def _count(self, node: exp.Expression, clause: str) -> int:
        value = self._value(node)
        count = value.value
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            message = f"{clause} must be a non-negative integer"
            if value.parameter:
                raise BadParameterError(f"parameter {value.parameter}: {message}")
            raise SearchQueryError(message)
        return count


def _chain(node: exp.Expression) -> list[exp.Expression]:
    """The operands of a chain of the same AND or OR, left to right, without recursion."""
    operands: list[exp.Expression] = []
    pending = [node]
    while pending:
        current = pending.pop()
        if type(current) is type(node):
            pending += [current.expression, current.this]
        else:
            operands.append(current)
    return operands


def _number(text: str) -> int | float:
    if _INTEGER.match(text.lstrip("-")):
        number = int(text)
        if not INT64_RANGE[0] <= number <= INT64_RANGE[1]:
            raise SearchQueryError(f"the number {text} is out of the 64-bit integer range")
        return number
    try:
        value = float(text)
    except ValueError:
        raise SearchQueryError(f"{text} is not a number") from None
    if not math.isfinite(value):
        raise SearchQueryError(f"the number {text} is out of range")
    return value


def _position(node: exp.Expression) -> int | None:
    """The 1-based select list position a bare integer literal stands for."""
    if isinstance(node, exp.Literal) and not node.is_string and _INTEGER.match(node.this):
        return int(node.this)
    return None


def _escape_character(escape: Value) -> str:
    if not isinstance(escape.value, str) or len(escape.value) != 1:
        raise SearchQueryError("ESCAPE must be a single character")
    return escape.value


def _check_escapes(pattern: str, escape: str) -> None:
    characters = iter(pattern)
    for character in characters:
        if character == escape and next(characters, None) not in ("%", "_", escape):
            raise SearchQueryError(
                f"in LIKE pattern {pattern!r}, the escape character must be followed "
                "by %, _ or itself"
            )


def _check_output_name(name: str) -> None:
    if not name:
        raise SearchQueryError("an output column name cannot be empty")
    if "." in name or "\x00" in name or name.startswith("$"):
        raise SearchQueryError(
            f"output column name {name!r} cannot contain '.' or NUL or start with '$'"
        )


def _unsupported(node: exp.Expression, where: str) -> UnsupportedQueryError:
    if isinstance(node, exp.Placeholder):
        return UnsupportedQueryError(f"? parameters are not supported {where}")
    if isinstance(node, exp.Case | exp.If):
        return UnsupportedQueryError("CASE and IF are not supported")
    if isinstance(node, exp.Cast | exp.TryCast):
        return UnsupportedQueryError("CAST and typed literals (DATE '...') are not supported")
    if isinstance(node, exp.AggFunc) and type(node) in _AGGREGATES:
        return UnsupportedQueryError(f"aggregate functions are not allowed {where}")
    if isinstance(node, exp.Anonymous):
        return UnsupportedQueryError(f"function {node.name.lower()} is not supported")
    if isinstance(node, exp.Func):
        return UnsupportedQueryError(f"function {type(node).sql_name().lower()} is not supported")
    if isinstance(node, _ARITHMETIC):
        return UnsupportedQueryError(f"arithmetic is not supported: {_snippet(node)}")
    return UnsupportedQueryError(f"{_snippet(node)} is not supported {where}")


def _snippet(node: exp.Expression) -> str:
    text = _NAMED_PARAMETER.sub("?", node.sql(dialect=DIALECT))
    return text if len(text) <= 60 else text[:57] + "..."


# --- checking against the table's columns --------------------------------------------------


class _Table:
    """Column lookup as Trino does it: names are case-insensitive."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self.columns = tuple(columns)
        self.by_name = {column.name: column for column in self.columns}
        self.by_folded: dict[str, list[Column]] = {}
        for column in self.columns:
            self.by_folded.setdefault(column.name.casefold(), []).append(column)

    def column(self, name: str) -> Column:
        if name in self.by_name:
            return self.by_name[name]
        found = self.by_folded.get(name.casefold(), [])
        if len(found) == 1:
            return found[0]
        close = difflib.get_close_matches(name, list(self.by_name), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UnknownColumnError(f"column {name!r} does not exist{hint}")


def _checked_plan(plan: QueryPlan, columns: Sequence[Column]) -> QueryPlan:
    """``plan`` with ``*`` expanded and every reference resolved to a column of ``columns``."""
    table = _Table(columns)
    selected: list[Selected] = []
    for item in plan.selected:
        if isinstance(item.source, Star):
            selected += [Selected(column.name, column.name) for column in table.columns]
        elif isinstance(item.source, Aggregate):
            selected.append(replace(item, source=_checked_aggregate(item.source, table)))
        else:
            selected.append(replace(item, source=table.column(item.source).name))
    names = [item.name for item in selected]
    for name in names:
        _check_output_name(name)
        if names.count(name) > 1:
            raise SearchQueryError(
                f"the result would have two columns named {name!r}; give one an alias"
            )
    checked = replace(
        plan,
        selected=tuple(selected),
        where=None if plan.where is None else _checked_condition(plan.where, table),
        group_by=tuple(_group_column(key, selected, table) for key in plan.group_by),
        order_by=tuple(_checked_order_key(key, selected, table) for key in plan.order_by),
    )
    _check_grouping(checked)
    return checked


def _checked_aggregate(aggregate: Aggregate, table: _Table) -> Aggregate:
    if aggregate.column is None:
        return aggregate
    column = table.column(aggregate.column)
    if aggregate.function in ("sum", "avg") and column.type not in NUMERIC_TYPES:
        raise SearchQueryError(
            f"{aggregate.function}() needs a numeric column; {column.name!r} holds "
            f"{_type_word(column)} values"
        )
    if aggregate.function in ("min", "max") and column.type not in TYPE_WORDS:
        raise UnsupportedQueryError(f"{aggregate.function}() on {column.name!r} is not supported")
    if aggregate.function in ("min", "max") and column.type == "array":
        raise UnsupportedQueryError(f"{aggregate.function}() on an array column is not supported")
    return replace(aggregate, column=column.name)


def _group_column(key: str | int, selected: list[Selected], table: _Table) -> str:
    if isinstance(key, str):
        return table.column(key).name
    source = _at_position(key, selected, "GROUP BY").source
    if not isinstance(source, str):
        raise SearchQueryError(f"GROUP BY position {key} is an aggregate")
    return source


def _checked_order_key(key: OrderKey, selected: list[Selected], table: _Table) -> OrderKey:
    source = key.source
    if isinstance(source, int):
        source = _at_position(source, selected, "ORDER BY").source
    elif isinstance(source, Aggregate):
        source = _checked_aggregate(source, table)
    else:
        named = [item for item in selected if item.name.casefold() == source.casefold()]
        if len(named) > 1 and len({item.source for item in named}) > 1:
            raise SearchQueryError(f"ORDER BY {source!r} is ambiguous")
        source = named[0].source if named else table.column(source).name
    if isinstance(source, str) and table.column(source).type == "array":
        raise UnsupportedQueryError(f"ORDER BY an array column ({source!r}) is not supported")
    return replace(key, source=source)


def _at_position(position: int, selected: list[Selected], clause: str) -> Selected:
    if not 1 <= position <= len(selected):
        raise SearchQueryError(
            f"{clause} position {position} is not in the select list (1 to {len(selected)})"
        )
    return selected[position - 1]


def _check_grouping(plan: QueryPlan) -> None:
    counted = {aggregate.column for aggregate in plan.aggregates if aggregate.distinct}
    if len(counted) > 1:
        raise UnsupportedQueryError(
            "COUNT(DISTINCT ...) of more than one column in a query is not supported; "
            f"run one query per column ({', '.join(sorted(map(str, counted)))})"
        )
    selected_columns = [item.source for item in plan.selected if isinstance(item.source, str)]
    if plan.distinct:
        if len(selected_columns) < len(plan.selected):
            raise UnsupportedQueryError("SELECT DISTINCT with aggregate functions is not supported")
        for key in plan.order_by:
            if key.source not in selected_columns:
                raise SearchQueryError(
                    "with SELECT DISTINCT, ORDER BY may only use selected columns"
                )
        return
    if not plan.grouped:
        return
    ordered = [key.source for key in plan.order_by if isinstance(key.source, str)]
    for column in selected_columns + ordered:
        if column not in plan.group_by:
            raise SearchQueryError(
                f"column {column!r} must be in GROUP BY or inside an aggregate function"
            )


def _checked_condition(condition: Condition, table: _Table) -> Condition:
    if isinstance(condition, Conjunction | Disjunction):
        parts = tuple(_checked_condition(part, table) for part in condition.parts)
        return replace(condition, parts=parts)
    if isinstance(condition, Negation):
        return Negation(_checked_condition(condition.part, table))
    if isinstance(condition, Constant):
        return condition
    column = table.column(condition.column)
    if isinstance(condition, NullTest):
        return NullTest(column.name, array=column.type == "array")
    if isinstance(condition, Containment):
        if column.type != "array":
            raise SearchQueryError(
                f"contains() needs an array column; {column.name!r} holds "
                f"{_type_word(column)} values"
            )
        _check_element(column, condition.value)
        return replace(condition, column=column.name)
    if column.type not in TYPE_WORDS or column.type == "array":
        raise UnsupportedQueryError(
            f"column {column.name!r} holds {_type_word(column)} values, which support only "
            f"IS NULL, IS NOT NULL and contains({column.name}, value)"
        )
    if isinstance(condition, Pattern):
        if column.type != "string":
            raise SearchQueryError(
                f"LIKE needs a text column; {column.name!r} holds {_type_word(column)} values"
            )
        _check_value(column, condition.pattern)
    elif isinstance(condition, Membership):
        for value in condition.values:
            _check_value(column, value)
    else:
        _check_value(column, condition.value)
    return replace(condition, column=column.name)


def _check_value(column: Column, value: Value) -> None:
    """Refuse a value of another type than the column's, as Trino does (no silent no-match)."""
    if value.value is None or _suits(column.type, value.value):
        return
    described = _describe(value.value)
    if value.parameter is not None:
        raise BadParameterError(
            f"parameter {value.parameter} is {described}, but column {column.name!r} holds "
            f"{_type_word(column)} values"
        )
    raise SearchQueryError(
        f"column {column.name!r} holds {_type_word(column)} values and cannot be compared "
        f"with {described}"
    )


def _check_element(column: Column, value: Value) -> None:
    """Refuse looking for a value of another type than the array's elements."""
    if column.items is None or value.value is None or _suits(column.items, value.value):
        return
    words = TYPE_WORDS.get(column.items, column.items)
    problem = f"column {column.name!r} holds arrays of {words} values; contains() cannot find"
    if value.parameter is not None:
        raise BadParameterError(f"parameter {value.parameter}: {problem} {_describe(value.value)}")
    raise SearchQueryError(f"{problem} {_describe(value.value)} in them")


def _suits(column_type: str, value: Scalar) -> bool:
    if column_type == "string":
        return isinstance(value, str)
    if column_type == "boolean":
        return isinstance(value, bool)
    return isinstance(value, int | float) and not isinstance(value, bool)


def _describe(value: Scalar) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the text {value!r}"
    return f"the number {value}"


def _type_word(column: Column) -> str:
    return TYPE_WORDS.get(column.type, column.type)
