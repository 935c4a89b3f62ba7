"""What goes to each node (app/network/forwarding.py) and the circuit breaker
(app/network/health.py): pure rules, no HTTP."""

from __future__ import annotations

import pytest

from app.network.forwarding import (
    HOPS_HEADER,
    PATH_HEADER,
    LoopGuard,
    node_reference_name,
    query_arguments,
    query_body,
    upstream_authorization,
)
from app.network.health import BreakerSettings, NodeHealth
from app.network.registry import NodeEntry, TokenPolicy

ISSUER = "https://login.example.org/"


@pytest.mark.parametrize(
    ("asked", "naming", "sent"),
    [
        ("chr1", "ensembl", "1"),
        ("1", "ucsc", "chr1"),
        ("chrX", "ensembl", "X"),
        ("x", "ucsc", "chrX"),
        ("MT", "ucsc", "chrM"),
        ("chrM", "ensembl", "MT"),
        ("22", "ensembl", "22"),
        ("chr22", "ucsc", "chr22"),
        ("NC_000001.11", "ensembl", "NC_000001.11"),
        ("chr23", "ensembl", "chr23"),
        ("chr1", None, "chr1"),
        ("chr1", "asIs", "chr1"),
    ],
)
def test_chromosomes_are_spelled_the_nodes_way(asked, naming, sent):
    assert node_reference_name(asked, naming) == sent


def test_get_and_post_queries_are_rewritten_and_ask_every_result_set():
    arguments = {"referenceName": "chr2", "start": "5", "includeResultsetResponses": "HIT"}
    assert query_arguments(arguments, "ensembl") == {
        "referenceName": "2",
        "start": "5",
        "includeResultsetResponses": "ALL",
    }
    body = {"query": {"requestParameters": {"referenceName": "2", "start": [5]}}}
    sent = query_body(body, "ucsc")
    assert sent["query"]["requestParameters"]["referenceName"] == "chr2"
    assert sent["query"]["includeResultsetResponses"] == "ALL"
    assert body["query"]["requestParameters"]["referenceName"] == "2"  # the caller's is intact


def entry(policy: TokenPolicy) -> NodeEntry:
    return NodeEntry("n", "http://127.0.0.1:1", "JP", "n", policy)


def test_a_token_goes_only_where_its_policy_allows(monkeypatch):
    monkeypatch.setenv("NODE_TOKEN", "service-secret")
    forward = entry(TokenPolicy("forward", (ISSUER,)))
    assert upstream_authorization(forward, "user-token", ISSUER) == "Bearer user-token"
    assert upstream_authorization(forward, "user-token", "https://other/") is None
    assert upstream_authorization(forward, "user-token", None) is None  # not verified: never
    assert upstream_authorization(entry(TokenPolicy()), "user-token", ISSUER) is None
    service = entry(TokenPolicy("service", (), "NODE_TOKEN"))
    assert upstream_authorization(service, "user-token", ISSUER) == "Bearer service-secret"
    monkeypatch.delenv("NODE_TOKEN")
    assert upstream_authorization(service, "user-token", ISSUER) is None


def test_the_loop_guard_counts_hops_and_remembers_the_hubs_passed():
    first = LoopGuard.from_headers({})
    assert (first.hops, first.path) == (0, ())
    onward = first.onward("org.hub-a")
    assert onward == {HOPS_HEADER: "1", PATH_HEADER: "org.hub-a"}
    second = LoopGuard.from_headers(onward)
    assert second.onward("org.hub-b") == {HOPS_HEADER: "2", PATH_HEADER: "org.hub-a,org.hub-b"}
    # a hop count lower than the hubs named cannot be used to pass more hubs
    lying = LoopGuard.from_headers({HOPS_HEADER: "0", PATH_HEADER: "a,b,c"})
    assert lying.hops == 3
    assert LoopGuard.from_headers({HOPS_HEADER: "many"}).hops == 0


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_circuit_opens_after_failures_in_a_row_and_lets_one_trial_through_later():
    clock = Clock()
    health = NodeHealth(BreakerSettings(failures_to_open=3, cooldown=30), clock)
    health.failed("HTTP 500")
    health.failed("HTTP 500")
    assert health.admits() and not health.circuit_open
    health.succeeded(0.01)  # a success in between resets the count
    for _ in range(3):
        health.failed("no answer within 2 s")
    assert health.circuit_open and not health.admits()
    assert health.report()["lastError"] == "no answer within 2 s"
    clock.now = 29.9
    assert not health.admits()
    clock.now = 30.0
    assert health.admits()  # the one trial
    assert not health.admits()  # while it runs, nobody else
    health.failed("HTTP 500")  # the trial failed: another cool-down
    clock.now = 45
    assert not health.admits()
    clock.now = 60.0
    assert health.admits()
    health.succeeded(0.02)
    assert health.admits() and health.admits()
    assert health.report()["circuitOpen"] is False
