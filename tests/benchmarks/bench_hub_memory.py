"""How much memory can nodes with large answers make a hub worker take? The worker's peak
resident memory while concurrent queries fan out to nodes answering tens of megabytes each.

    python tests/benchmarks/bench_hub_memory.py [--large-nodes 2] [--megabytes 30]
        [--clients 4] [--rounds 5]

The nodes are the network tests' real jp node (tests/network), served in this process, and
``--large-nodes`` copies of it behind ``Misbehaving``'s ``answer`` fault, each answering every
query with a valid Beacon count answer whose ``info`` carries ``--megabytes`` of small values
(``[0, 0, ...]``: three bytes of text each), sent without a Content-Length (so the hub cannot
refuse it before reading). The hub is ``asia-beacon hub`` (gunicorn, one worker, its default
threads and settings, but for a circuit breaker held open, so that every query asks the large
nodes). ``--clients``
clients ask ``--rounds`` queries each, all at once. Printed: the worker's resident memory
after start and its peak (VmHWM), and how the large nodes' answers were taken. Run it from a
checkout to measure that checkout's hub.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS.parents[1]))
sys.path.insert(0, str(BENCHMARKS.parent))  # the network tests' harness
sys.path.insert(0, str(BENCHMARKS))

from bench_hub import KeepAliveClient  # noqa: E402
from measure import load_line, machine_line, process_memory  # noqa: E402
from network.node_answers import node_answer  # noqa: E402
from network.nodes import start_network  # noqa: E402
from network.queries import generate_queries  # noqa: E402
from served import free_port, hub_command, serving  # noqa: E402


def large_answer(beacon_id: str, megabytes: float) -> bytes:
    values = int(megabytes * 1024 * 1024 / 3)
    return json.dumps(node_answer(beacon_id, info={"padding": [0] * values})).encode()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large-nodes", type=int, default=2)
    parser.add_argument("--megabytes", type=float, default=30.0, help="each large answer's size")
    parser.add_argument("--clients", type=int, default=4, help="queries at once")
    parser.add_argument("--rounds", type=int, default=5, help="queries per client")
    arguments = parser.parse_args(argv)
    print(machine_line())
    print(load_line("before"))
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as scratch:
        work = Path(scratch)
        network = start_network(work / "network")
        logging.getLogger("asia_beacon.requests").setLevel(logging.WARNING)
        large = []
        for number in range(arguments.large_nodes):
            beacon_id = f"org.example.large-{number}"
            node = network.serve_copy("jp", settings={"BEACON_ID": beacon_id}, fault="answer")
            node.misbehaving.answer = large_answer(beacon_id, arguments.megabytes)
            node.misbehaving.answer_length = False
            large.append(node)
        size = len(large[0].misbehaving.answer) / 1024**2 if large else 0.0
        entries = [{"id": "jp", "url": network.urls["jp"], "country": "JP"}]
        entries += [
            {"id": f"large-{number}", "url": node.url, "country": "JP"}
            for number, node in enumerate(large)
        ]
        registry = work / "nodes.json"
        registry.write_text(json.dumps({"nodes": entries}))
        path = next(
            f"/g_variants?{query.query_string('count')}"
            for query in generate_queries(network.genomes)
            if query.assembly == "GRCh38"
        )
        print(
            f"hub: asia-beacon hub, 1 worker, defaults; nodes: jp and {len(large)} answering "
            f"{size:.1f} MB each; {arguments.clients} clients x {arguments.rounds} queries",
            flush=True,
        )
        port = free_port()
        environment = {
            "ASIA_BEACON_BEACON_ID": "org.bench.hub",
            "ASIA_BEACON_LOG_FORMAT": "text",
            "ASIA_BEACON_NETWORK_FAILURES_TO_OPEN": "1000",
        }
        outcomes: Counter[str] = Counter()
        lock = threading.Lock()
        try:
            with serving(
                hub_command(registry, port, 1), port, work / "hub.log", environment
            ) as hub:
                (worker,) = hub.worker_pids()
                KeepAliveClient(hub.base_url).get(path)  # the nodes' metadata read
                started = process_memory(worker)

                def client() -> None:
                    through = KeepAliveClient(hub.base_url)
                    for _ in range(arguments.rounds):
                        answer = through.get(path)
                        found = json.loads(answer.body)
                        if answer.status != 200:
                            seen = [f"HTTP {answer.status}"]
                        else:
                            seen = [
                                f"{report['status']}: {str(report['reason'])[:60]}"
                                for report in found["info"]["network"]["nodes"]
                                if report["nodeId"].startswith("large-")
                            ]
                        with lock:
                            outcomes.update(seen)
                    through.close()

                threads = [threading.Thread(target=client) for _ in range(arguments.clients)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                ended = process_memory(worker)
        finally:
            for node in large:
                node.stop()
            network.stop()
    print(
        f"\n  hub worker resident memory: {started['VmRSS'] / 1024:.0f} MB after start, "
        f"peak {ended['VmHWM'] / 1024:.0f} MB, {ended['VmRSS'] / 1024:.0f} MB at the end"
    )
    print("  the large nodes' answers, as the hub took them:")
    for outcome, count in outcomes.most_common():
        print(f"    {count:>4}x {outcome}")
    print(load_line("after"))


if __name__ == "__main__":
    main()
