"""A node that trickles its answer (one byte at a time, each in time for a read timeout) is cut
at its call's deadline, and can only ever use up its own threads: the other nodes keep
answering, in time. (tests/benchmarks/bench_hub_trickle.py measures it over minutes.)"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from beacon_schemas import validate_framework
from network.hub_fixtures import TIMEOUT, entry, make_hub, write_registry
from network.layout import NODES
from network.queries import NetworkQuery

from app.network.client import NodeClient
from app.network.forwarding import LoopGuard
from app.network.health import BreakerSettings
from app.network.hub import Hub, NetworkSettings, NodeQuery

COLLECT_MARGIN = 0.25  # app/network/hub.py: COLLECT_MARGIN_SECONDS
SLACK = 0.75  # the hub's own work and the test client, on a loaded 2-core machine
JP = NODES["jp"]


class TricklingHeaders:
    """An HTTP server on 127.0.0.1 that answers a status line, then a header one byte every
    ``every`` seconds for ``for_seconds``; ``ended`` gets the time each connection ended."""

    def __init__(self, every: float = 0.1, for_seconds: float = 4.0) -> None:
        self.every, self.for_seconds = every, for_seconds
        self.ended: list[float] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()

    def _trickle(self, connection: socket.socket) -> None:
        with connection:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = connection.recv(4096)
                if not chunk:
                    return
                request += chunk
            try:
                connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slowly: ")
                began = time.monotonic()
                while time.monotonic() - began < self.for_seconds:
                    time.sleep(self.every)
                    connection.sendall(b"a")
            except OSError:
                pass  # the client went away
            finally:
                self.ended.append(time.monotonic())

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def trickling_headers() -> Iterator[TricklingHeaders]:
    server = TricklingHeaders()
    yield server
    server.close()


def assert_cut_at_deadline(node_url: str, deadline: float = 0.5) -> None:
    """A call to ``node_url`` times out at ``deadline``, with the reason said."""
    client = NodeClient()
    try:
        began = time.monotonic()
        fetched = client.fetch("GET", f"{node_url}/g_variants", deadline)
        elapsed = time.monotonic() - began
    finally:
        client.close()
    assert (fetched.timed_out, fetched.error) == (True, f"no answer within {deadline} s")
    assert elapsed < deadline + SLACK


def test_a_call_ends_at_its_deadline_however_its_headers_trickle(trickling_headers):
    assert_cut_at_deadline(trickling_headers.url)


def test_a_call_ends_at_its_deadline_however_its_body_trickles(extra_node):
    trickler = extra_node("jp", fault="trickle", trickle_seconds=0.1)
    assert_cut_at_deadline(trickler.url)
    wait_for_trickles(trickler, 1)
    ((started, ended),) = trickler.misbehaving.trickles
    assert ended - started < 0.5 + SLACK  # its connection was cut, not left to trickle on


def wait_for_trickles(node, count: int, longest: float = 3.0) -> None:
    """Until ``node`` noted ``count`` trickles ended (it learns of a cut one write late)."""
    began = time.monotonic()
    while len(node.misbehaving.trickles) < count and time.monotonic() - began < longest:
        time.sleep(0.05)


def grch38_query(queries: list[NetworkQuery]) -> NetworkQuery:
    return next(q for q in queries if q.assembly == "GRCh38" and q.count_on("jp") > 0)


def test_healthy_nodes_keep_answering_while_a_trickling_node_times_out_on_its_own(
    network, network_queries, extra_node, tmp_path
):
    """More queries, each held by the trickling node, than the hub once had threads for all
    nodes together (32): the circuit breaker is held open so that every query asks it."""
    trickler = extra_node("jp", settings={"BEACON_ID": "org.example.jp-trickle"}, fault="trickle")
    hub = make_hub(
        tmp_path,
        [
            entry("jp", network.urls["jp"], "JP"),
            entry("tw", network.urls["tw"], "TW", assemblies=["GRCh38"]),
            entry("trickle", trickler.url, "JP"),
        ],
        NETWORK_FAILURES_TO_OPEN=1000,
    )
    query = grch38_query(network_queries)
    path = f"/g_variants?{query.query_string('count')}"

    def ask(_: int) -> tuple[int, dict, float]:
        began = time.monotonic()
        response = hub.client.get(path)
        return response.status_code, response.get_json(), time.monotonic() - began

    with ThreadPoolExecutor(max_workers=6) as clients:
        asked = list(clients.map(ask, range(36)))

    for status, answer, elapsed in asked:
        assert status == 200, answer
        validate_framework(answer, "responses/beaconResultsetsResponse.json")
        reports = {
            r["nodeId"]: (r["status"], r["reason"]) for r in answer["info"]["network"]["nodes"]
        }
        assert reports == {
            "jp": ("answered", None),
            "tw": ("answered", None),
            "trickle": ("failed", f"no answer within {TIMEOUT:g} s"),
        }
        assert answer["responseSummary"]["numTotalResults"] == query.count_on("jp")
        assert elapsed < TIMEOUT + COLLECT_MARGIN + SLACK
    wait_for_trickles(trickler, 36)
    assert len(trickler.misbehaving.trickles) == 36  # every call to it was cut ...
    for started, ended in trickler.misbehaving.trickles:
        assert ended - started < TIMEOUT + SLACK  # ... at its deadline


def test_a_node_whose_calls_all_hang_is_not_asked_more_and_takes_nothing_from_the_others(
    network, extra_node, tmp_path
):
    hanging = extra_node("jp", settings={"BEACON_ID": "org.example.jp-hang"}, fault="hang")
    registry = write_registry(
        tmp_path / "nodes.json",
        [entry("jp", network.urls["jp"], "JP"), entry("hang", hanging.url, "JP")],
    )
    settings = NetworkSettings(
        str(registry), timeout=1.0, breaker=BreakerSettings(failures_to_open=100), calls_per_node=2
    )
    hub = Hub(settings, "org.example.hub")
    query = NodeQuery(
        "g_variants",
        "GET",
        lambda node: ("assemblyId=GRCh38&referenceName=chr1&start=1&end=1000", None),
        assembly="GRCh38",
    )
    try:
        hub.refresh()
        with ThreadPoolExecutor(max_workers=3) as queries:
            first = [queries.submit(hub.fan_out, query, LoopGuard(0, ())) for _ in range(2)]
            time.sleep(0.3)  # both are waiting for the hanging node
            began = time.monotonic()
            third = hub.fan_out(query, LoopGuard(0, ()))
            elapsed = time.monotonic() - began
            earlier = [future.result() for future in first]
    finally:
        hub.close()
    jp, hang = third
    assert (jp.node_id, jp.status) == ("jp", "answered")
    assert (hang.status, hang.reason) == (
        "failed",
        "not asked: 2 calls to it are still running (none of them answered yet)",
    )
    assert elapsed < TIMEOUT  # refused at once: waiting for the hang would take the timeout
    for answers in earlier:
        assert [(a.node_id, a.status) for a in answers] == [("jp", "answered"), ("hang", "failed")]
