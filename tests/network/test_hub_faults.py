"""A hub whose nodes fail: each fault gives one exact answer, in time, and never a 5xx.

Every faulty node is a real node (a copy of jp under its own beacon id) behind a wrapper that
hangs, answers 500, answers JSON that is not a Beacon answer, or cuts its answer; plus a URL
where nothing listens and a node whose small counts are banded.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from beacon_schemas import validate_framework
from flask import Flask, jsonify
from network.hub_fixtures import TIMEOUT, entry, make_hub, write_registry
from network.layout import NODES
from network.queries import NetworkQuery
from network.served import ServedApp, closed_port_url, release_closed_port

from app.network.forwarding import PATH_HEADER
from app.network.health import BreakerSettings
from app.network.hub import Hub, NetworkSettings

COLLECT_MARGIN = 0.25  # app/network/hub.py: COLLECT_MARGIN_SECONDS
SLACK = 0.75  # the hub's own work and the test client, on a loaded 2-core machine
JP = NODES["jp"]


def small_jp_query(queries: list[NetworkQuery]) -> NetworkQuery:
    """A GRCh38 sequence query jp answers with a small count (1 to 4) in one dataset."""
    return next(
        query
        for query in queries
        if query.kind == "sequence"
        and query.assembly == "GRCh38"
        and 0 < query.dataset_counts[JP.dataset_ids[0]] < 5
    )


def copy_of_jp(extra_node, beacon_id: str, **options: Any):
    settings = {"BEACON_ID": beacon_id, **options.pop("settings", {})}
    return extra_node("jp", settings=settings, **options)


def ask(hub, query: NetworkQuery) -> tuple[dict, float]:
    began = time.perf_counter()
    response = hub.client.get(f"/g_variants?{query.query_string('count')}")
    elapsed = time.perf_counter() - began
    assert response.status_code == 200
    answer = response.get_json()
    validate_framework(answer, "responses/beaconResultsetsResponse.json")
    return answer, elapsed


def ask_in_vain(hub, query: NetworkQuery, status: int) -> tuple[str, float]:
    """Ask a query no node can answer: the hub's error answer, its message and the time."""
    began = time.perf_counter()
    response = hub.client.get(f"/g_variants?{query.query_string('count')}")
    elapsed = time.perf_counter() - began
    assert response.status_code == status
    body = response.get_json()
    validate_framework(body, "responses/beaconErrorResponse.json")
    assert body["error"]["errorCode"] == status
    return body["error"]["errorMessage"], elapsed


def unanswered(node_id: str, beacon_id: str | None, reason: str) -> dict[str, Any]:
    return {
        "id": beacon_id or node_id,
        "setType": "beacon",
        "beaconId": beacon_id or node_id,
        "exists": False,
        "resultsCount": 0,
        "results": [],
        "info": {
            "nodeId": node_id,
            "country": "JP",
            "returnedGranularity": "boolean",
            "countPrecision": "lowerBound",
            "unanswered": reason,
        },
    }


def jp_sets(query: NetworkQuery, node_id: str, beacon_id: str, banded: bool) -> list[dict]:
    sets = []
    for dataset_id in JP.dataset_ids:
        count = query.dataset_counts[dataset_id]
        info: dict[str, Any] = {
            "nodeId": node_id,
            "country": "JP",
            "returnedGranularity": "count",
            "countPrecision": "exact",
        }
        if banded and 0 < count < 5:
            count, info["countPrecision"], info["countBand"] = 5, "band", {"min": 1, "max": 4}
        sets.append(
            {
                "id": dataset_id,
                "setType": "dataset",
                "beaconId": beacon_id,
                "exists": count > 0,
                "resultsCount": count,
                "results": [],
                "info": info,
            }
        )
    return sets


def test_every_fault_gives_its_exact_answer_within_the_timeout(
    network, network_queries, extra_node, down_url, tmp_path
):
    query = small_jp_query(network_queries)
    hang = copy_of_jp(extra_node, "org.example.jp-hang", fault="hang", hang_seconds=5)
    error = copy_of_jp(extra_node, "org.example.jp-500", fault="error500")
    invalid = copy_of_jp(extra_node, "org.example.jp-invalid", fault="invalid_json")
    cut = copy_of_jp(extra_node, "org.example.jp-cut", fault="not_json")
    banding = copy_of_jp(
        extra_node, "org.example.jp-banding", settings={"SMALL_COUNT_THRESHOLD": 5}
    )
    hub = make_hub(
        tmp_path,
        [
            entry("jp", network.urls["jp"], "JP"),
            entry("hang", hang.url, "JP"),
            entry("error", error.url, "JP"),
            entry("invalid", invalid.url, "JP"),
            entry("cut", cut.url, "JP"),
            entry("down", down_url, "JP"),
            entry("banding", banding.url, "JP"),
        ],
        NETWORK_FAILURES_TO_OPEN=10,
    )
    answer, elapsed = ask(hub, query)
    assert TIMEOUT <= elapsed < TIMEOUT + COLLECT_MARGIN + SLACK

    sets = answer["response"]["resultSets"]
    hits = [s for s in sets if s["exists"]]
    assert hits == [
        s
        for s in jp_sets(query, "jp", JP.beacon_id, banded=False)
        + jp_sets(query, "banding", "org.example.jp-banding", banded=True)
        if s["exists"]
    ]
    exact = sum(query.dataset_counts[dataset_id] for dataset_id in JP.dataset_ids)
    # the banding node's counts: exact from 5 on, 1 to 4 banded and counted at the band's 1
    at_least = sum(min(query.dataset_counts[dataset_id], 1) for dataset_id in JP.dataset_ids)
    assert answer["responseSummary"] == {"exists": True, "numTotalResults": exact + at_least}
    assert answer["meta"]["returnedGranularity"] == "count"
    assert answer["info"]["network"]["numTotalResultsIsLowerBound"] is True

    everything = hub.client.get(
        f"/g_variants?{query.query_string('count', includeResultsetResponses='MISS')}"
    ).get_json()["response"]["resultSets"]
    failures = {s["info"]["nodeId"]: s for s in everything if "unanswered" in s["info"]}
    down_reason = failures["down"]["info"]["unanswered"]
    assert down_reason.startswith("its metadata could not be read: /info: unreachable (")
    assert failures == {
        "hang": unanswered("hang", "org.example.jp-hang", f"no answer within {TIMEOUT:g} s"),
        "error": unanswered(
            "error", "org.example.jp-500", "HTTP 500: the node failed (Misbehaving)"
        ),
        "invalid": unanswered(
            "invalid",
            "org.example.jp-invalid",
            "invalid answer (meta.beaconId is missing; responseSummary.exists is not true or "
            "false; response.resultSets is not a list)",
        ),
        "cut": unanswered("cut", "org.example.jp-cut", "answer is not JSON"),
        "down": unanswered("down", None, down_reason),
    }
    statuses = {r["nodeId"]: r["status"] for r in answer["info"]["network"]["nodes"]}
    assert statuses == {
        "jp": "answered",
        "banding": "answered",
        **{name: "failed" for name in ("hang", "error", "invalid", "cut", "down")},
    }
    for name, failure in failures.items():  # some nodes answered: the others are warned of
        assert (
            f"node {name} did not answer: {failure['info']['unanswered']}"
            in (answer["info"]["warnings"])
        )


def test_a_node_that_keeps_failing_is_skipped_for_a_cool_down_then_retried(
    network_queries, extra_node, tmp_path
):
    query = small_jp_query(network_queries)
    flaky = copy_of_jp(extra_node, "org.example.jp-flaky", fault="error500")
    hub = make_hub(
        tmp_path,
        [entry("flaky", flaky.url, "JP")],
        NETWORK_FAILURES_TO_OPEN=2,
        NETWORK_COOLDOWN=1.0,
    )
    for _ in range(2):
        message, _ = ask_in_vain(hub, query, 502)  # the only node failed: nobody answered
        assert (
            message == "no node could answer: node flaky: HTTP 500: the node failed (Misbehaving)"
        )
    assert len(flaky.seen.to("/g_variants")) == 2
    message, elapsed = ask_in_vain(hub, query, 502)
    assert "node flaky: not asked for " in message
    assert "after 2 failures in a row (circuit open)" in message
    assert len(flaky.seen.to("/g_variants")) == 2  # not asked
    assert elapsed < SLACK
    info = hub.client.get("/info").get_json()["response"]["info"]["network"]["nodes"][0]
    assert info["status"] == "failing" and info["health"]["circuitOpen"] is True

    flaky.misbehaving.mode = None  # it recovers; after the cool-down one trial goes through
    time.sleep(1.05)
    answer, _ = ask(hub, query)
    assert answer["responseSummary"]["exists"] is True
    assert len(flaky.seen.to("/g_variants")) == 3
    info = hub.client.get("/info").get_json()["response"]["info"]["network"]["nodes"][0]
    assert info["status"] == "healthy" and info["health"]["failuresInARow"] == 0


def test_a_node_that_goes_down_after_joining_is_reported_unreachable(
    network, network_queries, extra_node, tmp_path
):
    query = small_jp_query(network_queries)
    leaving = copy_of_jp(extra_node, "org.example.jp-leaving")
    hub = make_hub(
        tmp_path, [entry("jp", network.urls["jp"], "JP"), entry("leaving", leaving.url, "JP")]
    )
    first, _ = ask(hub, query)
    assert {s["beaconId"] for s in first["response"]["resultSets"]} == {
        JP.beacon_id,
        "org.example.jp-leaving",
    }
    leaving.stop()
    answer, elapsed = ask(hub, query)
    report = {r["nodeId"]: r for r in answer["info"]["network"]["nodes"]}["leaving"]
    assert report["status"] == "failed" and report["reason"].startswith("unreachable (")
    assert elapsed < TIMEOUT  # refused at once: no waiting for the timeout
    assert {s["beaconId"] for s in answer["response"]["resultSets"]} == {JP.beacon_id}


def invalid_beacon() -> Flask:
    """Answers every path with JSON that is no Beacon answer at all."""
    app = Flask("invalid_beacon")

    @app.route("/<path:anything>")
    def anything(anything: str):
        return jsonify({"response": {"id": 12}, "meta": "none"})

    return app


@pytest.fixture
def invalid_node():
    with ServedApp(invalid_beacon()) as served:
        yield served


def test_a_node_with_invalid_metadata_is_reported_and_never_breaks_the_hub(
    network, network_queries, invalid_node, tmp_path
):
    hub = make_hub(
        tmp_path,
        [entry("jp", network.urls["jp"], "JP"), entry("odd", invalid_node.url, "JP")],
    )
    info = hub.client.get("/info").get_json()
    validate_framework(info, "responses/beaconInfoResponse.json")
    odd = {n["id"]: n for n in info["response"]["info"]["network"]["nodes"]}["odd"]
    assert odd["status"] == "unavailable"
    assert odd["metadataError"].startswith("/info: invalid against the official schema (")
    for path in ("/map", "/configuration", "/entry_types", "/filtering_terms", "/datasets"):
        assert hub.client.get(path).status_code == 200
    answer, _ = ask(hub, small_jp_query(network_queries))
    report = {r["nodeId"]: r for r in answer["info"]["network"]["nodes"]}["odd"]
    assert report["reason"].startswith("its metadata could not be read: /info: invalid")
    assert answer["responseSummary"]["exists"] is True


def test_a_hub_with_no_node_up_still_answers_valid_informational_endpoints(down_url, tmp_path):
    hub = make_hub(tmp_path, [entry("down", down_url, "JP")])
    for path, schema in [
        ("/info", "responses/beaconInfoResponse.json"),
        ("/map", "responses/beaconMapResponse.json"),
        ("/configuration", "responses/beaconConfigurationResponse.json"),
        ("/entry_types", "responses/beaconEntryTypesResponse.json"),
        ("/filtering_terms", "responses/beaconFilteringTermsResponse.json"),
        ("/datasets", "responses/beaconCollectionsResponse.json"),
    ]:
        response = hub.client.get(path)
        assert response.status_code == 200, path
        validate_framework(response.get_json(), schema)
    for path in (  # queries no node could be asked: an error saying why, not "absent"
        "/g_variants?assemblyId=GRCh38&referenceName=chr1&start=100&referenceBases=A"
        "&alternateBases=G&includeResultsetResponses=ALL",
        "/cohorts",
    ):
        response = hub.client.get(path)
        assert response.status_code == 502, path
        answer = response.get_json()
        validate_framework(answer, "responses/beaconErrorResponse.json")
        assert answer["error"]["errorMessage"].startswith(
            "no node could answer: node down: its metadata could not be read: /info: unreach"
        )


@pytest.mark.parametrize(
    ("faults", "status"),
    [
        (("refuse", "refuse"), 403),  # the nodes' own refusal, when they agree
        (("hang", "hang"), 504),
        (("refuse", "error500"), 502),
        (("down", "down"), 502),  # no node usable: metadata unreadable
    ],
    ids=["all-refuse", "all-time-out", "refuse-and-fail", "none-usable"],
)
def test_when_no_node_can_answer_the_hub_answers_an_error_naming_each_node(
    network_queries, extra_node, tmp_path, faults, status
):
    entries = []
    for number, fault in enumerate(faults):
        name = f"{fault}-{number}"
        if fault == "down":
            url = closed_port_url()
        else:
            node = copy_of_jp(extra_node, f"org.example.{name}", fault=fault, hang_seconds=5)
            url = node.url
        entries.append(entry(name, url, "JP"))
    hub = make_hub(tmp_path, entries)
    message, elapsed = ask_in_vain(hub, small_jp_query(network_queries), status)
    assert message.startswith("no node could answer: ")
    for node in entries:
        assert f"node {node['id']}: " in message
    if "refuse" in faults:
        assert "HTTP 403: the node refuses this query (Misbehaving)" in message
    assert elapsed < TIMEOUT + COLLECT_MARGIN + SLACK


def test_a_query_every_node_is_rightly_skipped_for_is_absent_not_an_error(
    network, network_queries, tmp_path
):
    hub = make_hub(tmp_path, [entry("jp", network.urls["jp"], "JP")])
    grch37 = next(q for q in network_queries if q.assembly == "GRCh37")
    answer, _ = ask(hub, grch37)  # jp holds GRCh38 data only
    assert answer["responseSummary"] == {"exists": False, "numTotalResults": 0}
    (report,) = answer["info"]["network"]["nodes"]
    assert (report["status"], report["reason"]) == ("skipped", "it holds no GRCh37 data")


METADATA_ANSWERS = [  # the hub's answers made of its nodes' metadata
    ("/map", "responses/beaconMapResponse.json"),
    ("/configuration", "responses/beaconConfigurationResponse.json"),
    ("/entry_types", "responses/beaconEntryTypesResponse.json"),
    ("/filtering_terms", "responses/beaconFilteringTermsResponse.json"),
    ("/datasets?limit=0", "responses/beaconCollectionsResponse.json"),
]


def test_a_node_up_after_the_hub_is_read_within_seconds_and_said_missing_until_then(
    network, network_queries, extra_node, down_url, tmp_path
):
    hub = make_hub(tmp_path, [entry("jp", network.urls["jp"], "JP"), entry("late", down_url, "JP")])
    for path, schema in METADATA_ANSWERS:
        body = hub.client.get(path).get_json()
        validate_framework(body, schema)
        (warning,) = body["info"]["warnings"]
        assert warning.startswith(
            "node late is left out: its metadata could not be read: /info: unreachable ("
        ), path
    answer, _ = ask(hub, small_jp_query(network_queries))
    assert any(
        warning.startswith("node late did not answer: its metadata could not be read: /info")
        for warning in answer["info"]["warnings"]
    )

    copy_of_jp(extra_node, "org.example.jp-late", port=release_closed_port(down_url))
    began = time.monotonic()
    while True:  # a client asking now and then, as one would
        datasets = hub.client.get("/datasets?limit=0").get_json()
        if any(d["nodeId"] == "late" for d in datasets["response"]["collections"]):
            break
        assert time.monotonic() - began < 5, "the node that came up was not read within 5 s"
        time.sleep(0.1)
    assert "info" not in datasets  # nothing left to warn of
    assert sorted((d["nodeId"], d["id"]) for d in datasets["response"]["collections"]) == sorted(
        (node, d) for node in ("jp", "late") for d in JP.dataset_ids
    )


def test_a_node_not_read_yet_is_said_to_be_so(network, silent_url, tmp_path):
    jp = entry("jp", network.urls["jp"], "JP")
    hub = make_hub(tmp_path, [jp])
    hub.client.get("/datasets?limit=0")  # jp read, however long a busy machine takes
    hub.rewrite([jp, entry("silent", silent_url, "JP", timeout=4)])
    # another hub reading this one's metadata waits for first reads half a timeout at most
    from_a_hub = {PATH_HEADER: "another-hubs-instance"}
    datasets = hub.client.get("/datasets?limit=0", headers=from_a_hub).get_json()
    validate_framework(datasets, "responses/beaconCollectionsResponse.json")
    assert datasets["info"]["warnings"] == ["node silent is left out: its metadata is not read yet"]
    assert sorted(d["id"] for d in datasets["response"]["collections"]) == sorted(JP.dataset_ids)
    info = hub.client.get("/info", headers=from_a_hub).get_json()["response"]["info"]["network"]
    silent = {node["id"]: node for node in info["nodes"]}["silent"]
    assert (silent["status"], silent["problem"]) == ("unavailable", "its metadata is not read yet")


def test_failed_metadata_reads_are_retried_after_a_second_then_less_often_up_to_the_cool_down(
    down_url, tmp_path
):
    registry = write_registry(tmp_path / "nodes.json", [entry("down", down_url, "JP")])
    settings = NetworkSettings(str(registry), breaker=BreakerSettings(cooldown=10.0))
    hub = Hub(settings, "org.example.hub")
    try:
        (node,) = hub.nodes()
        holds = []
        for _ in range(6):
            hub.refresh()  # refused at once
            holds.append(hub._fresh_for(node))
        assert holds == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    finally:
        hub.close()
