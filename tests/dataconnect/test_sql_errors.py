"""Refusals of Data Connect SQL: each class of error, its message, and hostile input."""

from __future__ import annotations

import pytest

from app.dataconnect.sql import (
    MAX_PARAMETERS,
    BadParameterError,
    Column,
    SearchQueryError,
    UnknownColumnError,
    UnknownTableError,
    UnsupportedQueryError,
    parse_search,
)

COLUMNS = (
    Column("id", "string"),
    Column("gene", "string"),
    Column("start", "integer"),
    Column("allele_frequency", "number"),
    Column("is_common", "boolean"),
    Column("consequences", "array", "string"),
)


def refusal(sql: str, parameters: list | None = None) -> SearchQueryError:
    """The error parsing ``sql`` or building its pipeline over :data:`COLUMNS` raises."""
    with pytest.raises(SearchQueryError) as caught:
        parse_search(sql, parameters or []).pipeline(COLUMNS)
    return caught.value


def test_every_error_is_a_value_error_with_its_own_class() -> None:
    for error_class in (
        UnsupportedQueryError,
        UnknownTableError,
        UnknownColumnError,
        BadParameterError,
    ):
        assert issubclass(error_class, SearchQueryError)
    assert issubclass(SearchQueryError, ValueError)


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO t VALUES ('x')",
        "DELETE FROM t",
        "DROP TABLE t",
        "UPDATE t SET gene = 'x'",
        "CREATE TABLE u (a integer)",
        "SHOW TABLES",
        "EXPLAIN SELECT * FROM t",
    ],
)
def test_only_select_statements(sql: str) -> None:
    error = refusal(sql)
    assert isinstance(error, UnsupportedQueryError)
    assert str(error) == "only SELECT statements are allowed"


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT * FROM t; DROP TABLE t", "only one statement is allowed"),
        ("SELECT t.id FROM t JOIN u ON t.id = u.id", "JOIN is not supported"),
        ("SELECT id FROM t, u", "JOIN is not supported"),
        ("SELECT id FROM (SELECT id FROM t)", "subqueries are not supported"),
        ("SELECT id FROM t WHERE start IN (SELECT start FROM u)", "subqueries are not supported"),
        ("SELECT id FROM t UNION SELECT id FROM u", "UNION is not supported"),
        ("SELECT id FROM t INTERSECT SELECT id FROM u", "INTERSECT is not supported"),
        ("WITH a AS (SELECT id FROM t) SELECT id FROM a", "WITH is not supported"),
        ("SELECT id, row_number() OVER (ORDER BY id) FROM t", "window functions are not supported"),
        ("SELECT gene FROM t GROUP BY gene HAVING count(*) > 1", "HAVING is not supported"),
        ("SELECT upper(gene) FROM t", "function upper is not supported"),
        ("SELECT id FROM t WHERE frobnicate(gene)", "function frobnicate is not supported"),
        ("SELECT id FROM t WHERE start + 1 > 2", "arithmetic is not supported: start + 1"),
        ("SELECT id FROM t WHERE start = DATE '2020-01-01'", "CAST and typed literals"),
        ("SELECT id FROM t WHERE start < allele_frequency", "comparing two columns"),
        ("SELECT id FROM t WHERE 1 = 1", "a comparison needs a column on one side"),
        ("SELECT id FROM t WHERE gene = :name", "named parameters are not supported"),
        ("SELECT sum(DISTINCT start) FROM t", "sum(DISTINCT ...) is not supported"),
        ("SELECT DISTINCT gene, count(*) FROM t GROUP BY gene", "SELECT DISTINCT with aggregate"),
        ("SELECT id FROM t WHERE consequences = 'x'", "only IS NULL, IS NOT NULL and contains("),
        ("SELECT id FROM t ORDER BY consequences", "ORDER BY an array column"),
        ("SELECT id FROM t WHERE is_common IS TRUE", "only IS NULL and IS NOT NULL"),
        ("SELECT 1 FROM t", "is not supported in the select list"),
        (
            "SELECT count(DISTINCT gene), count(DISTINCT start) FROM t",
            "COUNT(DISTINCT ...) of more than one column in a query is not supported; "
            "run one query per column (gene, start)",
        ),
    ],
)
def test_unsupported_constructs_are_named(sql: str, message: str) -> None:
    error = refusal(sql)
    assert isinstance(error, UnsupportedQueryError)
    assert message in str(error)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT * FROM", "syntax error at line 1, column 13"),
        ("SELECT * FROM t WHERE gene = 'a' AND (start > 1", "syntax error at line 1, column 47"),
        ("SELECT * FROM t WHERE gene = 'BRCA1", "syntax error at line 1, column 30: ' is never"),
        ("SELECT *\nFROM t WHERE gene = 'BRCA1", "syntax error at line 2, column 21: ' is never"),
        ("SELECT * FROM t\nWHERE", "syntax error at line 2"),
    ],
)
def test_syntax_errors_say_where(sql: str, message: str) -> None:
    error = refusal(sql)
    assert type(error) is SearchQueryError
    assert str(error).startswith(message)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT genes FROM t", "column 'genes' does not exist; did you mean 'gene'?"),
        ("SELECT id FROM t WHERE strat > 1", "column 'strat' does not exist; did you mean 'start'"),
        ("SELECT id FROM t ORDER BY nothing", "column 'nothing' does not exist"),
        ("SELECT count(DISTINCT nothing) FROM t", "column 'nothing' does not exist"),
        ("SELECT id FROM t GROUP BY nothing", "column 'nothing' does not exist"),
        ("SELECT u.id FROM t", "'u' is not the table of this query (t)"),
    ],
)
def test_unknown_columns(sql: str, message: str) -> None:
    error = refusal(sql)
    assert isinstance(error, UnknownColumnError)
    assert str(error).startswith(message)


def test_unknown_column_is_only_known_with_the_columns() -> None:
    query = parse_search("SELECT nothing FROM asia_beacon.beacon.variants")
    assert query.table == "asia_beacon.beacon.variants"
    with pytest.raises(UnknownColumnError):
        query.pipeline(COLUMNS)


@pytest.mark.parametrize(
    ("sql", "parameters", "message"),
    [
        ("SELECT id FROM t WHERE gene = ?", [], "the query has 1 ? placeholder(s) but 0"),
        ("SELECT id FROM t WHERE gene = ?", ["a", "b"], "the query has 1 ? placeholder(s) but 2"),
        ("SELECT id FROM t", [1], "the query has 0 ? placeholder(s) but 1"),
        ("SELECT id FROM t WHERE gene = ?", [{"$ne": None}], "parameter 1 must be a string"),
        ("SELECT id FROM t WHERE gene IN (?, ?)", ["a", ["b"]], "parameter 2 must be a string"),
        ("SELECT id FROM t WHERE start = ?", [float("nan")], "parameter 1 is not a finite"),
        ("SELECT id FROM t WHERE start = ?", [2**70], "parameter 1 is out of the 64-bit"),
        ("SELECT id FROM t WHERE start = ?", ["5"], "parameter 1 is the text '5', but column"),
        ("SELECT id FROM t WHERE gene = ?", [5], "parameter 1 is the number 5, but column 'gene'"),
        ("SELECT id FROM t LIMIT ?", [-1], "parameter 1: LIMIT must be a non-negative integer"),
        ("SELECT id FROM t WHERE ?", ["yes"], "parameter 1 is not a boolean"),
        ("SELECT id FROM t WHERE gene = ?", ["\ud800"], "parameter 1 is not valid Unicode"),
        (
            "SELECT id FROM t WHERE gene IN (" + ", ".join("?" * (MAX_PARAMETERS + 1)) + ")",
            ["a"] * (MAX_PARAMETERS + 1),
            f"at most {MAX_PARAMETERS} parameters, not {MAX_PARAMETERS + 1}",
        ),
        (
            "SELECT id FROM t WHERE contains(consequences, ?)",
            [7],
            "parameter 1: column 'consequences' holds arrays of text values; contains() cannot "
            "find the number 7",
        ),
    ],
)
def test_bad_parameters(sql: str, parameters: list, message: str) -> None:
    error = refusal(sql, parameters)
    assert isinstance(error, BadParameterError)
    assert str(error).startswith(message)


def test_messages_show_parameters_as_written() -> None:
    error = refusal("SELECT id FROM t WHERE start + ? > 1", [1])
    assert str(error) == "arithmetic is not supported: start + ?"


def test_a_question_mark_inside_a_string_is_no_placeholder() -> None:
    query = parse_search("SELECT id FROM t WHERE gene = '?' AND start > ?", [5])
    selector = {"$and": [{"gene": "?"}, {"start": {"$gt": 5}}]}
    assert query.pipeline(COLUMNS)[0] == {"$match": selector}


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT id FROM t WHERE gene = 5", "column 'gene' holds text values and cannot be"),
        ("SELECT id FROM t WHERE start = '5'", "column 'start' holds integer values"),
        ("SELECT id FROM t WHERE is_common = 1", "column 'is_common' holds boolean values"),
        ("SELECT id FROM t WHERE start IN (1, 'two')", "cannot be compared with the text 'two'"),
        ("SELECT id FROM t WHERE start LIKE '1%'", "LIKE needs a text column"),
        ("SELECT id FROM t WHERE contains(gene, 'x')", "contains() needs an array column"),
        (
            "SELECT id FROM t WHERE contains(consequences, 5)",
            "column 'consequences' holds arrays of text values; contains() cannot find the "
            "number 5 in them",
        ),
        ("SELECT id FROM t WHERE NOT contains(consequences, true)", "cannot find the boolean"),
        ("SELECT sum(gene) FROM t", "sum() needs a numeric column; 'gene' holds text values"),
        ("SELECT id, count(*) FROM t", "column 'id' must be in GROUP BY"),
        ("SELECT gene FROM t GROUP BY gene ORDER BY start", "column 'start' must be in GROUP BY"),
        ("SELECT DISTINCT gene FROM t ORDER BY start", "ORDER BY may only use selected columns"),
        ("SELECT id, gene AS id FROM t", "two columns named 'id'"),
        ("SELECT *, id FROM t", "two columns named 'id'"),
        ('SELECT id AS "a.b" FROM t', "cannot contain '.' or NUL"),
        ("SELECT id FROM t ORDER BY 3", "ORDER BY position 3 is not in the select list"),
        ("SELECT id FROM t LIMIT -1", "LIMIT must be a non-negative integer"),
        ("SELECT id FROM t WHERE start = 99999999999999999999", "out of the 64-bit integer"),
        ("SELECT id FROM t WHERE gene LIKE 'a!' ESCAPE '!'", "escape character must be followed"),
        (
            "SELECT id FROM t WHERE NOT gene LIKE '%a%b%c%d%e%f%g%h%i'",
            "LIKE '%a%b%c%d%e%f%g%h%i': a pattern may hold at most 8 % wildcards; this one holds 9",
        ),
        ("", "the query is empty"),
        ("SELECT id FROM t WHERE start = 1e", "1e is not a number"),
        ("SELECT id FROM t WHERE gene = '\ud800'", "the query is not valid Unicode text"),
    ],
)
def test_invalid_queries(sql: str, message: str) -> None:
    assert message in str(refusal(sql))


HOSTILE = [
    "SELECT * FROM t WHERE " + "(" * 5000 + "gene = 'a'" + ")" * 5000,
    "SELECT * FROM t WHERE " + "NOT " * 5000 + "is_common",
    "SELECT * FROM t WHERE gene = 'a' " + "OR (gene = 'b' AND (start = 1 " * 60 + "))" * 60,
    "SELECT * FROM t WHERE " + " AND ".join(["gene = 'a'"] * 3000) + " AND start = 'x'",
    "SELECT * FROM t WHERE $where = 'sleep(1000)'",
    "SELECT * FROM t WHERE gene = '' OR '1' = '1'",
    "SELECT * FROM t WHERE gene = 'a' --' AND start = 'x'",
    "SELECT * FROM t WHERE gene = 'a'; DELETE FROM t",
    "SELECT * FROM t /* unclosed",
    'SELECT * FROM t WHERE gene = "unclosed',
    "SELECT \x00 FROM t",
    "SELECT * FROM t WHERE gene = U&'\\0000'",
    "SELECT * FROM t WHERE gene = x'00ff'",
    "SELECT * FROM t WHERE gene LIKE ?",
    "SELECT * FROM t WHERE start = ? OR start = ?",
    "SELECT * FROM t LIMIT 1e3",
    "SELECT * FROM t LIMIT 99999999999999999999999999",
    "SELECT * FROM t OFFSET -5",
    "SELECT * FROM t WHERE start = 1e999",
    "SELECT * FROM t WHERE start = -",
    "SELECT * FROM t WHERE consequences[1] = 'x'",
    "SELECT * FROM t WHERE gene IN ()",
    "SELECT * FROM t WHERE gene BETWEEN AND",
    "SELECT * FROM t AS x(a, b)",
    "SELECT * FROM UNNEST(ARRAY[1, 2])",
    "SELECT * FROM TABLE(system.sleep(10))",
    "SELECT * FROM t FOR UPDATE",
    "SELECT * FROM t TABLESAMPLE BERNOULLI (50)",
    "SELECT count(*) FILTER (WHERE start > 1) FROM t",
    "SELECT * FROM t GROUP BY CUBE (gene)",
    "CALL system.runtime.kill_query(query_id => 'x')",
    "GRANT SELECT ON t TO PUBLIC",
    "SET SESSION query_max_run_time = '1s'",
    "PREPARE q FROM SELECT 1",
    "\ufeffSELECT * FROM t WHERE gene = '\u202e'",
    "SELECT * FROM t WHERE gene = 'a' " * 200,
    "?" * 100,
    "SELECT" + " " * 50_000 + "* FROM t",
    "x" * 200_000,
    "SELECT id FROM t WHERE start = 1e",
    "SELECT id FROM t WHERE gene = '\ud800'",
    "SELECT id FROM t WHERE gene LIKE '\x00%'",
    'SELECT id AS "a\x00b" FROM t',
    "SELECT ? FROM t",
    "SELECT id FROM t WHERE start + ? > 1",
]


@pytest.mark.parametrize("sql", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("parameters", [[], ["a"], [{"$gt": ""}], [None, True]])
def test_hostile_input_raises_only_search_query_errors(sql: str, parameters: list) -> None:
    try:
        parse_search(sql, parameters).pipeline(COLUMNS)
    except SearchQueryError as error:
        assert str(error)
