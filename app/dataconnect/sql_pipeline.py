"""A parsed Data Connect SQL query as plain data, and the MongoDB aggregation stages it becomes.

:mod:`app.dataconnect.sql` builds a :class:`QueryPlan` from SQL and checks it against the
table's columns; :func:`pipeline_stages` then only translates. Documents are flat rows
``{column: value}`` where a missing field or ``None`` is SQL NULL.

WHERE follows SQL's three-valued logic: every condition compiles to two selectors, one for the
rows where it is TRUE and one for the rows where it is FALSE, so that ``NOT`` swaps them and
NULL rows (neither TRUE nor FALSE) never slip through a negation as ``$ne``/``$nin`` would let
them. Both are plain ``$match`` operators, which real MongoDB can answer from indexes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from app.query.wildcards import wildcard_regex

Scalar = str | int | float | bool | None

NOTHING: dict[str, Any] = {"$expr": False}  # a selector no row satisfies
EVERYTHING: dict[str, Any] = {}

COMPARISON_OPERATORS = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
OPPOSITE_COMPARISONS = {"=": "<>", "<>": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
AGGREGATE_FUNCTIONS = ("count", "sum", "min", "max", "avg")


@dataclass(frozen=True)
class Value:
    """A literal of the query, or the value bound to its ``parameter``-th ``?`` (from 1)."""

    value: Scalar
    parameter: int | None = None


@dataclass(frozen=True)
class Comparison:
    """``column operator value``; ``operator`` is one of ``= <> < <= > >=``."""

    column: str
    operator: str
    value: Value


@dataclass(frozen=True)
class Membership:
    """``column IN (values)``."""

    column: str
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Pattern:
    """``column LIKE pattern [ESCAPE escape]``."""

    column: str
    pattern: Value
    escape: str | None = None


@dataclass(frozen=True)
class NullTest:
    """``column IS NULL``; ``array`` tells how to tell an array apart from NULL."""

    column: str
    array: bool = False


@dataclass(frozen=True)
class Containment:
    """Trino's ``contains(column, value)`` on an array column."""

    column: str
    value: Value


@dataclass(frozen=True)
class Constant:
    """``TRUE``, ``FALSE`` or ``NULL`` used as a condition."""

    truth: bool | None


@dataclass(frozen=True)
class Conjunction:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Disjunction:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Negation:
    part: Condition


Condition = (
    Comparison
    | Membership
    | Pattern
    | NullTest
    | Containment
    | Constant
    | Conjunction
    | Disjunction
    | Negation
)


@dataclass(frozen=True)
class Aggregate:
    """``function(column)``; ``column`` None is ``COUNT(*)``."""

    function: str
    column: str | None = None
    distinct: bool = False


@dataclass(frozen=True)
class Star:
    """``*`` in the select list, before it is expanded to the table's columns."""


@dataclass(frozen=True)
class Selected:
    """One item of the select list: the result column ``name`` and where its values come from."""

    name: str
    source: str | Aggregate | Star


@dataclass(frozen=True)
class OrderKey:
    """One ORDER BY key: an output name or column, an output position (from 1), an aggregate."""

    source: str | int | Aggregate
    descending: bool = False
    nulls_first: bool = False


@dataclass(frozen=True)
class QueryPlan:
    selected: tuple[Selected, ...]
    where: Condition | None = None
    group_by: tuple[str | int, ...] = ()
    distinct: bool = False
    order_by: tuple[OrderKey, ...] = ()
    offset: int = 0
    limit: int | None = None

    @property
    def aggregates(self) -> tuple[Aggregate, ...]:
        """The distinct aggregates the query computes, those it selects first."""
        found = [item.source for item in self.selected if isinstance(item.source, Aggregate)]
        found += [key.source for key in self.order_by if isinstance(key.source, Aggregate)]
        return tuple(dict.fromkeys(found))

    @property
    def grouped(self) -> bool:
        return bool(self.group_by or self.distinct or self.aggregates)


def conditions(condition: Condition | None) -> Iterator[Condition]:
    """The condition and all conditions nested in it."""
    pending = [] if condition is None else [condition]
    while pending:
        current = pending.pop()
        yield current
        if isinstance(current, Conjunction | Disjunction):
            pending.extend(current.parts)
        elif isinstance(current, Negation):
            pending.append(current.part)


def pipeline_stages(
    plan: QueryPlan, fields: Collection[str], row_key: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The stages answering ``plan``, whose column references are the documents' ``fields``.

    The plan must already be checked: columns exist, ``*`` is expanded, group and order keys
    are columns, values suit their columns. Result documents hold exactly the selected names.

    ``row_key`` names hidden fields that together tell every input row apart. MongoDB's
    ``$sort`` leaves tied rows in any order, so ORDER BY sorts on them last: each run of the
    query, and so each page cut from it, then sees the rows in one order.
    """
    stages: list[dict[str, Any]] = []
    if plan.where is not None:
        selector = when_true(plan.where)
        if selector != EVERYTHING:
            stages.append({"$match": selector})
    if plan.grouped:
        stages += _grouped_stages(plan)
    else:
        helper_prefix = _unused_prefix("_null_last_", fields)
        order = [(key, str(key.source)) for key in plan.order_by]
        stages += _order_stages(order, helper_prefix, row_key if order else ())
        stages += _window_stages(plan)
        projection = {item.name: _nullable(f"${item.source}") for item in plan.selected}
        stages.append({"$project": _without_id(projection)})
    return stages


# --- WHERE ---------------------------------------------------------------------------------


def when_true(condition: Condition) -> dict[str, Any]:
    """Selector of the rows where ``condition`` is TRUE (not FALSE, not NULL)."""
    if isinstance(condition, Comparison):
        return _comparison(condition.column, condition.operator, condition.value.value)
    if isinstance(condition, Membership):
        listed = [item.value for item in condition.values if item.value is not None]
        return {condition.column: {"$in": listed}} if listed else NOTHING
    if isinstance(condition, Pattern):
        if condition.pattern.value is None:
            return NOTHING
        regex = like_regex(str(condition.pattern.value), condition.escape)
        return {condition.column: {"$regex": regex}}
    if isinstance(condition, NullTest):
        if condition.array:
            return {condition.column: {"$not": {"$type": "array"}}}
        return {condition.column: None}
    if isinstance(condition, Containment):
        if condition.value.value is None:
            return NOTHING
        return {condition.column: condition.value.value}
    if isinstance(condition, Constant):
        return EVERYTHING if condition.truth is True else NOTHING
    if isinstance(condition, Conjunction):
        return _all_of([when_true(part) for part in condition.parts])
    if isinstance(condition, Disjunction):
        return _any_of([when_true(part) for part in condition.parts])
    return when_false(condition.part)


def when_false(condition: Condition) -> dict[str, Any]:
    """Selector of the rows where ``condition`` is FALSE (not TRUE, not NULL)."""
    if isinstance(condition, Comparison):
        opposite = OPPOSITE_COMPARISONS[condition.operator]
        return _comparison(condition.column, opposite, condition.value.value)
    if isinstance(condition, Membership):
        listed = [item.value for item in condition.values]
        if None in listed:  # x NOT IN (.., NULL) is never TRUE
            return NOTHING
        return {condition.column: {"$nin": [*listed, None]}}
    if isinstance(condition, Pattern):
        if condition.pattern.value is None:
            return NOTHING
        regex = like_regex(str(condition.pattern.value), condition.escape)
        return {condition.column: {"$not": {"$regex": regex}, "$ne": None}}
    if isinstance(condition, NullTest):
        if condition.array:
            return {condition.column: {"$type": "array"}}
        return {condition.column: {"$ne": None}}
    if isinstance(condition, Containment):
        if condition.value.value is None:
            return NOTHING
        # An array holding NULL but not the value makes contains() NULL, so NULL is excluded too.
        return {condition.column: {"$nin": [condition.value.value, None]}}
    if isinstance(condition, Constant):
        return EVERYTHING if condition.truth is False else NOTHING
    if isinstance(condition, Conjunction):
        return _any_of([when_false(part) for part in condition.parts])
    if isinstance(condition, Disjunction):
        return _all_of([when_false(part) for part in condition.parts])
    return when_true(condition.part)


def _comparison(column: str, operator: str, value: Scalar) -> dict[str, Any]:
    if value is None:  # anything compared with NULL is NULL
        return NOTHING
    if operator == "=":
        return {column: value}
    if operator == "<>":
        return {column: {"$nin": [value, None]}}
    return {column: {COMPARISON_OPERATORS[operator]: value}}


def _all_of(selectors: list[dict[str, Any]]) -> dict[str, Any]:
    if NOTHING in selectors:
        return NOTHING
    parts: list[dict[str, Any]] = []
    for selector in selectors:
        if set(selector) == {"$and"}:
            parts += selector["$and"]
        elif selector != EVERYTHING:
            parts.append(selector)
    if not parts:
        return EVERYTHING
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _any_of(selectors: list[dict[str, Any]]) -> dict[str, Any]:
    if EVERYTHING in selectors:
        return EVERYTHING
    parts: list[dict[str, Any]] = []
    for selector in selectors:
        if set(selector) == {"$or"}:
            parts += selector["$or"]
        elif selector != NOTHING:
            parts.append(selector)
    if not parts:
        return NOTHING
    return parts[0] if len(parts) == 1 else {"$or": parts}


def like_regex(pattern: str, escape: str | None = None) -> str:
    """An anchored, case-sensitive regular expression matching what ``LIKE pattern`` matches,
    for PCRE (MongoDB) and Python's ``re`` (the embedded store), in time linear in the text
    (:mod:`app.query.wildcards`). A trailing ``%`` leaves a prefix expression, which MongoDB
    answers from an index. Raises WildcardPatternError for a pattern the server does not run.
    """
    return wildcard_regex(pattern, any_character="_", escape=escape)


# --- grouping, ordering, paging ------------------------------------------------------------


def _grouped_stages(plan: QueryPlan) -> list[dict[str, Any]]:
    """GROUP BY, DISTINCT and aggregates: group, compute the values, order, page, rename.

    Inside, group keys are ``k0, k1, ..`` and aggregates ``a0, a1, ..``; the last ``$project``
    gives them the output names. ``COUNT(DISTINCT column)`` groups twice, first by the keys and
    the column's value, then by the keys alone, counting the values: no group ever holds a set
    of values, which MongoDB would have to keep in memory (and in a 16 MB document).
    """
    if plan.distinct:  # the selected columns are the keys
        keys = [str(item.source) for item in plan.selected]
    else:
        keys = [str(column) for column in plan.group_by]
    keys = list(dict.fromkeys(keys))
    aggregates = plan.aggregates

    groups = _group_stages(keys, aggregates)
    stages: list[dict[str, Any]] = []
    if keys:
        stages += groups
    else:
        # One row even for no input, as SQL answers: $facet always yields one document.
        first = {"$arrayElemAt": ["$rows", 0]}
        stages += [
            {"$facet": {"rows": groups}},
            {"$replaceRoot": {"newRoot": {"$ifNull": [first, {}]}}},
        ]
    values: dict[str, Any] = {f"k{i}": _nullable(f"$_id.k{i}") for i in range(len(keys))}
    values |= {f"a{i}": _final_value(f"a{i}", item) for i, item in enumerate(aggregates)}
    stages.append({"$project": _without_id(values)})

    def internal(source: str | int | Aggregate | Star) -> str:
        if isinstance(source, Aggregate):
            return f"a{aggregates.index(source)}"
        return f"k{keys.index(str(source))}"

    # $group yields groups in any order: sorting on the (unique) keys, after any ORDER BY,
    # makes LIMIT and OFFSET, and the caller's paging, pick the same rows on every run.
    order = [(key, internal(key.source)) for key in plan.order_by]
    stages += _order_stages(order, "o", [f"k{i}" for i in range(len(keys))])
    stages += _window_stages(plan)
    projection = {item.name: f"${internal(item.source)}" for item in plan.selected}
    stages.append({"$project": _without_id(projection)})
    return stages


def _group_stages(keys: list[str], aggregates: tuple[Aggregate, ...]) -> list[dict[str, Any]]:
    """One ``$group`` on the keys, or two when an aggregate counts distinct values."""
    key = {f"k{i}": _nullable(f"${column}") for i, column in enumerate(keys)}
    distinct = {aggregate.column for aggregate in aggregates if aggregate.distinct}
    if not distinct:
        group: dict[str, Any] = {"_id": key or None}
        for i, aggregate in enumerate(aggregates):
            group |= _accumulators(f"a{i}", aggregate)
        return [{"$group": group}]
    if len(distinct) > 1:
        raise ValueError("a checked plan counts the distinct values of one column at most")
    value = f"${distinct.pop()}"
    # first by keys and value: every other aggregate keeps partial results to combine
    partial: dict[str, Any] = {"_id": {**key, "value": _nullable(value)}}
    combined: dict[str, Any] = {"_id": {name: f"$_id.{name}" for name in key} or None}
    for i, aggregate in enumerate(aggregates):
        name = f"a{i}"
        if aggregate.distinct:
            combined[name] = {"$sum": {"$cond": [_is_null("$_id.value"), 0, 1]}}
            continue
        for part, accumulator in _accumulators(name, aggregate).items():
            partial[part] = accumulator
            (operator,) = accumulator
            combined[part] = {operator: f"${part}"}
    return [{"$group": partial}, {"$group": combined}]


def _accumulators(name: str, aggregate: Aggregate) -> dict[str, Any]:
    """Accumulators whose values :func:`_final_value` turns into the aggregate; each is a
    ``$sum``, ``$min`` or ``$max``, so partial results combine with the same operator."""
    field = f"${aggregate.column}"
    non_null = {"$sum": {"$cond": [_is_null(field), 0, 1]}}
    if aggregate.function == "count":
        return {name: {"$sum": 1} if aggregate.column is None else non_null}
    if aggregate.function in ("sum", "avg"):  # also counts the values: no values give NULL
        return {name: {"$sum": field}, f"{name}n": non_null}
    return {name: {f"${aggregate.function}": field}}


def _final_value(name: str, aggregate: Aggregate) -> Any:
    """The aggregate's value from its accumulators (missing when no row reached the group)."""
    if aggregate.function == "count":
        return {"$ifNull": [f"${name}", 0]}
    if aggregate.function == "avg":
        count = {"$ifNull": [f"${name}n", 0]}
        return {"$cond": [{"$gt": [count, 0]}, {"$divide": [f"${name}", count]}, None]}
    if aggregate.function == "sum":
        return {"$cond": [{"$gt": [{"$ifNull": [f"${name}n", 0]}, 0]}, f"${name}", None]}
    return _nullable(f"${name}")


def _order_stages(
    keys: list[tuple[OrderKey, str]], helper_prefix: str, tie_breakers: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """``$sort`` on ``(key, field)`` pairs, with a 0/1 NULL flag where MongoDB's order differs,
    then ascending on the ``tie_breakers`` fields.

    MongoDB puts NULL (and missing) before every value, so ascending is NULLS FIRST and
    descending NULLS LAST; the other two need the flag sorted ahead of the value.
    """
    helpers: dict[str, Any] = {}
    order: dict[str, int] = {}
    for i, (key, field) in enumerate(keys):
        if field in order:
            continue  # a repeated key orders nothing more
        direction = -1 if key.descending else 1
        if key.nulls_first == key.descending:  # ASC NULLS LAST, DESC NULLS FIRST
            helper = f"{helper_prefix}{i}"
            helpers[helper] = {"$cond": [_is_null(f"${field}"), 1, 0]}
            order[helper] = direction
        order[field] = direction
    for field in tie_breakers:
        order.setdefault(field, 1)
    stages: list[dict[str, Any]] = [{"$addFields": helpers}] if helpers else []
    return stages + ([{"$sort": order}] if order else [])


def _window_stages(plan: QueryPlan) -> list[dict[str, Any]]:
    """OFFSET and LIMIT; MongoDB refuses ``$limit: 0``, so LIMIT 0 matches nothing instead."""
    if plan.limit == 0:
        return [{"$match": NOTHING}]
    stages: list[dict[str, Any]] = []
    if plan.offset:
        stages.append({"$skip": plan.offset})
    if plan.limit is not None:
        stages.append({"$limit": plan.limit})
    return stages


def _nullable(expression: str) -> dict[str, Any]:
    """The value, or NULL where the field is missing (a missing field vanishes from output)."""
    return {"$ifNull": [expression, None]}


def _is_null(expression: str) -> dict[str, Any]:
    return {"$eq": [_nullable(expression), None]}


def _without_id(projection: dict[str, Any]) -> dict[str, Any]:
    return projection if "_id" in projection else {"_id": 0, **projection}


def _unused_prefix(prefix: str, fields: Collection[str]) -> str:
    """A prefix for helper fields that no column name starts with."""
    while any(field.startswith(prefix) for field in fields):
        prefix = "_" + prefix
    return prefix
