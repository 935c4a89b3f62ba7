"""A node answering what no Beacon node should: nested without end, fields of the wrong kind,
records at count granularity, more than its share of the query's memory. Each is that node's
failed (or trimmed) result set, counted against its circuit breaker, and never reaches the
caller as a 5xx; the hub's answer stays valid against the official schemas."""

from __future__ import annotations

import json
from typing import Any

import pytest
from beacon_schemas import validate_framework
from flask import Flask, Response
from network.hub_fixtures import entry, make_hub
from network.layout import NODES
from network.node_answers import node_answer
from network.queries import NetworkQuery
from network.served import ServedApp

JP = NODES["jp"]
HOSTILE_ID = "org.example.hostile"


def beacon_answer(granularity: str = "count", **changes: Any) -> dict[str, Any]:
    return node_answer(HOSTILE_ID, granularity, **changes)


def test_the_answer_hostile_ones_are_made_from_is_a_valid_beacon_answer():
    validate_framework(beacon_answer(), "responses/beaconResultsetsResponse.json")
    validate_framework(padded_answer(3), "responses/beaconResultsetsResponse.json")


def nested(depth: int) -> Any:
    value: Any = {}
    for _ in range(depth):
        value = {"a": [value]}
    return value


def small_jp_query(queries: list[NetworkQuery]) -> NetworkQuery:
    return next(q for q in queries if q.assembly == "GRCh38" and q.count_on("jp") > 0)


def ask(hub, query: NetworkQuery, granularity: str = "count") -> dict[str, Any]:
    response = hub.client.get(
        f"/g_variants?{query.query_string(granularity, includeResultsetResponses='ALL')}"
    )
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    validate_framework(answer, "responses/beaconResultsetsResponse.json")
    return answer


def reports(answer: dict) -> dict[str, dict]:
    return {report["nodeId"]: report for report in answer["info"]["network"]["nodes"]}


def node_health(hub, node_id: str) -> dict[str, Any]:
    nodes = hub.client.get("/info").get_json()["response"]["info"]["network"]["nodes"]
    return {node["id"]: node for node in nodes}[node_id]["health"]


HOSTILE_BODIES = {
    # deeper than any JSON parser recurses: json.loads raises RecursionError
    "nested past the parser": b"[" * 100_000 + b"]" * 100_000,
    # parsed, then too deep for what the hub does with it (validate, merge, serialize)
    "nested record": json.dumps(
        beacon_answer("record", result_set={"results": [nested(400)]})
    ).encode(),
    "nested warning info": json.dumps(beacon_answer(info={"deep": nested(400)})).encode(),
    "warnings not a list": json.dumps(beacon_answer(info={"warnings": 5})).encode(),
    "schemas not a list": json.dumps(beacon_answer(meta={"returnedSchemas": 5})).encode(),
    "band of objects": json.dumps(
        beacon_answer(result_set={"info": {"countBand": {"min": {}, "max": "4"}}})
    ).encode(),
    "records not objects": json.dumps(
        beacon_answer("record", result_set={"results": [1, [2]]})
    ).encode(),
}


NESTED = "answer nested more than 64 deep"
HOSTILE_REASONS = {
    "nested past the parser": NESTED,
    "nested record": NESTED,
    "nested warning info": NESTED,
    "warnings not a list": "invalid answer (info.warnings is not a list of texts)",
    "schemas not a list": "invalid answer (meta.returnedSchemas is not a list of objects)",
    "band of objects": (
        "invalid answer (response.resultSets[0]: info.countBand is not a min and max count)"
    ),
    "records not objects": "invalid answer (response.resultSets[0]: results is not a list of "
    "objects)",
}


@pytest.mark.parametrize("schemas", [True, False], ids=["official-schemas", "shape-checks"])
@pytest.mark.parametrize("hostile", list(HOSTILE_BODIES))
def test_a_hostile_answer_is_that_nodes_failure_never_the_querys(
    network, network_queries, extra_node, tmp_path, hostile, schemas
):
    node = extra_node("jp", settings={"BEACON_ID": HOSTILE_ID}, fault="answer")
    node.misbehaving.answer = HOSTILE_BODIES[hostile]
    hub = make_hub(
        tmp_path,
        [entry("jp", network.urls["jp"], "JP"), entry("hostile", node.url, "JP")],
        **({} if schemas else {"SCHEMAS_DIR": ""}),
    )
    query = small_jp_query(network_queries)
    answer = ask(hub, query)
    assert answer["responseSummary"]["numTotalResults"] == query.count_on("jp")
    report = reports(answer)["hostile"]
    assert (report["status"], report["reason"]) == ("failed", HOSTILE_REASONS[hostile])
    assert node_health(hub, "hostile")["failuresInARow"] == 1


def nested_everywhere() -> Flask:
    """A node whose every answer, its metadata too, nests past what a parser recurses."""
    app = Flask("nested_everywhere")

    @app.route("/<path:anything>")
    def anything(anything: str):
        return Response(b"[" * 100_000 + b"]" * 100_000, mimetype="application/json")

    return app


def test_metadata_nested_without_end_makes_the_node_unavailable_saying_why(
    network, network_queries, tmp_path
):
    with ServedApp(nested_everywhere()) as served:
        hub = make_hub(
            tmp_path, [entry("jp", network.urls["jp"], "JP"), entry("deep", served.url, "JP")]
        )
        answer = ask(hub, small_jp_query(network_queries))
        info = hub.client.get("/info").get_json()["response"]["info"]["network"]["nodes"]
    deep = {node["id"]: node for node in info}["deep"]
    assert (deep["status"], deep["metadataError"]) == (
        "unavailable",
        "/info: answer nested more than 64 deep",
    )
    assert deep["health"]["failuresInARow"] == 1
    assert reports(answer)["deep"]["reason"] == (
        "its metadata could not be read: /info: answer nested more than 64 deep"
    )


def test_records_from_a_node_answering_at_count_granularity_are_dropped(
    network, network_queries, extra_node, tmp_path
):
    record = {"variantInternalId": "GRCh38:1:100:A:G", "secret": "a record"}
    node = extra_node("jp", settings={"BEACON_ID": HOSTILE_ID}, fault="answer")
    node.misbehaving.answer = json.dumps(
        beacon_answer(
            "count", result_set={"results": [record], "info": {"returnedGranularity": "record"}}
        )
    ).encode()
    hub = make_hub(
        tmp_path, [entry("jp", network.urls["jp"], "JP"), entry("counts", node.url, "JP")]
    )
    answer = ask(hub, small_jp_query(network_queries), "record")
    (from_node,) = [s for s in answer["response"]["resultSets"] if s["beaconId"] == HOSTILE_ID]
    assert (from_node["resultsCount"], from_node["results"]) == (1, [])
    assert from_node["info"]["returnedGranularity"] == "count"
    assert answer["meta"]["returnedGranularity"] == "count"


def padded_answer(padding: int) -> dict[str, Any]:
    """A valid count answer carrying ``padding`` small values in its ``info``."""
    return beacon_answer(info={"padding": [0] * padding})


def test_a_node_answering_more_than_its_share_of_the_querys_memory_is_refused(
    network, network_queries, extra_node, tmp_path
):
    """Answers are counted as what they take parsed: their bytes and 64 per value."""
    node = extra_node("jp", settings={"BEACON_ID": HOSTILE_ID}, fault="answer")
    node.misbehaving.answer = json.dumps(padded_answer(5_000)).encode()  # 330 kB parsed
    memory = {"NETWORK_QUERY_MEMORY_MB": 0.5}
    query = small_jp_query(network_queries)
    (tmp_path / "alone").mkdir(), (tmp_path / "two").mkdir()

    alone = make_hub(tmp_path / "alone", [entry("big", node.url, "JP")], "org.example.a", **memory)
    assert reports(ask(alone, query))["big"]["status"] == "answered"  # all 512 kB its own

    two = make_hub(
        tmp_path / "two",
        [entry("jp", network.urls["jp"], "JP"), entry("big", node.url, "JP")],
        "org.example.b",
        **memory,
    )
    answer = ask(two, query)
    assert reports(answer)["jp"]["status"] == "answered"
    assert (reports(answer)["big"]["status"], reports(answer)["big"]["reason"]) == (
        "failed",
        "answer larger than the hub accepts here (262,144 bytes)",
    )
