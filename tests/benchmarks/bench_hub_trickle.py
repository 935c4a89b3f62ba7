"""Does a node that trickles its answers take the network down? Healthy nodes' answers and the
hub's latency, window by window, while one node sends one byte every few seconds.

    python tests/benchmarks/bench_hub_trickle.py [--seconds 90] [--clients 4]
        [--trickle-seconds 2] [--every 2] [--window 10]

The nodes are the network tests' real nodes (tests/network: jp and tw, GRCh38), served in this
process, and a copy of jp behind ``Misbehaving``'s ``trickle`` fault: on every ``--every``-th
query it sends jp's real answer one byte every ``--trickle-seconds`` (so no read timeout ever
fires), and answers the others honestly, so it never fails twice in a row and its circuit
breaker never opens. The hub is ``asia-beacon hub`` (gunicorn, one worker, its default
threads and ``NETWORK_TIMEOUT``), over jp, tw and the trickling node.

``--clients`` clients ask GRCh38 count queries one after the other for ``--seconds``. Per
window: the queries answered, how many of them had both healthy nodes' answers, the hub's
latency (p50, p99), what the healthy nodes were reported as when they did not answer, and the
hub worker's threads at the end of the window (threads held by the trickling node pile up there
when nothing cuts its calls). Run it from a checkout to measure that checkout's hub.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS.parents[1]))
sys.path.insert(0, str(BENCHMARKS.parent))  # the network tests' harness
sys.path.insert(0, str(BENCHMARKS))

from bench_hub import KeepAliveClient  # noqa: E402
from measure import load_line, machine_line, percentile  # noqa: E402
from network.nodes import start_network  # noqa: E402
from network.queries import generate_queries  # noqa: E402
from served import free_port, hub_command, serving  # noqa: E402

HEALTHY = ("jp", "tw")


@dataclass(frozen=True)
class Asked:
    began: float  # seconds since the run began
    seconds: float
    status: int
    reports: dict[str, str]  # node id -> "answered", or the reason it did not


@dataclass
class Window:
    asked: list[Asked] = field(default_factory=list)
    hub_threads: int | None = None


def node_reports(status: int, body: bytes) -> dict[str, str]:
    try:
        answer = json.loads(body)
    except ValueError:
        return {}
    if status != 200:
        message = answer.get("error", {}).get("errorMessage", "")
        return {node: message for node in HEALTHY}
    return {
        report["nodeId"]: "answered" if report["status"] == "answered" else str(report["reason"])
        for report in answer["info"]["network"]["nodes"]
    }


def threads_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def run(arguments: argparse.Namespace, work: Path) -> list[Window]:
    network = start_network(work / "network")
    trickler = network.serve_copy(
        "jp",
        settings={"BEACON_ID": "org.example.jp-trickle"},
        fault="trickle",
        trickle_seconds=arguments.trickle_seconds,
        every=arguments.every,
    )
    logging.getLogger("asia_beacon.requests").setLevel(logging.WARNING)  # the nodes: quiet
    registry = work / "nodes.json"
    registry.write_text(
        json.dumps(
            {
                "nodes": [
                    {"id": "jp", "url": network.urls["jp"], "country": "JP"},
                    {
                        "id": "tw",
                        "url": network.urls["tw"],
                        "country": "TW",
                        "assemblies": ["GRCh38"],
                    },
                    {"id": "trickle", "url": trickler.url, "country": "JP"},
                ]
            }
        )
    )
    paths = [
        f"/g_variants?{query.query_string('count')}"
        for query in generate_queries(network.genomes)
        if query.assembly == "GRCh38"
    ]
    port = free_port()
    environment = {"ASIA_BEACON_BEACON_ID": "org.bench.hub", "ASIA_BEACON_LOG_FORMAT": "text"}
    windows = [Window() for _ in range(int(arguments.seconds // arguments.window))]
    try:
        with serving(hub_command(registry, port, 1), port, work / "hub.log", environment) as hub:
            (worker,) = hub.worker_pids()
            began = time.monotonic()
            lock = threading.Lock()

            def client(number: int) -> None:
                through = KeepAliveClient(hub.base_url)
                asked = number
                while (now := time.monotonic() - began) < arguments.seconds:
                    path = paths[asked % len(paths)]
                    asked += arguments.clients
                    try:
                        answer = through.get(path)
                    except OSError as error:  # the hub did not answer at all (60 s)
                        through.close()
                        reason = f"no answer from the hub ({type(error).__name__})"
                        seconds = time.monotonic() - began - now
                        found = Asked(now, seconds, 0, dict.fromkeys(HEALTHY, reason))
                    else:
                        reports = node_reports(answer.status, answer.body)
                        found = Asked(now, answer.seconds, answer.status, reports)
                    with lock:
                        index = min(int(now // arguments.window), len(windows) - 1)
                        windows[index].asked.append(found)
                through.close()

            clients = [
                threading.Thread(target=client, args=(number,), daemon=True)
                for number in range(arguments.clients)
            ]
            for thread in clients:
                thread.start()
            for index, window in enumerate(windows):
                time.sleep(max(0.0, began + (index + 1) * arguments.window - time.monotonic()))
                window.hub_threads = threads_of(worker)
            for thread in clients:
                thread.join()
    finally:
        trickler.stop()
        network.stop()
    return windows


def print_windows(windows: list[Window], width: float) -> None:
    print(
        f"\nper {width:g} s window: queries answered by the hub; healthy = with jp and tw both "
        "answered; hub latency;\nwhy jp or tw did not answer; the hub worker's threads at the "
        "end of the window"
    )
    print(
        f"  {'window':>9} {'queries':>7} {'healthy':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'threads':>7}  why not"
    )
    for index, window in enumerate(windows):
        asked = window.asked
        healthy = [a for a in asked if all(a.reports.get(node) == "answered" for node in HEALTHY)]
        why = Counter(
            reason
            for a in asked
            for node, reason in a.reports.items()
            if node in HEALTHY and reason != "answered"
        )
        statuses = Counter(a.status for a in asked if a.status != 200)
        seconds = [a.seconds for a in asked]
        share = f"{len(healthy)}/{len(asked)}"
        notes = "; ".join(f"{count}x {reason[:70]}" for reason, count in why.most_common(2))
        if statuses:
            notes = f"HTTP {dict(statuses)}; " + notes
        print(
            f"  {f'{index * width:g}-{(index + 1) * width:g}s':>9} {len(asked):>7} {share:>8} "
            f"{percentile(seconds, 50) * 1000:>8.0f} {percentile(seconds, 99) * 1000:>8.0f} "
            f"{window.hub_threads if window.hub_threads is not None else '-':>7}  {notes}"
        )
    asked = [a for window in windows for a in window.asked]
    healthy = [a for a in asked if all(a.reports.get(node) == "answered" for node in HEALTHY)]
    print(
        f"\n  whole run: {len(healthy)} of {len(asked)} queries with both healthy nodes answered "
        f"({len(healthy) / max(1, len(asked)):.0%})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=90.0, help="how long the clients ask")
    parser.add_argument("--clients", type=int, default=4, help="clients asking at once")
    parser.add_argument("--trickle-seconds", type=float, default=2.0, help="seconds per byte")
    parser.add_argument("--every", type=int, default=2, help="trickle on every n-th query")
    parser.add_argument("--window", type=float, default=10.0, help="seconds per table row")
    arguments = parser.parse_args(argv)
    print(machine_line())
    print(load_line("before"))
    print(
        f"hub: asia-beacon hub, 1 worker, defaults; nodes jp, tw and a trickling jp "
        f"(1 byte / {arguments.trickle_seconds:g} s on every {arguments.every}. query); "
        f"{arguments.clients} clients for {arguments.seconds:g} s",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bench-trickle-") as scratch:
        windows = run(arguments, Path(scratch))
    print_windows(windows, arguments.window)
    print(load_line("after"))


if __name__ == "__main__":
    main()
