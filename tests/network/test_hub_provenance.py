"""No node can pass its result sets, datasets or cohorts off as another's: a node answers for its
own beacon, under its registry id and country, and only a node registered as a hub relaying a
beacon (``relays``) may answer for that beacon (app/network/provenance.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from beacon_schemas import validate_framework
from network.hub_fixtures import entry, make_hub
from network.layout import NODES
from network.node_answers import node_answer
from network.queries import NetworkQuery

from app.network.collections import _cohorts_of
from app.network.merge import ANSWERED, NodeAnswer
from app.network.metadata import NodeMetadata
from app.network.registry import NodeEntry
from app.network.unions import datasets_by_node, datasets_union, unrelayable_datasets

JP = NODES["jp"]
FORGER_ID = "org.example.forger"


def forged_as_jp(query: NetworkQuery) -> dict[str, Any]:
    """An answer claiming a set of jp's first dataset, with jp's beacon id, node id and
    country, and a count jp never gave."""
    return node_answer(
        FORGER_ID,
        result_set={
            "id": JP.dataset_ids[0],
            "beaconId": JP.beacon_id,
            "resultsCount": 999,
            "info": {"nodeId": "jp", "country": "JP"},
        },
        responseSummary={"exists": True, "numTotalResults": 999},
    )


def jp_query(queries: list[NetworkQuery]) -> NetworkQuery:
    return next(q for q in queries if q.assembly == "GRCh38" and q.count_on("jp") > 0)


def ask(hub, query: NetworkQuery) -> dict[str, Any]:
    response = hub.client.get(
        f"/g_variants?{query.query_string('count', includeResultsetResponses='ALL')}"
    )
    assert response.status_code == 200
    answer = response.get_json()
    validate_framework(answer, "responses/beaconResultsetsResponse.json")
    return answer


@pytest.mark.parametrize("jp_is", ["up", "down"])
def test_a_node_cannot_present_its_sets_as_another_nodes(
    network, network_queries, extra_node, down_url, tmp_path, jp_is
):
    query = jp_query(network_queries)
    forger = extra_node("jp", settings={"BEACON_ID": FORGER_ID}, fault="answer")
    forger.misbehaving.answer = _json(forged_as_jp(query))
    jp_url = network.urls["jp"] if jp_is == "up" else down_url
    hub = make_hub(tmp_path, [entry("jp", jp_url, "JP"), entry("forger", forger.url, "KR")])
    answer = ask(hub, query)

    jp_sets = [s for s in answer["response"]["resultSets"] if s["beaconId"] == JP.beacon_id]
    if jp_is == "up":  # jp's own sets, as jp gave them, and nothing else in its name
        assert sorted((s["id"], s["resultsCount"]) for s in jp_sets) == sorted(
            (dataset_id, query.dataset_counts[dataset_id]) for dataset_id in JP.dataset_ids
        )
        assert {s["info"]["nodeId"] for s in jp_sets} == {"jp"}
        assert answer["responseSummary"]["numTotalResults"] == query.count_on("jp")
    else:  # jp did not answer (its beacon id unknown): nothing is in its beacon's name
        assert jp_sets == []
        (jp_set,) = [s for s in answer["response"]["resultSets"] if s["info"]["nodeId"] == "jp"]
        assert jp_set["info"]["unanswered"].startswith("its metadata could not be read")
        assert answer["responseSummary"]["numTotalResults"] == 0  # the forged count is not
    assert not [s for s in answer["response"]["resultSets"] if s["info"]["nodeId"] == "forger"]
    assert (
        f"node forger presented result sets of {JP.beacon_id}, another beacon's (the registry "
        "does not list it as a hub relaying them): left out"
    ) in answer["info"]["warnings"]


def test_a_nodes_own_sets_carry_its_registry_id_and_country_whatever_it_claims(
    network_queries, extra_node, tmp_path
):
    node = extra_node("jp", settings={"BEACON_ID": FORGER_ID}, fault="answer")
    node.misbehaving.answer = _json(
        node_answer(FORGER_ID, result_set={"info": {"nodeId": "jp", "country": "JP"}})
    )
    hub = make_hub(tmp_path, [entry("th", node.url, "TH")])
    (own,) = ask(hub, jp_query(network_queries))["response"]["resultSets"]
    assert (own["beaconId"], own["info"]["nodeId"], own["info"]["country"]) == (
        FORGER_ID,
        "th",
        "TH",
    )
    assert "relayedBy" not in own["info"]


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()


# --- the same rule on the nodes' metadata and cohorts (app/network/merge.py's: test_hub_merge) --
def answered(node_id: str, beacon_id: str, body: dict, relays=frozenset()) -> NodeAnswer:
    return NodeAnswer(node_id, "SG", beacon_id, ANSWERED, body=body, seconds=0.01, relays=relays)


def metadata(beacon_id: str, datasets: list[dict[str, Any]]) -> NodeMetadata:
    documents = {"datasets": {"response": {"collections": datasets}}}
    return NodeMetadata(beacon_id, documents, (), frozenset(), frozenset(), False)


def test_datasets_of_another_beacon_are_listed_only_through_a_hub_relaying_it():
    claimed = {"id": "jp-panel", "beaconId": "org.jp", "nodeId": "jp", "country": "JP"}
    own = {"id": "forger-panel", "nodeId": "jp", "country": "KR"}
    forger = NodeEntry("forger", "http://forger.test", "KR", "forger")
    sea = NodeEntry("sea", "http://sea.test", "SG", "sea", relays=frozenset({"org.jp"}))
    nodes = [
        (forger, metadata("org.forger", [claimed, own])),
        (sea, metadata("org.sea-hub", [claimed])),
    ]
    listed = [(d["beaconId"], d["id"], d["nodeId"], d["country"]) for d in datasets_union(nodes)]
    assert listed == [
        ("org.forger", "forger-panel", "forger", "KR"),  # its own, under its registry id
        ("org.jp", "jp-panel", "jp", "JP"),  # relayed by sea, as sea gives it
    ]
    assert {node: [d["id"] for d in found] for node, found in datasets_by_node(nodes).items()} == {
        "forger": ["forger-panel"],
        "sea": ["jp-panel"],
    }
    assert unrelayable_datasets(nodes) == [
        "node forger presented datasets of org.jp, another beacon's (the registry does not list "
        "it as a hub relaying them): left out"
    ]


def test_cohorts_of_another_beacon_come_only_through_a_hub_relaying_it():
    body = {"response": {"collections": [{"id": "c1", "beaconId": "org.jp"}, {"id": "c2"}]}}
    forger = answered("forger", "org.forger", body)
    sea = answered("sea", "org.sea-hub", body, frozenset({"org.jp"}))
    assert [(c["beaconId"], c["id"], c["nodeId"]) for c in _cohorts_of(forger)] == [
        ("org.forger", "c2", "forger")
    ]
    assert [(c["beaconId"], c["id"], c["nodeId"]) for c in _cohorts_of(sea)] == [
        ("org.jp", "c1", "sea"),
        ("org.sea-hub", "c2", "sea"),
    ]
