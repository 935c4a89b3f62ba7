"""The stages Data Connect SQL becomes: their shape, array columns, NULLs stored both ways."""

from __future__ import annotations

import re

import mongomock
import pytest

from app.dataconnect.sql import Column, parse_search
from app.dataconnect.sql_pipeline import like_regex

COLUMNS = (
    Column("id", "string"),
    Column("gene", "string"),
    Column("start", "integer"),
    Column("is_common", "boolean"),
    Column("consequences", "array"),
)
ROWS = [
    {"id": "a", "gene": "BRCA1", "start": 10, "is_common": True, "consequences": ["missense"]},
    {"id": "b", "gene": None, "start": 20, "is_common": False, "consequences": []},
    {"id": "c", "start": 30, "consequences": None},
    {"id": "d", "gene": "TP53", "is_common": None, "consequences": ["stop_gained", None]},
    {"id": "e", "gene": "brca1", "start": 50, "consequences": ["missense", "synonymous"]},
    {"id": "f", "gene": "BR\nCA1", "start": 60},
]
STAGES = {"$match", "$group", "$facet", "$replaceRoot", "$project", "$addFields", "$sort"}
STAGES |= {"$skip", "$limit"}


@pytest.fixture
def collection():
    collection = mongomock.MongoClient().db.rows
    collection.insert_many([dict(row) for row in ROWS])
    return collection


def ids(collection, sql: str, parameters: list | None = None) -> list[str]:
    pipeline = parse_search(sql, parameters or []).pipeline(COLUMNS)
    return sorted(document["id"] for document in collection.aggregate(pipeline))


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("gene = 'BRCA1'", ["a"]),
        ("gene <> 'BRCA1'", ["d", "e", "f"]),
        ("NOT (gene = 'BRCA1')", ["d", "e", "f"]),
        ("gene NOT IN ('BRCA1', 'TP53')", ["e", "f"]),
        ("NOT gene LIKE 'BR%'", ["d", "e"]),
        ("gene LIKE 'BR_CA1'", ["f"]),
        ("gene LIKE '%1'", ["a", "e", "f"]),
        ("NOT is_common", ["b"]),
        ("is_common IS NULL", ["c", "d", "e", "f"]),
        ("NOT (start > 25 OR gene = 'TP53')", ["a"]),  # b: FALSE OR NULL is NULL
        ("NOT (start > 25 AND gene LIKE 'b%')", ["a", "b", "d", "f"]),  # d: NULL AND FALSE
        ("start NOT BETWEEN 15 AND 55", ["a", "f"]),
    ],
)
def test_sql_null_semantics_on_missing_and_null_fields(collection, where, expected) -> None:
    assert ids(collection, f"SELECT id FROM t WHERE {where}") == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("contains(consequences, 'missense')", ["a", "e"]),
        ("NOT contains(consequences, 'missense')", ["b"]),  # d holds NULL: contains() is NULL
        ("contains(consequences, NULL)", []),
        ("consequences IS NULL", ["c", "f"]),
        ("consequences IS NOT NULL", ["a", "b", "d", "e"]),
        ("contains(consequences, ?) OR gene = 'TP53'", ["d", "e"]),
    ],
)
def test_array_columns(collection, where, expected) -> None:
    parameters = ["synonymous"] if "?" in where else []
    assert ids(collection, f"SELECT id FROM t WHERE {where}", parameters) == expected


def test_result_documents_hold_exactly_the_output_names(collection) -> None:
    query = parse_search("SELECT id AS identifier, gene, consequences FROM t ORDER BY id")
    documents = list(collection.aggregate(query.pipeline(COLUMNS)))
    names = ["identifier", "gene", "consequences"]
    assert [list(document) for document in documents] == [names] * len(ROWS)
    assert documents[2] == {"identifier": "c", "gene": None, "consequences": None}


def test_star_is_expanded_with_the_columns() -> None:
    query = parse_search("SELECT *, start AS position FROM asia_beacon.beacon.variants")
    assert query.output == ("*", "position")
    names = ("id", "gene", "start", "is_common", "consequences", "position")
    assert query.output_names(COLUMNS) == names


def test_columns_are_found_whatever_their_case(collection) -> None:
    query = parse_search("SELECT GENE FROM t WHERE START = 10")
    assert list(collection.aggregate(query.pipeline(COLUMNS))) == [{"GENE": "BRCA1"}]


def test_simple_conditions_stay_plain_match_operators() -> None:
    """What an index can answer must not hide in $expr."""
    sql = (
        "SELECT id FROM t WHERE gene <> 'x' AND start >= ? AND gene LIKE 'BR%' "
        "AND id NOT IN ('p', 'q') AND is_common IS NOT NULL"
    )
    match = parse_search(sql, [5]).pipeline(COLUMNS)[0]
    assert match == {
        "$match": {
            "$and": [
                {"gene": {"$nin": ["x", None]}},
                {"start": {"$gte": 5}},
                {"gene": {"$regex": "^BR"}},
                {"id": {"$nin": ["p", "q", None]}},
                {"is_common": {"$ne": None}},
            ]
        }
    }


def test_order_by_uses_a_null_flag_only_where_mongodb_differs() -> None:
    pipeline = parse_search(
        "SELECT id FROM t ORDER BY gene NULLS FIRST, start DESC NULLS LAST, id"
    ).pipeline(COLUMNS)
    assert {"$sort": {"gene": 1, "start": -1, "_null_last_2": 1, "id": 1}} in pipeline


def test_helper_fields_avoid_column_names(collection) -> None:
    columns = (*COLUMNS, Column("_null_last_0", "integer"))
    query = parse_search("SELECT id FROM t ORDER BY gene DESC, id")
    pipeline = query.pipeline(columns)
    assert list(pipeline[0]["$addFields"]) == ["__null_last_1"]
    answer = [document["id"] for document in collection.aggregate(pipeline)]
    assert answer == ["e", "d", "a", "f", "b", "c"]


def test_limit_zero_is_no_zero_limit_stage(collection) -> None:
    pipeline = parse_search("SELECT id FROM t LIMIT 0").pipeline(COLUMNS)
    assert all(stage.get("$limit", 1) > 0 for stage in pipeline)
    assert list(collection.aggregate(pipeline)) == []


def test_paging_stages_go_after_the_query(collection) -> None:
    pipeline = parse_search("SELECT id FROM t WHERE start > 15 ORDER BY id").pipeline(COLUMNS)
    page = list(collection.aggregate([*pipeline, {"$skip": 1}, {"$limit": 2}]))
    assert page == [{"id": "c"}, {"id": "e"}]


def test_groups_come_in_the_same_order_without_order_by() -> None:
    pipeline = parse_search("SELECT DISTINCT gene, start FROM t LIMIT 2").pipeline(COLUMNS)
    assert pipeline[2:4] == [{"$sort": {"k0": 1, "k1": 1}}, {"$limit": 2}]


TIED_ROWS = [
    {"_row": number, "id": f"r{number}", "gene": gene, "start": start}
    for number, (gene, start) in enumerate(
        [("A", 1), ("A", 1), (None, 2), ("B", 1), ("A", None), (None, 2), ("B", 1), ("A", 1)]
    )
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT gene FROM t ORDER BY gene",
        "SELECT id FROM t ORDER BY start DESC NULLS FIRST, gene",
        "SELECT gene FROM t ORDER BY gene NULLS FIRST LIMIT 3",
        "SELECT gene, count(*) AS n FROM t GROUP BY gene ORDER BY n",
        "SELECT gene, start, count(*) FROM t GROUP BY gene, start ORDER BY 3 DESC",
        "SELECT DISTINCT gene, start FROM t ORDER BY start",
    ],
)
def test_order_by_sorts_on_a_key_no_two_rows_share(sql: str) -> None:
    """MongoDB leaves tied rows in any order, which would make pages repeat or skip rows:
    the sort must end on the row key (or group keys), so that any correct sort gives one order."""
    collection = mongomock.MongoClient().db.tied
    collection.insert_many([dict(row) for row in TIED_ROWS])
    pipeline = parse_search(sql).pipeline(COLUMNS, row_key=("_row",))
    last = max(number for number, stage in enumerate(pipeline) if "$sort" in stage)
    fields = list(pipeline[last]["$sort"])
    sorted_rows = list(collection.aggregate(pipeline[:last]))
    keys = [tuple(row.get(field) for field in fields) for row in sorted_rows]
    assert len(set(keys)) == len(keys) > 1


def test_without_a_row_key_ordered_rows_tie() -> None:
    """The check above can fail: without the key, the sort has ties."""
    pipeline = parse_search("SELECT gene FROM t ORDER BY gene").pipeline(COLUMNS)
    (sort,) = [stage["$sort"] for stage in pipeline if "$sort" in stage]
    assert len({tuple(row.get(field) for field in sort) for row in TIED_ROWS}) < len(TIED_ROWS)


def test_count_distinct_with_other_aggregates_per_group() -> None:
    collection = mongomock.MongoClient().db.tied
    collection.insert_many([dict(row) for row in TIED_ROWS])
    sql = (
        "SELECT gene, count(DISTINCT start) AS starts, count(*) AS n, count(start) AS counted, "
        "sum(start) AS total, avg(start) AS mean, min(id) AS first, max(start) AS top "
        "FROM t GROUP BY gene ORDER BY gene"
    )
    answer = list(collection.aggregate(parse_search(sql).pipeline(COLUMNS)))
    expected = []
    for gene in ("A", "B", None):
        rows = [row for row in TIED_ROWS if row["gene"] == gene]
        starts = [row["start"] for row in rows if row["start"] is not None]
        expected.append(
            {
                "gene": gene,
                "starts": len(set(starts)),
                "n": len(rows),
                "counted": len(starts),
                "total": sum(starts),
                "mean": sum(starts) / len(starts),
                "first": min(row["id"] for row in rows),
                "top": max(starts),
            }
        )
    assert answer == expected


def test_count_distinct_groups_twice_and_keeps_no_set_of_values() -> None:
    pipeline = parse_search("SELECT gene, count(DISTINCT start) FROM t GROUP BY gene").pipeline(
        COLUMNS
    )
    groups = [stage["$group"] for stage in pipeline if "$group" in stage]
    assert len(groups) == 2
    assert "$addToSet" not in str(pipeline)


def test_an_aggregate_over_no_rows_is_one_row(collection) -> None:
    query = parse_search("SELECT count(*) AS n, sum(start) AS total FROM t WHERE id = 'z'")
    assert list(collection.aggregate(query.pipeline(COLUMNS))) == [{"n": 0, "total": None}]


def test_count_distinct_counts_false_and_zero(collection) -> None:
    query = parse_search("SELECT count(DISTINCT is_common) FROM t")
    assert list(collection.aggregate(query.pipeline(COLUMNS))) == [{"_col0": 2}]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM t",
        "SELECT DISTINCT gene FROM t ORDER BY gene DESC LIMIT 2",
        "SELECT gene, count(*) AS n FROM t GROUP BY gene ORDER BY n DESC, gene OFFSET 1",
        "SELECT count(DISTINCT gene), avg(start), min(id) FROM t WHERE start > 0",
        "SELECT id FROM t WHERE NOT (gene LIKE 'a%' OR contains(consequences, 'x')) LIMIT 0",
    ],
)
def test_pipelines_use_only_stages_mongodb_has(sql: str) -> None:
    for stage in parse_search(sql).pipeline(COLUMNS):
        (name,) = stage
        assert name in STAGES
        if name in ("$skip", "$limit"):
            assert isinstance(stage[name], int) and stage[name] > 0


@pytest.mark.parametrize(
    ("pattern", "escape", "matching", "not_matching"),
    [
        ("BRCA%", None, ["BRCA", "BRCA1", "BRCA\n2"], ["brca1", "xBRCA"]),
        ("%1", None, ["BRCA1", "1"], ["BRCA1\n", "10"]),
        ("a_c", None, ["abc", "a\nc", "a.c"], ["ac", "abbc"]),
        ("a.c*", None, ["a.c*"], ["abc*", "a.cc"]),
        ("(x+)$[", None, ["(x+)$["], ["xx"]),
        ("50!%", "!", ["50%"], ["500", "50%x"]),
        ("a!_b!!", "!", ["a_b!"], ["axb!"]),
        ("%", None, ["", "anything"], []),
    ],
)
def test_like_regex(pattern, escape, matching, not_matching) -> None:
    regex = re.compile(like_regex(pattern, escape))
    assert all(regex.search(text) for text in matching)
    assert not any(regex.search(text) for text in not_matching)
