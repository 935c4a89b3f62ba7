"""SQL over HTTP, end to end: the demo's tables read through Data Connect into sqlite3, then the
same queries asked of ``POST /data-connect/search`` (following every page) and of sqlite3."""

from __future__ import annotations

import sqlite3

import pytest
from open_access import OPEN_ACCESS

from app import create_app
from app.dataconnect.tables import BY_NAME

TABLES = ("asia_beacon.catalog.datasets", "asia_beacon.beacon.biosamples")
INDIVIDUALS = "asia_beacon.beacon.individuals"
BIOSAMPLES = "asia_beacon.beacon.biosamples"
QUERIES = [
    f"SELECT id, individual_id FROM {BIOSAMPLES} WHERE sample_origin_type_id = "
    "'UBERON:0001836' ORDER BY id",
    f"SELECT sample_origin_type_label, COUNT(*) AS n FROM {BIOSAMPLES} "
    "GROUP BY sample_origin_type_label ORDER BY sample_origin_type_label",
    f"SELECT id FROM {BIOSAMPLES} WHERE collection_date BETWEEN '2021-01-01' AND '2021-12-31' "
    "ORDER BY collection_date DESC, id LIMIT 20 OFFSET 5",
    f"SELECT MIN(collection_date) AS first, MAX(collection_date) AS last FROM {BIOSAMPLES}",
    f"SELECT id FROM {BIOSAMPLES} WHERE id LIKE 'KR%' AND NOT (sample_origin_type_id = "
    "'UBERON:0000178') ORDER BY id",
    f"SELECT sex_id, geographic_origin_id, COUNT(*) AS n FROM {INDIVIDUALS} "
    "GROUP BY sex_id, geographic_origin_id ORDER BY sex_id, geographic_origin_id",
    f"SELECT id FROM {INDIVIDUALS} WHERE ethnicity_id IN ('NCIT:C161419') AND sex_id <> "
    "'NCIT:C20197' ORDER BY id",
    f"SELECT COUNT(DISTINCT geographic_origin_id) AS countries FROM {INDIVIDUALS}",
    f"SELECT id, karyotypic_sex FROM {INDIVIDUALS} WHERE karyotypic_sex IS NULL "
    "AND id LIKE 'IND-MY%' ORDER BY id",
    "SELECT id, variant_count, individual_count FROM asia_beacon.catalog.datasets",
    f"SELECT id FROM {BIOSAMPLES} WHERE id LIKE '%T%H%0%0%1%_%%' ORDER BY id",  # 8 wildcards
]


@pytest.fixture(scope="module")
def client(demo_store):
    app = create_app({**OPEN_ACCESS, "DATA_CONNECT_PAGE_SIZE": 64}, store=demo_store)
    return app.test_client()


def every_row(client, response) -> list[dict]:
    rows = []
    while True:
        assert response.status_code == 200, response.json
        rows.extend(response.json["data"])
        following = response.json.get("pagination", {}).get("next_page_url")
        if not following:
            return rows
        response = client.get(following.removeprefix("http://localhost"))


@pytest.fixture(scope="module")
def sqlite(client):
    """The tables' scalar columns, as Data Connect serves them, in an sqlite3 database."""
    database = sqlite3.connect(":memory:")
    for name in (*TABLES, INDIVIDUALS):
        table = BY_NAME[name]
        columns = [column.name for column in table.columns if column.type != "array"]
        local = name.replace(".", "_")
        database.execute(f"CREATE TABLE {local} ({', '.join(columns)})")
        rows = every_row(client, client.get(f"/data-connect/table/{name}/data"))
        database.executemany(
            f"INSERT INTO {local} VALUES ({', '.join('?' * len(columns))})",
            [[row[column] for column in columns] for row in rows],
        )
    return database


@pytest.mark.parametrize("query", QUERIES)
def test_search_answers_as_sqlite_does(client, sqlite, query):
    rows = every_row(client, client.post("/data-connect/search", json={"query": query}))
    local = query
    for name in (*TABLES, INDIVIDUALS):
        local = local.replace(name, name.replace(".", "_"))
    cursor = sqlite.execute(local)
    names = [column[0] for column in cursor.description]
    expected = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    if "ORDER BY" not in query:
        rows, expected = sorted(rows, key=repr), sorted(expected, key=repr)
    assert rows == expected
    assert expected  # every query here finds something in the demo
