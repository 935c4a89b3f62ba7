"""Data Connect on a hub over real nodes served on 127.0.0.1: the network's catalog table (one
row per dataset of every node, with the node's status) checked against each node's own
/datasets, SQL over it, paging, and the tables a hub does not serve."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from catalog_fixtures import (
    DOWN_NODE,
    NODES,
    ServedNetwork,
    fetch_json,
    served_network,
)
from jsonschema import Draft7Validator
from openapi_spec_validator import validate as validate_openapi

from app import create_app
from app.catalog.laws import bundled_registry
from app.dataconnect.tables import TABLES
from app.network.context import HUB_KEY
from app.network.dataset_rows import network_dataset_rows

TABLE = "asia_beacon.network.datasets"
LAWS = "asia_beacon.catalog.privacy_laws"
PAGE = 2  # rows per page: every query here spans pages
DATASET_COLUMNS = ("dataset_id", "name", "description", "organization", "populations")


@pytest.fixture(scope="module")
def network(tmp_path_factory) -> Iterator[ServedNetwork]:
    directory = tmp_path_factory.mktemp("network")
    with served_network(directory, hub_config={"DATA_CONNECT_PAGE_SIZE": PAGE}) as served:
        yield served


@pytest.fixture(scope="module")
def client(network):
    return network.hub.test_client()


def every_page(client, response) -> list[dict]:
    """The rows of a first page and of every page its ``next_page_url`` leads to (GET)."""
    rows = []
    while True:
        assert response.status_code == 200, response.json
        assert len(response.json["data"]) <= PAGE
        rows.extend(response.json["data"])
        following = response.json.get("pagination", {}).get("next_page_url")
        if not following:
            return rows
        response = client.get(following.removeprefix("http://localhost"))


def search(client, query: str, *parameters) -> list[dict]:
    body = {"query": query, "parameters": list(parameters)}
    return every_page(client, client.post("/data-connect/search", json=body))


def expected_rows(network: ServedNetwork) -> list[dict]:
    """The table as the nodes themselves describe their datasets to any client: their /info
    and /datasets, read directly; the node that does not answer has one row of its own."""
    rows = []
    names = {spec.id: spec.name for spec in NODES}
    for node_id, url in network.node_urls.items():
        beacon_id = fetch_json(f"{url}/info")["response"]["id"]
        for record in fetch_json(f"{url}/datasets")["response"]["collections"]:
            terms = record.get("dataUseConditions", {}).get("duoDataUse", [])
            rows.append(
                {
                    "beacon_id": beacon_id,
                    "node_id": node_id,
                    "node_name": names[node_id],
                    "node_url": url,
                    "node_status": "healthy",
                    "node_problem": None,
                    "country": record["country"],
                    "dataset_id": record["id"],
                    "name": record["name"],
                    "description": record.get("description"),
                    "organization": record.get("organization"),
                    "populations": record["populations"],
                    "duo_codes": [term["id"] for term in terms],
                    "duo_labels": [term["label"] for term in terms],
                    "privacy_laws": record["privacyLaws"],
                    "access_level": record["accessLevel"],
                }
            )
    return rows


def test_the_hub_serves_the_network_table_and_the_privacy_laws_only(client):
    listed = client.get("/data-connect/tables").json["tables"]
    assert [table["name"] for table in listed] == [TABLE, LAWS]
    for table in listed:
        Draft7Validator.check_schema(table["data_model"])
        assert client.get(f"/data-connect/table/{table['name']}/info").json == table
    assert "null dataset columns" in listed[0]["description"]

    for node_table in ("asia_beacon.beacon.variants", "asia_beacon.catalog.datasets"):
        missing = client.get(f"/data-connect/table/{node_table}/info")
        assert missing.status_code == 404
        assert missing.json["errors"][0]["title"] == "Table not found"
        refused = client.post("/data-connect/search", json={"query": f"SELECT * FROM {node_table}"})
        assert refused.status_code == 400
        assert (
            f"no table '{node_table}'; tables: {TABLE}, {LAWS}"
            in (refused.json["errors"][0]["detail"])
        )


def test_rows_are_the_datasets_each_node_describes(network, client):
    rows = every_page(client, client.get(f"/data-connect/table/{TABLE}/data"))
    live = [row for row in rows if row["node_id"] != DOWN_NODE]
    expected = expected_rows(network)
    assert [{column: row[column] for column in expected[0]} for row in live] == expected
    assert all(row["metadata_read_at"] for row in live)
    # registry order: nodes as the registry lists them, datasets as each node does
    assert [row["node_id"] for row in rows] == ["jp", "jp", "my", "sg", DOWN_NODE]


def test_the_node_that_is_down_has_one_row_saying_why(client):
    [row] = search(client, f"SELECT * FROM {TABLE} WHERE node_status = 'unavailable'")
    assert (row["node_id"], row["node_name"], row["country"]) == (DOWN_NODE, "Korea node", "KR")
    assert row["node_problem"].startswith("its metadata could not be read: /info: unreachable")
    assert "Connection refused" in row["node_problem"]
    assert row["beacon_id"] is None and row["metadata_read_at"] is None
    assert all(row[column] is None for column in (*DATASET_COLUMNS, "duo_codes", "access_level"))


def test_sql_counts_the_datasets_of_each_country(network, client):
    described = Counter(row["country"] for row in expected_rows(network))
    grouped = search(
        client,
        f"SELECT country, count(dataset_id) AS datasets FROM {TABLE} "
        "GROUP BY country ORDER BY country",
    )
    assert grouped == [
        {"country": country, "datasets": described.get(country, 0)}
        for country in sorted({*described, "KR"})
    ]
    rows = search(
        client,
        f"SELECT country, count(*) AS n FROM {TABLE} WHERE dataset_id IS NOT NULL "
        "GROUP BY country ORDER BY n DESC, country",
    )
    assert rows[0] == {"country": "JP", "n": 2}
    assert {row["country"]: row["n"] for row in rows} == dict(described)


def test_sql_finds_datasets_by_consent_law_and_population(client):
    general = search(
        client,
        f"SELECT node_id, dataset_id FROM {TABLE} WHERE contains(duo_codes, ?)",
        "DUO:0000042",
    )
    assert general == [{"node_id": "jp", "dataset_id": "jp-panel"}]
    gdpr = search(client, f"SELECT dataset_id FROM {TABLE} WHERE contains(privacy_laws, 'eu-gdpr')")
    assert gdpr == [{"dataset_id": "sg-cohort"}]
    malay = search(
        client,
        f"SELECT DISTINCT country FROM {TABLE} WHERE contains(populations, 'Malay') "
        "AND node_status = 'healthy' ORDER BY country",
    )
    assert malay == [{"country": "MY"}, {"country": "SG"}]
    labels = search(client, f"SELECT duo_labels FROM {TABLE} WHERE dataset_id = 'jp-rare-disease'")
    assert labels == [{"duo_labels": ["disease specific research"]}]


def test_search_pages_yield_every_row_once(network, client):
    ordered = search(client, f"SELECT node_id, dataset_id FROM {TABLE} ORDER BY country DESC")
    assert len(ordered) == 5 > PAGE
    keys = [(row["node_id"], row["dataset_id"]) for row in ordered]
    assert len(set(keys)) == len(keys)
    assert [row["node_id"] for row in ordered] == ["sg", "my", DOWN_NODE, "jp", "jp"]


def test_the_privacy_laws_table_holds_every_law_the_network_cites(client):
    laws = search(client, f"SELECT id, jurisdiction FROM {LAWS}")
    assert len(laws) == len(bundled_registry().entries)
    rows = search(client, f"SELECT privacy_laws FROM {TABLE} WHERE privacy_laws IS NOT NULL")
    cited = {law for row in rows for law in row["privacy_laws"]}
    assert cited == {"jp-appi", "my-pdpa", "sg-pdpa", "eu-gdpr"}
    assert cited <= {law["id"] for law in laws}


def test_a_node_keeps_its_own_tables(network):
    node = fetch_json(f"{network.node_urls['jp']}/data-connect/tables")
    assert [table["name"] for table in node["tables"]] == [table.name for table in TABLES]
    assert TABLE not in {table["name"] for table in node["tables"]}


def test_the_openapi_document_builds_on_the_hub_and_on_a_node(client, empty_store):
    for document in (
        client.get("/openapi.json").json,
        create_app({"TESTING": True}, store=empty_store).test_client().get("/openapi.json").json,
    ):
        validate_openapi(document)
        assert "/data-connect/search" in document["paths"]


@pytest.fixture
def fragile_network(tmp_path: Path) -> Iterator[ServedNetwork]:
    """Japan alone, skipped after its first failure."""
    config = {
        "NETWORK_FAILURES_TO_OPEN": 1,
        "NETWORK_COOLDOWN": 600,
        "DATA_CONNECT_PAGE_SIZE": PAGE,
    }
    with served_network(tmp_path, nodes=NODES[:1], hub_config=config) as served:
        yield served


def test_a_node_failing_a_query_changes_its_rows_which_keep_its_datasets(fragile_network):
    client = fragile_network.hub.test_client()
    query = f"SELECT node_id, node_status, node_problem, dataset_id FROM {TABLE} ORDER BY node_id"
    before = search(client, query)
    assert [(row["node_id"], row["node_status"]) for row in before] == [
        ("jp", "healthy"),
        ("jp", "healthy"),
        (DOWN_NODE, "unavailable"),
    ]

    fragile_network.stop("jp")
    variant = "assemblyId=GRCh38&referenceName=1&start=99&referenceBases=A&alternateBases=G"
    # jp fails (no node could answer: 502) and its circuit opens
    assert client.get(f"/g_variants?{variant}").status_code == 502
    failing = search(client, query)[:2]
    assert {row["node_status"] for row in failing} == {"failing"}
    assert [row["dataset_id"] for row in failing] == ["jp-panel", "jp-rare-disease"]
    assert "circuit open after 1 failures in a row" in failing[0]["node_problem"]

    fragile_network.hub.extensions[HUB_KEY].refresh()  # its metadata is read again, and fails
    unavailable = search(client, query)[:2]
    assert {row["node_status"] for row in unavailable} == {"unavailable"}
    assert [row["dataset_id"] for row in unavailable] == ["jp-panel", "jp-rare-disease"]


# --- the rows, from plain reports (no Flask, no HTTP) -----------------------------------------
def test_rows_from_reports_and_records():
    reports = [
        {
            "id": "a",
            "name": "A",
            "url": "http://a",
            "country": "JP",
            "status": "healthy",
            "beaconId": "org.a",
            "metadataReadAt": "2026-01-01T00:00:00+00:00",
        },
        {
            "id": "b",
            "name": "b",
            "url": "http://b",
            "country": "KR",
            "status": "unavailable",
            "metadataError": "/info: HTTP 500",
        },
    ]
    records = {
        "a": [
            {
                "id": "d1",
                "beaconId": "org.relayed",
                "name": 7,  # a node's odd value: written out, not dropped
                "populations": ["X", None],
                "dataUseConditions": {
                    "duoDataUse": [{"id": "DUO:0000042"}, {"id": "DUO:0000006", "label": "hmb"}]
                },
            },
            {"id": "d2", "country": "TH", "privacyLaws": "th-pdpa"},
        ]
    }
    first, second, placeholder = network_dataset_rows(reports, records)
    assert [first["_id"], second["_id"], placeholder["_id"]] == [
        "0000/00000",
        "0000/00001",
        "0001/",
    ]
    assert (first["beacon_id"], first["node_id"], first["country"]) == ("org.relayed", "a", "JP")
    assert (first["name"], first["populations"]) == ("7", ["X"])
    assert first["duo_codes"] == ["DUO:0000042", "DUO:0000006"]
    assert first["duo_labels"] == ["", "hmb"]  # in step with the codes
    assert (second["beacon_id"], second["country"], second["privacy_laws"]) == ("org.a", "TH", None)
    assert second["duo_codes"] is None and second["duo_labels"] is None
    assert placeholder["node_problem"] == "its metadata could not be read: /info: HTTP 500"
    assert placeholder["beacon_id"] is None and placeholder["dataset_id"] is None
    assert placeholder["country"] == "KR"
