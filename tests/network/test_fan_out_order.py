"""The hub sends a query to the nodes slowest at their last answer first, and still reports
their answers in the registry's order."""

from __future__ import annotations

import json
from concurrent.futures import Future
from urllib.parse import urlsplit

from app.network.client import Fetched
from app.network.forwarding import LoopGuard
from app.network.hub import Hub, NetworkSettings, NodeQuery

SECONDS = {"fast": 0.002, "slow": 0.050, "middle": 0.010}  # each node's answering time


class FakeNodes:
    """Stands for the nodes behind the hub's one-method client seam, ``fetch``."""

    def __init__(self) -> None:
        self.queried: list[str] = []  # node names, in the order their queries were sent

    def fetch(self, method, url, timeout, headers=None, body=None, max_bytes=None) -> Fetched:
        name = urlsplit(url).hostname.split(".")[0]
        endpoint = urlsplit(url).path.strip("/")
        if endpoint == "info":
            answer = {"response": {"id": f"org.{name}"}}
        elif endpoint == "map":
            root = f"http://{name}.test/g_variants"
            answer = {"response": {"endpointSets": {"genomicVariant": {"rootUrl": root}}}}
        elif endpoint == "g_variants":
            self.queried.append(name)
            answer = {
                "meta": {"beaconId": f"org.{name}", "returnedGranularity": "boolean"},
                "responseSummary": {"exists": True},
            }
        else:
            return Fetched(404, None, "HTTP 404", SECONDS[name])
        return Fetched(200, answer, None, SECONDS[name])

    def close(self) -> None:
        pass


class InTurn:
    """Every node's bulkhead, running each call as it is submitted: in submission order."""

    limit = 1

    def of(self, node_id: str) -> InTurn:
        return self

    def submit(self, task, *arguments) -> Future:
        future: Future = Future()
        future.set_result(task(*arguments))
        return future

    def keep_only(self, node_ids) -> None:
        pass

    def shutdown(self, **options) -> None:
        pass


def test_slowest_nodes_are_asked_first_and_answers_keep_the_registry_order(tmp_path):
    registry = tmp_path / "nodes.json"
    nodes = [{"id": name, "url": f"http://{name}.test", "country": "JP"} for name in SECONDS]
    registry.write_text(json.dumps({"nodes": nodes}))
    hub = Hub(NetworkSettings(nodes_file=str(registry)), "org.hub")
    hub.client, hub._bulkheads = FakeNodes(), InTurn()
    query = NodeQuery("g_variants", "GET", lambda node: ("", None), assembly=None)

    hub.fan_out(query, LoopGuard(0, ()))  # the hub learns how long each node takes
    hub.client.queried.clear()
    answers = hub.fan_out(query, LoopGuard(0, ()))

    assert hub.client.queried == ["slow", "middle", "fast"]
    assert [answer.node_id for answer in answers] == ["fast", "slow", "middle"]
    assert {answer.status for answer in answers} == {"answered"}
