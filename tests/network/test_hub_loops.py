"""Hubs of hubs: a hub listing itself, two hubs listing each other, a hub reached through another,
and the hop limit. No loop, no dataset counted twice."""

from __future__ import annotations

import time

import pytest
from beacon_schemas import validate_framework
from network.hub_fixtures import entry, make_hub
from network.layout import NODES
from network.served import ServedApp

from app.network.forwarding import HOPS_HEADER, PATH_HEADER

JP, KR = NODES["jp"], NODES["kr"]
HUB_A, HUB_B, HUB_C = "org.example.hub-a", "org.example.hub-b", "org.example.hub-c"


@pytest.fixture
def served_hubs():
    """Serve hub applications on 127.0.0.1; all stopped after the test."""
    started: list[ServedApp] = []

    def serve(hub) -> ServedApp:
        served = ServedApp(hub.app)
        started.append(served)
        return served

    yield serve
    for served in started:
        served.stop()


def jp_query(queries):
    return next(q for q in queries if q.kind == "range" and q.count_on("jp") >= 2)


def kr_query(queries):
    return next(q for q in queries if q.assembly == "GRCh37" and q.count_on("kr") >= 5)


def ask(hub, query, granularity: str = "count") -> dict:
    began = time.perf_counter()
    response = hub.client.get(f"/g_variants?{query.query_string(granularity)}")
    assert response.status_code == 200
    assert time.perf_counter() - began < 5
    answer = response.get_json()
    validate_framework(answer, "responses/beaconResultsetsResponse.json")
    return answer


def keys(answer: dict) -> list[tuple[str, str]]:
    return [(s["beaconId"], s["id"]) for s in answer["response"]["resultSets"]]


def reports(answer: dict) -> dict[str, dict]:
    return {report["nodeId"]: report for report in answer["info"]["network"]["nodes"]}


def test_a_hub_listing_itself_never_asks_itself(
    fresh_network, network_queries, served_hubs, tmp_path
):
    hub = make_hub(tmp_path, [entry("jp", fresh_network.urls["jp"], "JP")], HUB_A)
    served = served_hubs(hub)
    hub.rewrite([entry("jp", fresh_network.urls["jp"], "JP"), entry("me", served.url, "JP")])
    query = jp_query(network_queries)
    answer = ask(hub, query)
    assert reports(answer)["me"]["status"] == "skipped"
    assert reports(answer)["me"]["reason"] == "this hub itself"
    assert served.seen.to("/g_variants") == []
    assert answer["responseSummary"]["numTotalResults"] == query.count_on("jp")
    assert sorted(keys(answer)) == sorted(
        (JP.beacon_id, d) for d in JP.dataset_ids if query.dataset_counts[d]
    )
    status = hub.client.get("/info").get_json()["response"]["info"]["network"]["nodes"]
    assert {node["id"]: node["status"] for node in status} == {"jp": "healthy", "me": "self"}


def test_a_dataset_reached_directly_and_through_another_hub_counts_once(
    fresh_network, network_queries, served_hubs, tmp_path
):
    urls = fresh_network.urls
    hub_b = make_hub(
        tmp_path,
        [entry("jp", urls["jp"], "JP"), entry("kr", urls["kr"], "KR", referenceNaming="ensembl")],
        HUB_B,
    )
    served_b = served_hubs(hub_b)
    relays = [JP.beacon_id, KR.beacon_id]  # hub B may answer for jp and kr
    hub_a = make_hub(
        tmp_path,
        [entry("jp", urls["jp"], "JP"), entry("sea", served_b.url, "SG", relays=relays)],
        HUB_A,
    )
    query = jp_query(network_queries)
    answer = ask(hub_a, query)
    assert answer["responseSummary"]["numTotalResults"] == query.count_on("jp")
    assert sorted(keys(answer)) == sorted(
        (JP.beacon_id, d) for d in JP.dataset_ids if query.dataset_counts[d]
    )
    assert {s["info"]["nodeId"] for s in answer["response"]["resultSets"]} == {"jp"}
    assert len(fresh_network.nodes["jp"].seen.to("/g_variants")) == 2  # A and B both asked it

    grch37 = kr_query(network_queries)
    relayed = ask(hub_a, grch37)  # kr is reached only through hub B
    # kr bands its counts: the hub sums what is sure, the low end of the band
    assert relayed["responseSummary"]["numTotalResults"] == grch37.count_on("kr") // 5 * 5
    (kr_set,) = relayed["response"]["resultSets"]
    shown = ("beaconId", "nodeId", "country", "relayedBy")
    assert [kr_set.get(key, kr_set["info"].get(key)) for key in shown] == [
        KR.beacon_id,
        "kr",  # hub B's id for it
        "KR",
        "sea",  # the node of hub A it came through
    ]
    datasets = hub_a.client.get("/datasets?limit=0").get_json()["response"]["collections"]
    listed = [(d["beaconId"], d["id"]) for d in datasets]
    assert sorted(listed) == sorted(
        [(JP.beacon_id, d) for d in JP.dataset_ids] + [(KR.beacon_id, d) for d in KR.dataset_ids]
    )


def test_two_hubs_listing_each_other_do_not_loop(
    fresh_network, network_queries, served_hubs, tmp_path
):
    urls = fresh_network.urls
    hub_a = make_hub(tmp_path, [], HUB_A)
    hub_b = make_hub(tmp_path, [], HUB_B)
    served_a, served_b = served_hubs(hub_a), served_hubs(hub_b)
    hub_a.rewrite([entry("b", served_b.url, "SG", relays=[JP.beacon_id])])
    hub_b.rewrite([entry("a", served_a.url, "SG"), entry("jp", urls["jp"], "JP")])
    query = jp_query(network_queries)
    answer = ask(hub_a, query)
    assert answer["responseSummary"]["numTotalResults"] == query.count_on("jp")
    (asked_jp,) = fresh_network.nodes["jp"].seen.to("/g_variants")
    path = [hub_network_info(hub)["instanceId"] for hub in (hub_a, hub_b)]
    assert asked_jp.header(PATH_HEADER) == ",".join(path)
    assert asked_jp.header(HOPS_HEADER) == "2"
    assert served_a.seen.to("/g_variants") == []  # B did not ask A back
    on_b = ask(hub_b, query)  # and the other way round
    assert on_b["responseSummary"]["numTotalResults"] == query.count_on("jp")


def test_the_hop_limit_stops_a_chain_of_hubs(fresh_network, network_queries, served_hubs, tmp_path):
    hub_c = make_hub(tmp_path, [entry("jp", fresh_network.urls["jp"], "JP")], HUB_C)
    served_c = served_hubs(hub_c)
    hub_b = make_hub(tmp_path, [entry("c", served_c.url, "SG")], HUB_B)
    served_b = served_hubs(hub_b)
    hub_a = make_hub(tmp_path, [entry("b", served_b.url, "SG")], HUB_A, NETWORK_MAX_HOPS=2)
    query = jp_query(network_queries)
    answer = ask(hub_a, query)
    assert answer["responseSummary"]["exists"] is False
    assert fresh_network.nodes["jp"].seen.to("/g_variants") == []
    (relayed,) = served_b.seen.to("/g_variants")
    assert relayed.header(HOPS_HEADER) == "1"
    # hub B (hops 1 of 2) does not send the query on to hub C
    assert served_c.seen.to("/g_variants") == []

    deep = make_hub(tmp_path, [entry("b", served_b.url, "SG")], "org.example.hub-d")
    deep.app.config["TESTING"] = True
    limited = deep.client.get(
        f"/g_variants?{query.query_string('count')}", headers={HOPS_HEADER: "2"}
    ).get_json()
    assert reports(limited)["b"]["status"] == "skipped"
    assert "crossed 2 hubs" in reports(limited)["b"]["reason"]


def hub_network_info(hub) -> dict:
    return hub.client.get("/info").get_json()["response"]["info"]["network"]


def test_two_hubs_sharing_a_beacon_id_are_told_apart_by_their_instance_ids(
    fresh_network, network_queries, served_hubs, tmp_path
):
    shared = "org.example.shared-hub-id"
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    hub_b = make_hub(tmp_path / "b", [entry("jp", fresh_network.urls["jp"], "JP")], shared)
    served_b = served_hubs(hub_b)
    hub_a = make_hub(
        tmp_path / "a", [entry("b", served_b.url, "SG", relays=[JP.beacon_id])], shared
    )
    query = jp_query(network_queries)
    answer = ask(hub_a, query)
    assert reports(answer)["b"]["status"] == "answered"  # not taken for hub A itself
    assert answer["responseSummary"]["numTotalResults"] == query.count_on("jp")
    assert {s["info"]["nodeId"] for s in answer["response"]["resultSets"]} == {"jp"}
    (asked_jp,) = fresh_network.nodes["jp"].seen.to("/g_variants")
    a_id, b_id = hub_network_info(hub_a)["instanceId"], hub_network_info(hub_b)["instanceId"]
    assert a_id != b_id
    assert asked_jp.header(PATH_HEADER) == f"{a_id},{b_id}"  # B did not see a loop
    (b_report,) = hub_network_info(hub_a)["nodes"]
    assert (b_report["status"], b_report["isHub"]) == ("sharedBeaconId", True)
    assert "set ASIA_BEACON_BEACON_ID" in b_report["problem"]


def test_a_hub_whose_nodes_all_fail_tells_the_hub_above_why(served_hubs, down_url, tmp_path):
    hub_b = make_hub(tmp_path, [entry("down", down_url, "JP")], HUB_B)
    served_b = served_hubs(hub_b)
    hub_a = make_hub(tmp_path, [entry("b", served_b.url, "SG")], HUB_A)
    response = hub_a.client.get(
        "/g_variants?assemblyId=GRCh38&referenceName=chr1&start=100&referenceBases=A"
        "&alternateBases=G"
    )
    assert response.status_code == 502
    validate_framework(response.get_json(), "responses/beaconErrorResponse.json")
    assert response.get_json()["error"]["errorMessage"].startswith(
        "no node could answer: node b: HTTP 502: no node could answer: node down: its metadata "
        "could not be read: /info: unreachable ("
    )


def test_a_hub_listed_without_relays_answers_for_no_other_beacon_and_is_said_to(
    fresh_network, network_queries, served_hubs, tmp_path
):
    hub_b = make_hub(tmp_path, [entry("jp", fresh_network.urls["jp"], "JP")], HUB_B)
    served_b = served_hubs(hub_b)
    hub_a = make_hub(tmp_path, [entry("sea", served_b.url, "SG")], HUB_A)  # no relays
    answer = ask(hub_a, jp_query(network_queries))
    assert reports(answer)["sea"]["status"] == "answered"
    assert [s for s in answer["response"]["resultSets"] if s["beaconId"] == JP.beacon_id] == []
    assert (
        f"node sea presented result sets of {JP.beacon_id}, another beacon's (the registry does "
        "not list it as a hub relaying them): left out"
    ) in answer["info"]["warnings"]
    (sea,) = hub_network_info(hub_a)["nodes"]
    assert (sea["isHub"], sea["relays"]) == (True, [])
    assert "the registry lists no beacons it may relay (relays)" in sea["problem"]
    datasets = hub_a.client.get("/datasets?limit=0").get_json()
    assert datasets["response"]["collections"] == []
    assert any("lists no beacons it may relay" in w for w in datasets["info"]["warnings"])
