"""Health probes under a bounded slowloris: gunicorn's own threaded worker against the one
``asia-beacon serve`` runs (app/serving_worker.py), in the same run, on the same settings.

    python tests/benchmarks/bench_slow_clients.py [--heads 16] [--bodies 0] [--interval 3]
        [--seconds 30] [--workers 2] [--probe-every 1] [--probe-timeout 3]

Two servers, one after the other, each with ``--workers`` workers of 4 threads over a
mongomock store: the reference, ``gunicorn -c deploy/gunicorn.conf.py --worker-class
gthread`` (every setting ours but the worker class), and ``asia-beacon serve``. Against each,
for ``--seconds``, ``--heads`` connections send one header line every ``--interval`` seconds
and ``--bodies`` connections a whole head and then one byte of a 4 KiB body every
``--interval`` seconds (tests/deploy/slow_clients.py), while ``GET /healthz`` is probed every
``--probe-every`` seconds with a ``--probe-timeout`` timeout. Printed for each: probes answered,
their latency (median, p99, the slowest), and what became of the slow clients (how many the
server cut off, after how long, with which answer). The same probes without slow clients give
each server's unloaded latency. Only 127.0.0.1 is attacked, with at most 64 connections.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS.parents[1]))
sys.path.insert(0, str(BENCHMARKS.parents[0] / "deploy"))
sys.path.insert(0, str(BENCHMARKS))

from measure import load_line, machine_line, median, percentile  # noqa: E402
from served import REPO, beacon_command, free_port, serving  # noqa: E402
from slow_clients import Probe, SlowlorisRun, probe_health, slowloris  # noqa: E402

from app.serving import SERVER_DEFAULTS  # noqa: E402

STORE_URI = "mongomock://localhost/bench_slow_clients"
UNLOADED_PROBES = 10
SLOW_PARTS = {"head": "slow heads", "body": "slow bodies"}


def gthread_command(port: int, workers: int) -> list[str]:
    """gunicorn with our config file, but its own threaded worker."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        str(REPO / "deploy" / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
    ]


def probe_line(probes: list[Probe]) -> str:
    answered = [probe.seconds for probe in probes if probe.answered]
    line = f"{len(answered)}/{len(probes)} probes answered"
    if answered:
        line += (
            f"; latency ms median {median(answered) * 1000:.1f}, "
            f"p99 {percentile(answered, 99) * 1000:.1f}, max {max(answered) * 1000:.1f}"
        )
    return line


def clients_line(run: SlowlorisRun, slow_part: str) -> str:
    clients = [client for client in run.clients if client.slow_part == slow_part]
    cut = run.cut_off(slow_part)
    line = f"{SLOW_PARTS[slow_part]}: {len(cut)}/{len(clients)} cut off"
    if cut:
        answers = sorted({client.status_line or "(no answer)" for client in cut})
        seconds = [client.cut_off_after or 0.0 for client in cut]
        line += f" after {min(seconds):.1f}-{max(seconds):.1f} s, answered {', '.join(answers)}"
    if len(cut) < len(clients):
        most = max(client.pieces_sent for client in clients if client.cut_off_after is None)
        line += f"; the others still held at the end, after up to {most} pieces"
    return line


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--heads", type=int, default=16)
    parser.add_argument("--bodies", type=int, default=0)
    parser.add_argument("--interval", type=float, default=3.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--probe-every", type=float, default=1.0)
    parser.add_argument("--probe-timeout", type=float, default=3.0)
    arguments = parser.parse_args(argv)
    print(machine_line())
    print(load_line("at the start"))
    print(
        f"{arguments.heads} slow heads and {arguments.bodies} slow bodies, one piece every "
        f"{arguments.interval} s for {arguments.seconds} s; /healthz every "
        f"{arguments.probe_every} s (timeout {arguments.probe_timeout} s); "
        f"{arguments.workers} workers x {SERVER_DEFAULTS['THREADS']} threads; request read "
        f"timeout {SERVER_DEFAULTS['REQUEST_READ_TIMEOUT']} s (asia-beacon serve only)"
    )
    servers = {
        "gunicorn gthread (reference)": gthread_command,
        "asia-beacon serve": lambda port, workers: beacon_command(STORE_URI, port, workers),
    }
    answered: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-slow-clients-") as work:
        environment = {"ASIA_BEACON_DATA_DIR": work, "ASIA_BEACON_ACCESS_LOG": ""}
        for number, (name, command) in enumerate(servers.items()):
            port = free_port()
            log = Path(work) / f"server-{number}.log"
            with serving(command(port, arguments.workers), port, log, environment) as server:
                server.seconds_until("/healthz")
                unloaded = [
                    probe_health(port, arguments.probe_timeout) for _ in range(UNLOADED_PROBES)
                ]
                run = slowloris(
                    port,
                    arguments.heads,
                    arguments.bodies,
                    arguments.interval,
                    arguments.seconds,
                    arguments.probe_every,
                    arguments.probe_timeout,
                )
            print(f"\n{name}:")
            print(f"  unloaded:           {probe_line(unloaded)}")
            print(f"  under slow clients: {probe_line(run.probes)}")
            for slow_part, count in (("head", arguments.heads), ("body", arguments.bodies)):
                if count:
                    print(f"  {clients_line(run, slow_part)}")
            answered[name] = run.probes_answered / max(1, len(run.probes))
    reference, ours = answered.values()
    print(
        f"\nshare of probes answered under slow clients: asia-beacon serve {ours:.0%}, "
        f"gthread {reference:.0%}"
    )
    print(load_line("at the end"))


if __name__ == "__main__":
    main()
