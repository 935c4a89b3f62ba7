"""``asia-beacon hub`` as an operator runs it: gunicorn over a registry file, answering from the
nodes, taking up a registry edit without a restart, stopping cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from beacon_schemas import schemas_dir
from click.testing import CliRunner
from network.hub_fixtures import entry, write_registry
from network.layout import NODES

from app.cli import main
from app.network.identity import derived_instance_id

CLI = [sys.executable, "-c", "from app.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.load(answer)


def test_the_hub_command_serves_the_network_and_takes_up_registry_edits(
    network, network_queries, tmp_path
):
    registry = write_registry(tmp_path / "nodes.json", [entry("jp", network.urls["jp"], "JP")])
    port = free_port()
    environment = {
        **os.environ,
        "ASIA_BEACON_BEACON_ID": "org.example.command-hub",
        "ASIA_BEACON_SCHEMAS_DIR": str(schemas_dir()),
    }
    hub = subprocess.Popen(
        [*CLI, "hub", "--nodes", str(registry), "--port", str(port), "--workers", "2"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(base + "/healthz")
                break
            except OSError:
                assert hub.poll() is None and time.monotonic() < deadline, "hub did not start"
                time.sleep(0.2)
        query = next(q for q in network_queries if q.assembly == "GRCh37" and q.count_on("kr"))
        before = get(f"{base}/g_variants?{query.query_string('count')}")
        assert before["responseSummary"]["exists"] is False  # kr is not listed yet

        write_registry(
            registry,
            [
                entry("jp", network.urls["jp"], "JP"),
                entry("kr", network.urls["kr"], "KR", referenceNaming="ensembl"),
            ],
        )
        stamp = registry.stat().st_mtime_ns + 1_000_000_000
        os.utime(registry, ns=(stamp, stamp))
        for _ in range(6):  # every worker takes up the edit
            after = get(f"{base}/g_variants?{query.query_string('count')}")
            assert after["responseSummary"]["exists"] is True
            assert {s["beaconId"] for s in after["response"]["resultSets"]} == {
                NODES["kr"].beacon_id
            }
        services = get(f"{base}/services")
        assert [service["nodeId"] for service in services] == ["jp", "kr"]
        # every worker is the same hub, under the id the command made for this start
        seen = {get(f"{base}/info")["response"]["info"]["network"]["instanceId"] for _ in range(8)}
        assert len(seen) == 1
        assert seen != {derived_instance_id("org.example.command-hub", str(registry))}
    finally:
        hub.send_signal(signal.SIGTERM)
        output, _ = hub.communicate(timeout=30)
    assert hub.returncode == 0
    assert f"node jp (JP) at {network.urls['jp']}, token: none" in output


def test_the_hub_command_refuses_a_wrong_registry_naming_the_field(tmp_path):
    registry = tmp_path / "nodes.yaml"
    registry.write_text("nodes:\n  - id: jp\n    url: gopher://x\n    country: JP\n")
    result = CliRunner().invoke(main, ["hub", "--nodes", str(registry)])
    assert result.exit_code == 2
    assert "nodes[0] (jp).url: 'gopher://x' is not an http(s) URL" in result.output
