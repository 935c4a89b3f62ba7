"""Data Connect SQL run natively by the embedded store's engine, checked three ways: against the
aggregation pipelines of the MongoDB path over the same loaded demo (generated SELECTs), against
sqlite3 over the hand-built table of ``test_sql_against_sqlite``, and for what the caller may
see (the public-tier protections) and what a query may cost (the time and row budgets)."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest
from marshmallow import Schema, fields
from open_access import OPEN_ACCESS
from store_backends import mongodb_store
from test_sql_against_sqlite import (
    CASES,
    COLUMNS,
    TABLE,
    Case,
    database,  # noqa: F401 (the hand-built table, a fixture)
    normalized,
    sqlite_parameters,
)

from app import create_app
from app.dataconnect.native import TRINO_AGGREGATES, TRINO_FUNCTIONS, native_query, typed_rows
from app.dataconnect.tables import Table, TableSet
from loaders.demo.load import load_demo

VARIANTS = "asia_beacon.beacon.variants"
INDIVIDUALS = "asia_beacon.beacon.individuals"
BIOSAMPLES = "asia_beacon.beacon.biosamples"
FREQUENCIES = "asia_beacon.beacon.population_frequencies"
PAGE = 40
WHOLE = 10_000  # one page: the pipelines read every document again for each page


@pytest.fixture(scope="module")
def mongo_demo():
    store = mongodb_store()
    load_demo(store)
    return store


def clients(embedded, mongo, **config: Any):
    settings = {**OPEN_ACCESS, "DATA_CONNECT_PAGE_SIZE": PAGE, **config}
    return (
        create_app(settings, store=embedded).test_client(),
        create_app(settings, store=mongo).test_client(),
    )


def every_row(client, query: str, parameters: list | None = None) -> list[dict]:
    body = {"query": query, "parameters": parameters or []}
    response = client.post("/data-connect/search", json=body)
    rows = []
    while True:
        assert response.status_code == 200, (query, response.json)
        rows.extend(response.json["data"])
        following = response.json.get("pagination", {}).get("next_page_url")
        if not following:
            return rows
        response = client.get(following.removeprefix("http://localhost"))


def rounded(rows: list[dict]) -> list[tuple]:
    return [
        tuple((k, round(v, 9) if isinstance(v, float) else v) for k, v in row.items())
        for row in rows
    ]


def generated_queries(count: int, seed: int = 19) -> list[tuple[str, bool]]:
    """SELECTs over the demo's tables: filters, GROUP BY with counts, ORDER BY on a unique key
    (the order is then compared too), LIMIT and OFFSET."""
    generator = random.Random(seed)
    filters = {
        VARIANTS: [
            "chromosome = '1'",
            "start BETWEEN 1000000 AND 50000000",
            "start > 100000000",
            "variant_type IN ('SNP', 'INDEL')",
            "allele_frequency < 0.05",
            "allele_count >= 2",
            "ref LIKE 'A%'",
            "NOT (chromosome = '2')",
            "allele_frequency IS NULL",
            "contains(gene_ids, 'TP53') OR chromosome = 'X'",
        ],
        INDIVIDUALS: [
            "sex_id = 'NCIT:C16576'",
            "karyotypic_sex IS NULL",
            "id LIKE 'IND-%'",
            "geographic_origin_id IN ('ISO3166:TH', 'ISO3166:JP', 'ISO3166:KR')",
            "ethnicity_id IS NOT NULL",
        ],
        BIOSAMPLES: [
            "sample_origin_type_id = 'UBERON:0000178'",
            "collection_date >= '2021-01-01'",
            "individual_id IS NOT NULL",
            "id LIKE '%0%'",
        ],
    }
    keys = {
        VARIANTS: ("chromosome", "variant_type", "dataset_id"),
        INDIVIDUALS: ("sex_id", "geographic_origin_id", "dataset_id"),
        BIOSAMPLES: ("sample_origin_type_id", "dataset_id"),
    }
    unique = {VARIANTS: "dataset_id, variant_id", INDIVIDUALS: "dataset_id, id"}
    unique[BIOSAMPLES] = "dataset_id, id"
    queries = []
    for _ in range(count):
        table = generator.choice(list(filters))
        chosen = generator.sample(filters[table], generator.randint(0, 2))
        where = f" WHERE {' AND '.join(f'({f})' for f in chosen)}" if chosen else ""
        shape = generator.choice(["rows", "count", "group"])
        if shape == "count":
            queries.append((f"SELECT COUNT(*) AS n FROM {table}{where}", True))
        elif shape == "group":
            key = generator.choice(keys[table])
            queries.append(
                (
                    f"SELECT {key}, COUNT(*) AS n FROM {table}{where} GROUP BY {key} "
                    f"ORDER BY n DESC, {key}",
                    False,  # NULL keys: the two paths agree on NULLS LAST, checked unordered
                )
            )
        else:
            limit = generator.choice(["", " LIMIT 7", " OFFSET 3 LIMIT 50"])
            queries.append((f"SELECT * FROM {table}{where} ORDER BY {unique[table]}{limit}", True))
    return queries


@pytest.mark.parametrize(("query", "ordered"), generated_queries(30))
def test_native_answers_as_the_pipelines(demo_store, mongo_demo, query, ordered):
    native, pipelines = clients(demo_store, mongo_demo, DATA_CONNECT_PAGE_SIZE=WHOLE)
    mine, theirs = every_row(native, query), every_row(pipelines, query)
    if ordered:
        assert rounded(mine) == rounded(theirs)
    else:
        assert Counter(rounded(mine)) == Counter(rounded(theirs))


def test_the_result_models_agree(demo_store, mongo_demo):
    native, pipelines = clients(demo_store, mongo_demo)
    query = (
        f"SELECT chromosome, COUNT(*) AS n, SUM(allele_count) AS ac, AVG(allele_frequency) AS f, "
        f"MIN(start) AS first FROM {VARIANTS} GROUP BY chromosome"
    )
    models = [
        client.post("/data-connect/search", json={"query": query}).json["data_model"]
        for client in (native, pipelines)
    ]
    types = [{k: v["type"] for k, v in model["properties"].items()} for model in models]
    assert types[0] == types[1]


def test_public_callers_never_see_rare_alleles(demo_store, mongo_demo):
    """On PUBLIC datasets the alleles rarer than the threshold are absent, through every
    table, subquery and JOIN, as on the pipelines."""
    native, pipelines = clients(
        demo_store, mongo_demo, RARE_ALLELE_FREQUENCY=0.01, DATA_CONNECT_PAGE_SIZE=WHOLE
    )
    hidden = every_row(
        native, f"SELECT COUNT(*) AS n FROM {VARIANTS} WHERE allele_frequency < 0.01"
    )
    assert hidden == [{"n": 0}]
    assert every_row(native, f"SELECT COUNT(*) AS n FROM {VARIANTS} WHERE allele_frequency IS NULL")
    assert every_row(
        native,
        f"SELECT COUNT(*) AS n FROM (SELECT * FROM {VARIANTS}) AS v "
        "WHERE v.allele_frequency < 0.01",
    ) == [{"n": 0}]
    joined = every_row(
        native,
        f"SELECT COUNT(*) AS n FROM {FREQUENCIES} p JOIN {VARIANTS} v "
        "ON p.dataset_id = v.dataset_id AND p.variant_id = v.variant_id "
        "WHERE p.population = 'ALL' AND p.allele_frequency < 0.01",
    )
    assert joined == [{"n": 0}]
    counted = f"SELECT dataset_id, COUNT(*) AS n FROM {VARIANTS} GROUP BY dataset_id"
    assert Counter(rounded(every_row(native, counted))) == Counter(
        rounded(every_row(pipelines, counted))
    )
    everything = clients(demo_store, mongo_demo)[0]
    assert (
        every_row(
            everything, f"SELECT COUNT(*) AS n FROM {VARIANTS} WHERE allele_frequency < 0.01"
        )[0]["n"]
        > 0
    )


def test_joins_answer_as_joining_the_table_pages(demo_store, mongo_demo):
    """A JOIN the pipelines never answered, against the two tables' own pages joined here."""
    native, _ = clients(demo_store, mongo_demo)
    biosamples = every_row(native, f"SELECT dataset_id, id, individual_id FROM {BIOSAMPLES}")
    individuals = every_row(native, f"SELECT dataset_id, id, sex_id FROM {INDIVIDUALS}")
    sex = {(row["dataset_id"], row["id"]): row["sex_id"] for row in individuals}
    truth = Counter(
        sex[(row["dataset_id"], row["individual_id"])]
        for row in biosamples
        if (row["dataset_id"], row["individual_id"]) in sex
    )
    rows = every_row(
        native,
        f"SELECT i.sex_id, COUNT(*) AS n FROM {BIOSAMPLES} b JOIN {INDIVIDUALS} i "
        "ON b.dataset_id = i.dataset_id AND b.individual_id = i.id GROUP BY i.sex_id",
    )
    assert {row["sex_id"]: row["n"] for row in rows} == dict(truth)
    assert sum(truth.values()) > 0


def test_specified_functions_come_from_the_engine(demo_store, mongo_demo):
    native, _ = clients(demo_store, mongo_demo)
    rows = every_row(
        native,
        f"SELECT upper(ref) AS r, length(alt) AS n, coalesce(allele_count, -1) AS c, "
        f"CASE WHEN start > 1000000 THEN 'far' ELSE 'near' END AS where_, "
        f"cardinality(gene_ids) AS genes, starts_with(chromosome, '1') AS one, "
        f"regexp_like(alt, '^[ACGT]+$') AS bases, round(allele_frequency, 2) AS f "
        f"FROM {VARIANTS} ORDER BY dataset_id, variant_id LIMIT 20",
    )
    plain = every_row(
        native,
        f"SELECT ref, alt, allele_count, start, gene_ids, chromosome, allele_frequency "
        f"FROM {VARIANTS} ORDER BY dataset_id, variant_id LIMIT 20",
    )
    for row, source in zip(rows, plain, strict=True):
        assert row["r"] == source["ref"].upper()
        assert row["n"] == len(source["alt"])
        assert row["c"] == (-1 if source["allele_count"] is None else source["allele_count"])
        assert row["where_"] == ("far" if source["start"] > 1000000 else "near")
        assert row["genes"] == len(source["gene_ids"])
        assert bool(row["one"]) == source["chromosome"].startswith("1")
        frequency = source["allele_frequency"]
        assert row["f"] == (None if frequency is None else round(frequency, 2))
    stats = every_row(native, f"SELECT stddev(start) AS s, variance(start) AS v FROM {VARIANTS}")
    starts = [row["start"] for row in every_row(native, f"SELECT start FROM {VARIANTS}")]
    mean = sum(starts) / len(starts)
    variance = sum((x - mean) ** 2 for x in starts) / (len(starts) - 1)
    assert stats[0]["v"] == pytest.approx(variance)
    assert stats[0]["s"] == pytest.approx(variance**0.5)


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        (f"SELECT * FROM {VARIANTS} v JOIN nowhere n ON v.start = n.start", "no table 'nowhere'"),
        ("SELECT name FROM sqlite_master", "no table 'sqlite_master'"),
        (f"SELECT colour FROM {VARIANTS}", "column 'colour' does not exist"),
        (f"SELECT v.colour FROM {VARIANTS} v", "column 'colour' does not exist"),
        (f"SELECT u.id FROM {VARIANTS} v", "'u' is not the table of this query"),
        (f"SELECT randomblob(10) FROM {VARIANTS}", "binary values"),
        (f"SELECT randomblob(100000000) FROM {VARIANTS}", "the query cannot run"),
        (f"SELECT frobnicate(ref) FROM {VARIANTS}", "no such function"),
        (f"SELECT * FROM {VARIANTS} v, {INDIVIDUALS} i LIMIT 1", "two columns named"),
        ("DELETE FROM x", "only SELECT"),
    ],
)
def test_refusals_are_400_with_the_error_body(demo_store, mongo_demo, query, detail):
    native, _ = clients(demo_store, mongo_demo)
    response = native.post("/data-connect/search", json={"query": query})
    assert response.status_code == 400, response.json
    assert detail in response.json["errors"][0]["detail"]


def test_a_query_past_its_time_budget_is_a_400(demo_store, mongo_demo):
    native, _ = clients(demo_store, mongo_demo, DATA_CONNECT_TIME_BUDGET=0.05)
    query = f"SELECT COUNT(*) AS n FROM {VARIANTS} a, {VARIANTS} b, {VARIANTS} c"
    response = native.post("/data-connect/search", json={"query": query})
    assert response.status_code == 400
    (error,) = response.json["errors"]
    assert error["title"] == "Query over budget"
    assert "time budget of 0.05 s" in error["detail"]


def test_a_page_past_the_row_budget_is_a_400(demo_store, mongo_demo):
    native, _ = clients(demo_store, mongo_demo, DATA_CONNECT_ROW_BUDGET=PAGE)
    response = native.post("/data-connect/search", json={"query": f"SELECT * FROM {VARIANTS}"})
    assert response.status_code == 200
    following = response.json["pagination"]["next_page_url"].removeprefix("http://localhost")
    refused = native.get(following)
    assert refused.status_code == 400
    assert "row budget" in refused.json["errors"][0]["detail"]


# -- the translation against sqlite3 over the hand-built table ------------------------------

_TYPES = {
    "string": fields.String,
    "integer": fields.Integer,
    "number": fields.Float,
    "boolean": fields.Boolean,
}
HAND_BUILT = Table(
    name=TABLE,
    title="Variant",
    description="The hand-built table of test_sql_against_sqlite.",
    collection="variants",
    row_schema=Schema.from_dict(
        {c.name: _TYPES[c.type](allow_none=True) for c in COLUMNS}, name="HandBuilt"
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[case.trino.replace(TABLE, "t") for case in CASES])
def test_native_translation_answers_as_sqlite(case: Case, database):  # noqa: F811
    query = native_query(
        case.trino,
        list(case.parameters),
        TableSet((HAND_BUILT,)),
        lambda table, _: ("variants", {}),
    )
    database.execute("PRAGMA case_sensitive_like = ON")
    for name, function in TRINO_FUNCTIONS.items():
        database.create_function(name, -1, function)
    for name, aggregate in TRINO_AGGREGATES.items():
        database.create_aggregate(name, -1, aggregate)
    cursor = database.execute(query.text, query.parameters)
    names = [column[0] for column in cursor.description]
    answer = [normalized(tuple(row.values())) for row in typed_rows(query.model, names, cursor)]
    sqlite_text = case.sqlite or case.trino.replace(TABLE, "variants")
    truth = [normalized(row) for row in database.execute(sqlite_text, sqlite_parameters(case))]
    if case.ordered:
        assert answer == truth
    else:
        assert Counter(answer) == Counter(truth)
