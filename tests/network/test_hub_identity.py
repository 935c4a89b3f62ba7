"""Nodes that present one beacon id (the hub's own, or each other's): all asked, each answer kept
apart by ``info.nodeId``, every one reported with the fix; a plain beacon is never taken for a hub;
this hub itself is known by the instance id all its workers share."""

from __future__ import annotations

import pytest
from beacon_schemas import validate_framework
from network.hub_fixtures import entry, make_hub
from network.layout import NODES

from app import create_app
from app.store import open_store

JP = NODES["jp"]
SHARED = "org.example.shared-id"  # as two nodes started with the same default identity
FIX = "set ASIA_BEACON_BEACON_ID"
UNIONS = [
    ("/map", "responses/beaconMapResponse.json"),
    ("/configuration", "responses/beaconConfigurationResponse.json"),
    ("/entry_types", "responses/beaconEntryTypesResponse.json"),
    ("/filtering_terms", "responses/beaconFilteringTermsResponse.json"),
    ("/datasets?limit=0", "responses/beaconCollectionsResponse.json"),
]


def jp_query(queries):
    return next(q for q in queries if q.kind == "range" and q.count_on("jp") >= 2)


def warnings_about(warnings: list[str], node_id: str) -> list[str]:
    return [text for text in warnings if text.startswith(f"node {node_id}: ")]


@pytest.mark.parametrize("hub_id", [SHARED, "org.example.own-hub"], ids=["hubs-id", "own-id"])
def test_nodes_sharing_a_beacon_id_are_all_asked_and_each_is_reported(
    extra_node, network_queries, tmp_path, hub_id
):
    one = extra_node("jp", settings={"BEACON_ID": SHARED})
    two = extra_node("jp", settings={"BEACON_ID": SHARED})
    hub = make_hub(tmp_path, [entry("one", one.url, "JP"), entry("two", two.url, "JP")], hub_id)
    query = jp_query(network_queries)

    response = hub.client.get(f"/g_variants?{query.query_string('count')}")
    assert response.status_code == 200
    answer = response.get_json()
    validate_framework(answer, "responses/beaconResultsetsResponse.json")
    # both nodes hold the same data: each one's sets are kept, told apart by info.nodeId
    assert answer["responseSummary"]["numTotalResults"] == 2 * query.count_on("jp")
    assert sorted((s["info"]["nodeId"], s["id"]) for s in answer["response"]["resultSets"]) == [
        (node, d) for node in ("one", "two") for d in JP.dataset_ids if query.dataset_counts[d]
    ]
    reports = {r["nodeId"]: r["status"] for r in answer["info"]["network"]["nodes"]}
    assert reports == {"one": "answered", "two": "answered"}
    assert len(one.seen.to("/g_variants")) == len(two.seen.to("/g_variants")) == 1
    for node_id, other in (("one", "two"), ("two", "one")):
        (warning,) = warnings_about(answer["info"]["warnings"], node_id)
        assert SHARED in warning and f"node {other}" in warning and FIX in warning
        assert ("this hub" in warning) is (hub_id == SHARED)

    info = hub.client.get("/info").get_json()
    validate_framework(info, "responses/beaconInfoResponse.json")
    network = info["response"]["info"]["network"]
    nodes = {node["id"]: node for node in network["nodes"]}
    for node_id in ("one", "two"):
        assert nodes[node_id]["status"] == "sharedBeaconId"
        assert nodes[node_id]["isHub"] is False  # a plain beacon, whatever its id
        assert FIX in nodes[node_id]["problem"]
        assert warnings_about(network["warnings"], node_id)

    for path, schema in UNIONS:
        body = hub.client.get(path).get_json()
        validate_framework(body, schema)
        for node_id in ("one", "two"):
            assert warnings_about(body["info"]["warnings"], node_id), path
    datasets = hub.client.get("/datasets?limit=0").get_json()["response"]["collections"]
    assert sorted((d["nodeId"], d["beaconId"], d["id"]) for d in datasets) == sorted(
        (node, SHARED, d) for node in ("one", "two") for d in JP.dataset_ids
    )


def test_a_node_with_its_own_beacon_id_gives_no_warning(network, tmp_path):
    hub = make_hub(tmp_path, [entry("jp", network.urls["jp"], "JP")])
    for path, _ in UNIONS:
        assert "info" not in hub.client.get(path).get_json(), path
    network_info = hub.client.get("/info").get_json()["response"]["info"]["network"]
    assert network_info["warnings"] == []
    assert network_info["nodes"][0]["problem"] is None


def hub_app(tmp_path, beacon_id: str, nodes_file: str, **config):
    (tmp_path / nodes_file).write_text('{"nodes": []}', encoding="utf-8")
    settings = {
        "TESTING": True,
        "BEACON_ID": beacon_id,
        "NETWORK_NODES": str(tmp_path / nodes_file),
        "LOG_FORMAT": "text",
        **config,
    }
    return create_app(settings, store=open_store(f"mongomock://memory/identity-{id(settings)}"))


def instance_id(app) -> str:
    return app.test_client().get("/info").get_json()["response"]["info"]["network"]["instanceId"]


def test_a_hub_without_a_given_instance_id_derives_one_stable_for_its_configuration(tmp_path):
    first = instance_id(hub_app(tmp_path, "org.example.hub-a", "a.json"))
    assert first == instance_id(hub_app(tmp_path, "org.example.hub-a", "a.json"))  # a worker
    assert first != instance_id(hub_app(tmp_path, "org.example.hub-b", "a.json"))
    assert first != instance_id(hub_app(tmp_path, "org.example.hub-a", "b.json"))
    given = hub_app(tmp_path, "org.example.hub-a", "a.json", NETWORK_INSTANCE_ID="run-7f3a")
    assert instance_id(given) == "run-7f3a"


def test_an_instance_id_that_cannot_travel_in_a_header_is_refused(tmp_path):
    with pytest.raises(ValueError, match="NETWORK_INSTANCE_ID"):
        hub_app(tmp_path, "org.example.hub-a", "a.json", NETWORK_INSTANCE_ID="a,b")
