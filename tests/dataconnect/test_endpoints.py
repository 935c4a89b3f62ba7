"""Data Connect over HTTP on the demo: tables and their data models, paging that yields every row
once, SQL search answers checked against the demo's own files, and the specification's errors."""

from __future__ import annotations

import base64
import collections
import csv
import json

import pysam
import pytest
from jsonschema import Draft7Validator
from open_access import OPEN_ACCESS

from app import create_app
from app.dataconnect.sql import MAX_PARAMETERS
from app.dataconnect.tables import TABLES
from loaders.demo.load import demo_data_dir

PAGE = 37  # small and odd, so that pages end mid-way through everything
# The variant tables (thousands of rows) page in about four pages of at least 1,000: the embedded
# store runs the whole pipeline for each page, and what paging must show is the same with four
# pages as with 87.
WIDE_PAGE = 1_000
VARIANTS = "asia_beacon.beacon.variants"
INDIVIDUALS = "asia_beacon.beacon.individuals"


def paged_client(store, page: int):
    app = create_app({**OPEN_ACCESS, "DATA_CONNECT_PAGE_SIZE": page}, store=store)
    return app.test_client()


@pytest.fixture(scope="module")
def client(demo_store):
    return paged_client(demo_store, PAGE)


def every_page(client, response, page: int = PAGE) -> list[dict]:
    """Rows of a first page and of every page its ``next_page_url`` leads to (with GET)."""
    rows = []
    while True:
        assert response.status_code == 200, response.json
        body = response.json
        assert len(body["data"]) <= page
        rows.extend(body["data"])
        following = body.get("pagination", {}).get("next_page_url")
        if not following:
            return rows
        response = client.get(following.removeprefix("http://localhost"))


def demo_individuals() -> list[dict[str, str]]:
    with (demo_data_dir() / "metadata" / "individuals.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_tables_list_every_table_with_a_valid_data_model(client):
    body = client.get("/data-connect/tables").json
    assert [table["name"] for table in body["tables"]] == [table.name for table in TABLES]
    for table in body["tables"]:
        Draft7Validator.check_schema(table["data_model"])
        info = client.get(f"/data-connect/table/{table['name']}/info").json
        assert info == table


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_paging_yields_every_row_once_and_rows_fit_the_data_model(demo_store, table):
    counted = list(
        demo_store.collection(table.collection).aggregate(
            [*table.base_pipeline, {"$count": "rows"}]
        )
    )
    expected = counted[0]["rows"] if counted else 0
    page = PAGE
    if table.collection == "genomicVariations":  # about four pages, whatever the row count
        page = max(WIDE_PAGE, expected // 4 + 1)
    client = paged_client(demo_store, page)
    rows = every_page(client, client.get(f"/data-connect/table/{table.name}/data"), page)
    if not table.catalog and table.dataset_field is not None:  # the catalog tables are small
        assert len(rows) > page  # more than one page was followed
    validator = Draft7Validator(table.data_model)
    for row in rows:
        validator.validate(row)
    assert len(rows) == expected
    keys = [tuple(sorted((k, str(v)) for k, v in row.items())) for row in rows]
    assert len(set(keys)) == len(keys)


def test_the_catalog_counts_what_the_demo_holds(client):
    (row,) = client.get("/data-connect/table/asia_beacon.catalog.datasets/data").json["data"]
    with pysam.VariantFile(str(demo_data_dir() / "demo.vcf.gz")) as vcf:
        samples = len(vcf.header.samples)
        alleles = sum(len([a for a in r.alts or () if a not in ("*", ".")]) for r in vcf)
    assert (row["variant_count"], row["sample_count"]) == (alleles, samples)
    assert row["individual_count"] == len(demo_individuals())
    assert row["duo_codes"] == ["DUO:0000042"]


def test_search_group_by_matches_pysam(client):
    query = (
        f"SELECT chromosome, COUNT(*) AS alleles FROM {VARIANTS} "
        "GROUP BY chromosome ORDER BY chromosome"
    )
    rows = every_page(client, client.post("/data-connect/search", json={"query": query}))
    counted: collections.Counter[str] = collections.Counter()  # one page: a row a chromosome
    with pysam.VariantFile(str(demo_data_dir() / "demo.vcf.gz")) as vcf:
        for record in vcf:
            counted[record.chrom.removeprefix("chr")] += len(record.alts or ())
    assert rows == [{"chromosome": c, "alleles": counted[c]} for c in sorted(counted)]


def test_search_with_parameters_pages_like_one_answer(client):
    query = (
        f"SELECT id, sex_id FROM {INDIVIDUALS} WHERE geographic_origin_id = ? "
        "AND sex_id IN (?, ?) ORDER BY id"
    )
    body = {"query": query, "parameters": ["ISO3166:TH", "NCIT:C16576", "NCIT:C20197"]}
    rows = every_page(client, client.post("/data-connect/search", json=body))
    expected = sorted(
        (row["id"], row["sex.id"])
        for row in demo_individuals()
        if row["geographicOrigin.id"] == "ISO3166:TH"
    )
    assert [(row["id"], row["sex_id"]) for row in rows] == expected
    assert len(rows) > PAGE  # more than one page was followed


def test_search_without_order_pages_stably(client):
    query = f"SELECT DISTINCT sex_id, geographic_origin_id FROM {INDIVIDUALS}"
    rows = every_page(client, client.post("/data-connect/search", json={"query": query}))
    expected = {(row["sex.id"], row["geographicOrigin.id"]) for row in demo_individuals()}
    assert sorted((row["sex_id"], row["geographic_origin_id"]) for row in rows) == sorted(expected)


def _token(body: str) -> str:
    return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "detail"),
    [
        ("post", "/data-connect/search", {"query": "DELETE FROM x"}, 400, "only SELECT"),
        ("post", "/data-connect/search", {"query": "SELECT * FROM nope"}, 400, "no table"),
        ("post", "/data-connect/search", {"query": f"SELECT colour FROM {VARIANTS}"}, 400, ""),
        (
            "post",
            "/data-connect/search",
            {"query": f"SELECT * FROM {VARIANTS} WHERE start = ?"},
            400,
            "",
        ),
        ("post", "/data-connect/search", {"parameters": []}, 400, "query"),
        (
            "post",
            "/data-connect/search",
            {"query": f"SELECT id FROM {INDIVIDUALS} WHERE id LIKE ?", "parameters": ["%" * 9]},
            400,
            "LIKE ?: a pattern may hold at most 8 % wildcards; this one holds 9",
        ),
        ("post", "/data-connect/search", {"query": "SELECT 1", "colour": "red"}, 400, "FROM"),
        (
            "post",
            "/data-connect/search",
            {"query": f"SELECT id FROM {INDIVIDUALS}", "parameters": [1] * (MAX_PARAMETERS + 1)},
            400,
            f"parameters: at most {MAX_PARAMETERS} items, not {MAX_PARAMETERS + 1}",
        ),
        (
            "get",
            "/data-connect/search?page_token="
            + _token(
                json.dumps({"o": 0, "t": None, "q": "SELECT 1", "p": [1] * (MAX_PARAMETERS + 1)})
            ),
            None,
            400,
            f"at most {MAX_PARAMETERS} parameters",
        ),
        ("get", "/data-connect/search?page_token=garbage", None, 400, "page_token"),
        ("get", "/data-connect/search", None, 400, "page_token"),
        ("get", "/data-connect/table/nope/info", None, 404, "no table"),
        ("get", "/data-connect/table/nope/data", None, 404, "no table"),
        ("get", "/data-connect/nowhere", None, 404, ""),
    ],
)
def test_errors_have_the_specification_shape(client, method, path, body, status, detail):
    response = getattr(client, method)(path, json=body)
    assert response.status_code == status, response.json
    (error,) = response.json["errors"]
    assert error["title"]
    assert detail in error.get("detail", "")


def test_service_info_names_data_connect(client):
    info = client.get("/data-connect/service-info").json
    assert info["type"] == {"group": "org.ga4gh", "artifact": "data-connect", "version": "1.0.0"}


@pytest.mark.parametrize(
    "token",
    [
        _token('{"o": 9223372036854775807, "t": null, "q": "SELECT id FROM x", "p": []}'),
        _token('{"o": 0, "t": null, "q": "SELECT id FROM x", "p": ' + "[" * 100_000 + "}"),
        _token(
            '{"o": 0, "t": null, "q": "SELECT id FROM x", "p": ' + "[" * 50_000 + "]" * 50_000 + "}"
        ),
    ],
)
def test_forged_page_tokens_are_400(client, token):
    response = client.get(f"/data-connect/search?page_token={token}")
    assert response.status_code == 400
    assert response.json["errors"][0]["title"] == "Bad page token"


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"{bad", "not valid JSON"),
        (b'{"query": ' + b"[" * 100_000 + b"}", "nested more than 32 levels deep"),
        (b'{"query": ' + b"[" * 5_000 + b"]" * 5_000 + b"}", "nested more than 32 levels deep"),
        (b'{"query": "SELECT 1", "parameters": ' + b"[" * 33 + b"]" * 33 + b"}", "nested more"),
    ],
)
def test_bodies_that_are_not_json_are_400(client, data, detail):
    response = client.post(
        "/data-connect/search", data=data, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert detail in response.json["errors"][0]["detail"]


def test_table_names_ignore_case_as_unquoted_sql_names_do(client):
    query = f"SELECT COUNT(*) AS n FROM {INDIVIDUALS.upper()}"
    response = client.post("/data-connect/search", json={"query": query})
    assert response.status_code == 200
    assert response.json["data"] == [{"n": len(demo_individuals())}]


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_the_hidden_row_key_tells_every_row_apart(demo_store, table):
    """ORDER BY breaks ties on it; no column may share its names."""
    assert not any(column.name.startswith("_") for column in table.columns)
    rows = demo_store.collection(table.collection).aggregate(list(table.base_pipeline))
    keys = [tuple(row.get(field) for field in table.row_key) for row in rows]
    assert keys and len(set(keys)) == len(keys)


def test_order_by_with_ties_pages_as_one_answer(client):
    """Most rows share a sex: pages cut from one total order neither repeat nor skip rows."""
    query = f"SELECT id, sex_id FROM {INDIVIDUALS} ORDER BY sex_id DESC"
    rows = every_page(client, client.post("/data-connect/search", json={"query": query}))
    assert len(rows) == len(demo_individuals()) > PAGE
    assert sorted(row["id"] for row in rows) == sorted(row["id"] for row in demo_individuals())
    assert [row["sex_id"] for row in rows] == sorted((row["sex_id"] for row in rows), reverse=True)


def test_result_data_model_types_follow_sources_not_names(client):
    queries = {
        f"SELECT start AS chromosome, chromosome AS start, gene_ids FROM {VARIANTS} LIMIT 50": {
            "chromosome": ["integer", "null"],
            "start": ["string", "null"],
            "gene_ids": ["array", "null"],
        },
        f"SELECT chromosome, COUNT(*) AS n, COUNT(DISTINCT variant_type) AS types, "
        f"SUM(allele_count) AS ac, AVG(allele_count) AS mean, MIN(start) AS first, "
        f"MAX(ref) AS ref FROM {VARIANTS} GROUP BY chromosome": {
            "chromosome": ["string", "null"],
            "n": "integer",
            "types": "integer",
            "ac": ["integer", "null"],
            "mean": ["number", "null"],
            "first": ["integer", "null"],
            "ref": ["string", "null"],
        },
    }
    for query, types in queries.items():
        body = client.post("/data-connect/search", json={"query": query}).json
        model = body["data_model"]
        Draft7Validator.check_schema(model)
        assert {name: shape["type"] for name, shape in model["properties"].items()} == types
        assert all(shape.get("description") for shape in model["properties"].values())
        assert body["data"]
        for row in body["data"]:
            Draft7Validator(model).validate(row)
