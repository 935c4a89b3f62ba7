"""Merging node answers (app/network/merge.py), on hand-made answers of every kind a node gives;
tests/network/test_network.py checks the same rules on real nodes."""

from __future__ import annotations

from typing import Any

import pytest
from beacon_schemas import validate_framework
from network.node_answers import SCHEMA, node_meta

from app.network.merge import ANSWERED, FAILED, SKIPPED, NodeAnswer, merged_answer, unanswerable
from schemas.network import NetworkResultsetsResponseSchema

HUB_META: dict[str, Any] = {
    "beacon_id": "org.example.hub",
    "api_version": "v2.0.1",
    "returned_granularity": "record",
    "returned_schemas": [],
    "test_mode": False,
    "received_request_summary": {
        "api_version": "v2.0.1",
        "requested_schemas": [],
        "filters": [],
        "request_parameters": {},
        "include_resultset_responses": "HIT",
        "pagination": {"skip": 0, "limit": 10},
        "requested_granularity": "count",
        "test_mode": False,
    },
}


def node_body(beacon_id: str, granularity: str, sets: list[dict] | None, exists: bool) -> dict:
    body: dict[str, Any] = {
        "meta": node_meta(beacon_id, granularity),
        "responseSummary": {"exists": exists},
    }
    if sets is not None:
        body["responseSummary"]["numTotalResults"] = sum(s["resultsCount"] for s in sets)
        body["response"] = {"resultSets": sets}
    return body


def result_set(dataset: str, count: int, **extra: Any) -> dict:
    return {
        "id": dataset,
        "setType": "dataset",
        "exists": count > 0,
        "resultsCount": count,
        "results": [],
        **extra,
    }


def answered(node: str, body: dict, relays: tuple[str, ...] = ()) -> NodeAnswer:
    """``relays``: the beacons the registry lets the node (another hub) relay."""
    return NodeAnswer(
        node, node.upper()[:2], body["meta"]["beaconId"], ANSWERED, body=body, seconds=0.01,
        relays=frozenset(relays),
    )  # fmt: skip


def merge(answers: list[NodeAnswer], inclusion: str = "ALL", granularity: str = "count") -> dict:
    merged = merged_answer(HUB_META, answers, granularity, inclusion)
    dumped = NetworkResultsetsResponseSchema().dump(merged)
    validate_framework(dumped, "responses/beaconResultsetsResponse.json")
    return dumped


def sets_by_key(answer: dict) -> dict[tuple[str, str], dict]:
    return {(s["beaconId"], s["id"]): s for s in answer["response"]["resultSets"]}


def test_exact_counts_are_summed_and_every_set_names_its_beacon():
    jp_sets = [result_set("a", 3), result_set("b", 0)]
    jp = answered("jp", node_body("org.jp", "count", jp_sets, True))
    kr = answered("kr", node_body("org.kr", "count", [result_set("c", 7)], True))
    answer = merge([jp, kr])
    assert answer["responseSummary"] == {"exists": True, "numTotalResults": 10}
    assert answer["meta"]["returnedGranularity"] == "count"
    assert set(sets_by_key(answer)) == {("org.jp", "a"), ("org.jp", "b"), ("org.kr", "c")}
    assert sets_by_key(answer)[("org.kr", "c")]["info"]["country"] == "KR"
    assert answer["info"]["network"]["numTotalResultsIsLowerBound"] is False
    assert answer["meta"]["returnedSchemas"] == [SCHEMA]


def test_a_banded_count_is_summed_at_the_low_end_of_its_band_and_the_total_is_a_lower_bound():
    band = {"countBand": {"min": 1, "max": 4}}
    kr = answered("kr", node_body("org.kr", "count", [result_set("c", 5, info=band)], True))
    jp = answered("jp", node_body("org.jp", "count", [result_set("a", 12)], True))
    answer = merge([jp, kr])
    assert answer["responseSummary"]["numTotalResults"] == 12 + 1  # never the band's 5
    assert answer["info"]["network"]["numTotalResultsIsLowerBound"] is True
    banded = sets_by_key(answer)[("org.kr", "c")]
    assert banded["info"]["countPrecision"] == "band"
    assert banded["info"]["countBand"] == {"min": 1, "max": 4}
    assert any("at least" in warning for warning in answer["info"]["warnings"])


def test_when_every_count_is_banded_or_a_yes_the_total_still_says_something_exists():
    """A generic client reads numTotalResults 0 as absent: the total is the sum of what is
    certain, the low end of each band and 1 for each yes, never 0 when a node says yes."""
    kr = answered(
        "kr",
        node_body(
            "org.kr",
            "count",
            [
                result_set("c", 5, info={"countBand": {"min": 1, "max": 4}}),
                result_set("d", 10, info={"countBand": {"min": 5, "max": 14}}),
            ],
            True,
        ),
    )
    yes = [result_set("e", 1, beaconId="org.th", info={"countPrecision": "lowerBound"})]
    relayed = answered("sea", node_body("org.sea-hub", "count", yes, True), ("org.th",))
    answer = merge([kr, relayed])
    assert answer["responseSummary"] == {"exists": True, "numTotalResults": 1 + 5 + 1}
    assert answer["info"]["network"]["numTotalResultsIsLowerBound"] is True


def test_the_coarsest_granularity_returned_is_the_answers_and_a_yes_is_at_least_one():
    jp = answered("jp", node_body("org.jp", "count", [result_set("a", 4)], True))
    th = answered("th", node_body("org.th", "boolean", None, True))
    answer = merge([jp, th])
    assert answer["meta"]["returnedGranularity"] == "boolean"
    assert "numTotalResults" not in answer["responseSummary"]
    whole_node = sets_by_key(answer)[("org.th", "org.th")]
    assert whole_node["setType"] == "beacon"
    assert (whole_node["resultsCount"], whole_node["info"]["countPrecision"]) == (1, "lowerBound")


def test_a_node_that_failed_is_an_empty_set_saying_why_and_makes_the_total_a_lower_bound():
    jp = answered("jp", node_body("org.jp", "count", [result_set("a", 2)], True))
    down = NodeAnswer("vn", "VN", "org.vn", FAILED, "no answer within 2 s", seconds=2.0)
    answer = merge([jp, down])
    unanswered = sets_by_key(answer)[("org.vn", "org.vn")]
    assert unanswered["exists"] is False and unanswered["resultsCount"] == 0
    assert unanswered["info"]["unanswered"] == "no answer within 2 s"
    assert answer["responseSummary"]["numTotalResults"] == 2
    assert answer["info"]["network"]["numTotalResultsIsLowerBound"] is True
    assert "node vn did not answer: no answer within 2 s" in answer["info"]["warnings"]


def test_a_skipped_node_is_reported_but_has_no_result_set():
    jp = answered("jp", node_body("org.jp", "count", [result_set("a", 2)], True))
    other = NodeAnswer("kr", "KR", "org.kr", SKIPPED, "it holds no GRCh37 data")
    answer = merge([jp, other])
    assert set(sets_by_key(answer)) == {("org.jp", "a")}
    reports = {report["nodeId"]: report for report in answer["info"]["network"]["nodes"]}
    assert reports["kr"]["status"] == "skipped"
    assert reports["kr"]["reason"] == "it holds no GRCh37 data"
    assert answer["info"]["network"]["numTotalResultsIsLowerBound"] is False


def test_a_dataset_reached_directly_and_through_another_hub_counts_once():
    direct = answered("jp", node_body("org.jp", "count", [result_set("a", 3)], True))
    relayed_sets = [
        result_set("a", 3, beaconId="org.jp", info={"nodeId": "jp", "country": "JP"}),
        result_set("d", 4, beaconId="org.my", info={"nodeId": "my", "country": "MY"}),
    ]
    relayed = answered(
        "sea", node_body("org.sea-hub", "count", relayed_sets, True), ("org.jp", "org.my")
    )
    answer = merge([relayed, direct])
    assert answer["responseSummary"]["numTotalResults"] == 7
    assert set(sets_by_key(answer)) == {("org.jp", "a"), ("org.my", "d")}
    assert sets_by_key(answer)[("org.my", "d")]["info"]["country"] == "MY"


@pytest.mark.parametrize(
    ("inclusion", "shown"),
    [("HIT", {"a"}), ("MISS", {"b", "org.vn"}), ("ALL", {"a", "b", "org.vn"}), ("NONE", set())],
)
def test_result_set_inclusion_is_applied_across_nodes(inclusion, shown):
    jp_sets = [result_set("a", 1), result_set("b", 0)]
    jp = answered("jp", node_body("org.jp", "count", jp_sets, True))
    down = NodeAnswer("vn", "VN", "org.vn", FAILED, "HTTP 500")
    answer = merge([jp, down], inclusion=inclusion)
    assert {s["id"] for s in answer["response"]["resultSets"]} == shown
    assert answer["responseSummary"]["numTotalResults"] == 1


def test_no_node_answering_is_a_valid_answer_at_the_requested_granularity():
    down = NodeAnswer("vn", "VN", None, FAILED, "unreachable (Connection refused)")
    answer = merge([down], granularity="count")
    assert answer["responseSummary"] == {"exists": False, "numTotalResults": 0}
    assert answer["meta"]["returnedGranularity"] == "count"
    assert sets_by_key(answer)[("vn", "vn")]["info"]["unanswered"].startswith("unreachable")


def test_node_warnings_are_kept_with_the_node_named():
    body = node_body("org.jp", "count", [result_set("a", 1)], True)
    body["info"] = {"warnings": ["filter HP:0000001 matches no term"]}
    answer = merge([answered("jp", body)])
    assert "node jp: filter HP:0000001 matches no term" in answer["info"]["warnings"]


def test_direct_nodes_sharing_a_beacon_id_keep_their_own_sets_and_a_relayed_repeat_counts_once():
    one = answered("one", node_body("org.shared", "count", [result_set("a", 3)], True))
    two = answered("two", node_body("org.shared", "count", [result_set("a", 5)], True))
    relayed_sets = [result_set("a", 3, beaconId="org.shared", info={"nodeId": "one"})]
    relayed = answered(
        "sea", node_body("org.sea-hub", "count", relayed_sets, True), ("org.shared",)
    )
    answer = merge([relayed, one, two])
    assert answer["responseSummary"]["numTotalResults"] == 8
    kept = [(s["info"]["nodeId"], s["resultsCount"]) for s in answer["response"]["resultSets"]]
    assert kept == [("one", 3), ("two", 5)]


def test_a_relaying_hub_answers_only_for_the_beacons_it_is_registered_to_relay():
    sets = [
        result_set("m", 2, beaconId="org.my", info={"nodeId": "my", "country": "MY"}),
        result_set("j", 7, beaconId="org.jp", info={"nodeId": "jp", "country": "JP"}),
        result_set("own", 1),  # a set of the relaying hub's own beacon
    ]
    sea = answered("sea", node_body("org.sea-hub", "count", sets, True), ("org.my", "org.th"))
    answer = merge([sea])
    kept = {
        (s["beaconId"], s["id"]): (
            s["info"]["nodeId"],
            s["info"]["country"],
            s["info"].get("relayedBy"),
        )
        for s in answer["response"]["resultSets"]
    }
    assert kept == {
        ("org.my", "m"): ("my", "MY", "sea"),
        ("org.sea-hub", "own"): ("sea", "SE", None),
    }
    assert answer["responseSummary"]["numTotalResults"] == 3
    assert answer["info"]["warnings"] == [
        "node sea presented result sets of org.jp, another beacon's (not among the beacons the "
        "registry lets it relay): left out"
    ]


def test_records_are_kept_only_from_sets_at_record_granularity():
    record = {"variantInternalId": "GRCh38:1:100:A:G"}
    at_count = answered(
        "jp", node_body("org.jp", "count", [result_set("a", 1, results=[record])], True)
    )
    at_record = answered(
        "th", node_body("org.th", "record", [result_set("b", 1, results=[record])], True)
    )
    # another hub: its answer is as coarse as its coarsest node, each set says its own
    relayed_sets = [
        result_set(
            "c", 1, beaconId="org.my", results=[record], info={"returnedGranularity": "record"}
        ),
        result_set(
            "d", 1, beaconId="org.my", results=[record], info={"returnedGranularity": "count"}
        ),
    ]
    relayed = answered("sea", node_body("org.sea-hub", "count", relayed_sets, True), ("org.my",))
    answer = merge([at_count, at_record, relayed], granularity="record")
    shown = {
        key: (s["results"], s["info"]["returnedGranularity"])
        for key, s in sets_by_key(answer).items()
    }
    assert shown == {
        ("org.jp", "a"): ([], "count"),
        ("org.th", "b"): ([record], "record"),
        ("org.my", "c"): ([record], "record"),
        ("org.my", "d"): ([], "count"),
    }
    assert answer["meta"]["returnedGranularity"] == "count"


def refused(node: str, status: int) -> NodeAnswer:
    return NodeAnswer(node, "JP", f"org.{node}", FAILED, f"HTTP {status}", http_status=status)


TIMED_OUT = NodeAnswer("slow", "JP", "org.slow", FAILED, "no answer within 2 s", timed_out=True)
SKIPPED_KR = NodeAnswer("kr", "KR", "org.kr", SKIPPED, "it holds no GRCh37 data")


@pytest.mark.parametrize(
    ("answers", "status"),
    [
        ([refused("a", 401), refused("b", 401), SKIPPED_KR], 401),
        ([refused("a", 401), refused("b", 403)], 502),
        ([TIMED_OUT, TIMED_OUT], 504),
        ([TIMED_OUT, refused("a", 429)], 502),
        ([NodeAnswer("vn", "VN", None, FAILED, "its metadata could not be read: HTTP 503")], 502),
        ([refused("a", 500)], 502),
        ([refused("a", 403), answered("jp", node_body("org.jp", "boolean", None, False))], None),
        ([SKIPPED_KR], None),
        ([], None),
    ],
)
def test_the_hub_answers_an_error_only_when_no_node_answered_and_some_failed(answers, status):
    found = unanswerable(answers)
    assert (found[0] if found else None) == status
    if found:
        failed = [answer for answer in answers if answer.status == FAILED]
        assert found[1] == "no node could answer: " + "; ".join(
            f"node {answer.node_id}: {answer.reason}" for answer in failed
        )
