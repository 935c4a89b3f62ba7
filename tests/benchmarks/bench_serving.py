"""Query throughput and latency of ``asia-beacon serve`` under wrk, against a bare Flask JSON
endpoint on the same gunicorn configuration, over the 1M-variant embedded store (issue 7).

    python tests/benchmarks/bench_serving.py [--size 1000000] [--store DIR] [--cache DIR]
        [--seconds 10] [--repeats 3] [--connections 4] [--workers 2] [--targets 200]

The store is the one ``bench_embedded_queries.py`` builds (``variant_store.py``; reused from
``--store DIR``). Two servers run side by side: ``asia-beacon serve`` (gunicorn, ``--workers``
sync workers) and, as the framework ceiling, a tiny Flask app in this file answering
``{"meta": ..., "responseSummary": ...}`` from ``/bare``, started by gunicorn with the very
settings ``app/serving.py`` gives it (bind and workers, nothing else). wrk (``--connections``
connections, one thread) cycles through 200 different queries per shape:

- GET ``/g_variants`` sequence (boolean, count), range 10 kb and 1 Mb (count), gene (count);
- POST ``/g_variants`` sequence (count), a Beacon v2 request body, through a wrk Lua script;
- POST ``/data-connect/search``: the region SELECT of issue 7 (1 Mb windows, LIMIT 100) and a
  SELECT over ``asia_beacon.catalog.datasets``.

GET rows are compared with ``GET /bare`` and POST rows with ``POST /bare`` (same bodies),
measured in the same round; each round runs every row once, and the ratio printed is the median
over ``--repeats`` rounds of ours / bare req/s. ``cpu`` is the workers' CPU time per request,
which other jobs on the machine do not inflate. Data Connect latency is also measured at
concurrency 1. Targets (PERFORMANCE.md): sequence >= 0.8, range and gene >= 0.6.

Server configuration: the defaults (every dataset PUBLIC, small counts banded, rare alleles
hidden, query budget on) with two changes, printed in the output:
``ASIA_BEACON_ACCESS_GRANULARITY=PUBLIC=record,...`` because Data Connect shows rows only of
datasets readable at record granularity (Beacon rows still ask boolean or count), and
``ASIA_BEACON_AUDIT_LOG=false`` because the embedded audit log rereads its whole file on every
insert. A last section measures that: the sequence query with the default configuration, audit
log on, over consecutive windows.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS.parents[1]))
sys.path.insert(0, str(BENCHMARKS))

from flask import Flask, jsonify, request  # noqa: E402
from measure import load_line, machine_line, median  # noqa: E402
from served import Server, beacon_command, free_port, serving  # noqa: E402
from variant_store import (  # noqa: E402
    Shape,
    build_store,
    draw_shapes,
    query_string,
)
from wrk_load import LoadResult, Request, have_wrk, run_wrk  # noqa: E402

from app.store import open_store  # noqa: E402

BEACON_ENVIRONMENT = {
    "ASIA_BEACON_ACCESS_GRANULARITY": "PUBLIC=record,REGISTERED=count,CONTROLLED=record",
    "ASIA_BEACON_AUDIT_LOG": "false",
}
REGION_SQL = (
    "SELECT chromosome,start,ref,alt,allele_frequency FROM asia_beacon.beacon.variants "
    "WHERE chromosome=? AND start BETWEEN ? AND ? LIMIT 100"
)
CATALOG_SQL = (
    "SELECT id, name, country, access_level, variant_count, sample_count "
    "FROM asia_beacon.catalog.datasets"
)
TARGETS = {"sequence": 0.8, "range": 0.6, "gene": 0.6}


def bare_app() -> Flask:
    """The framework ceiling: Flask answering a small JSON object and doing nothing else."""
    application = Flask("bare")

    @application.route("/bare", methods=["GET", "POST"])
    def bare() -> Any:
        if request.method == "POST":
            request.get_json(silent=True)
        return jsonify({"meta": {"beaconId": "bare"}, "responseSummary": {"exists": True}})

    return application


def serve_bare(port: int, workers: int) -> None:
    """gunicorn as ``app.serving.run_gunicorn`` configures it, serving :func:`bare_app`."""
    from gunicorn.app.base import BaseApplication

    class BareServer(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"127.0.0.1:{port}")
            self.cfg.set("workers", workers)

        def load(self) -> Any:
            return bare_app()

    BareServer().run()


@dataclass(frozen=True)
class Row:
    name: str
    requests: list[Request]
    post: bool  # compared with POST /bare rather than GET /bare
    target: float | None = None


def beacon_body(parameters: dict[str, Any], granularity: str) -> str:
    """A Beacon v2 POST request body for the same query as the GET parameters."""
    wanted = dict(parameters)
    for key in ("start", "end"):
        if key in wanted:
            wanted[key] = [int(wanted[key])]
    return json.dumps(
        {
            "meta": {"apiVersion": "v2.0.1"},
            "query": {"requestParameters": wanted, "requestedGranularity": granularity},
        }
    )


def rows_for(shapes: list[Shape]) -> list[Row]:
    by_name = {shape.name: shape for shape in shapes}

    def gets(shape: str, granularity: str) -> list[Request]:
        return [
            Request(f"/g_variants?{query_string(p, granularity)}")
            for p in by_name[shape].parameters
        ]

    region = [
        Request(
            "/data-connect/search",
            json.dumps(
                {"query": REGION_SQL, "parameters": [p["referenceName"], p["start"], p["end"]]}
            ),
        )
        for p in by_name["range 1 Mb"].parameters
    ]
    return [
        Row("GET sequence boolean", gets("sequence", "boolean"), False, TARGETS["sequence"]),
        Row("GET sequence count", gets("sequence", "count"), False, TARGETS["sequence"]),
        Row("GET range 10 kb count", gets("range 10 kb", "count"), False, TARGETS["range"]),
        Row("GET range 1 Mb count", gets("range 1 Mb", "count"), False, TARGETS["range"]),
        Row("GET gene count", gets("gene", "count"), False, TARGETS["gene"]),
        Row(
            "POST sequence count",
            [
                Request("/g_variants", beacon_body(p, "count"))
                for p in by_name["sequence"].parameters
            ],
            True,
            TARGETS["sequence"],
        ),
        Row("POST data-connect region", region, True),
        Row(
            "POST data-connect catalog",
            [Request("/data-connect/search", json.dumps({"query": CATALOG_SQL}))],
            True,
        ),
    ]


def bare_requests(row: Row) -> list[Request]:
    """The bare endpoint asked with the same query strings or bodies as ``row``."""
    if row.post:
        return [Request("/bare", item.body) for item in row.requests]
    return [Request("/bare?" + item.path.partition("?")[2]) for item in row.requests]


@dataclass
class Measured:
    results: list[LoadResult]
    cpu_ms: list[float]  # workers' CPU milliseconds per request, per run


def measured_run(
    server: Server, requests: list[Request], seconds: float, connections: int
) -> tuple[LoadResult, float]:
    before = server.workers_cpu_seconds()
    result = run_wrk(server.base_url, requests, seconds, connections)
    cpu = (server.workers_cpu_seconds() - before) / max(result.requests, 1)
    return result, cpu * 1000


def check_answers(server: Server, rows: list[Row]) -> None:
    """One request per row before timing: an error answer would make the timing meaningless."""
    import urllib.request

    for row in rows:
        item = row.requests[0]
        data = item.body.encode() if item.body is not None else None
        call = urllib.request.Request(server.base_url + item.path, data=data)
        if data is not None:
            call.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(call, timeout=60) as answer:
            body = json.load(answer)
        if "data" in body:
            print(f"  check {row.name}: {len(body['data'])} rows")
        else:
            summary = body.get("responseSummary", {})
            print(f"  check {row.name}: {summary}")


def throughput(
    beacon: Server, bare: Server, rows: list[Row], seconds: float, repeats: int, connections: int
) -> None:
    ours: dict[str, Measured] = {row.name: Measured([], []) for row in rows}
    reference: dict[str, Measured] = {
        f"bare {method}": Measured([], []) for method in ("GET", "POST")
    }
    ratios: dict[str, list[float]] = {row.name: [] for row in rows}
    print(f"  warm-up: every row for {seconds / 5:.0f} s, not counted", flush=True)
    for row in rows:
        run_wrk(beacon.base_url, row.requests, seconds / 5, connections)
        run_wrk(bare.base_url, bare_requests(row), seconds / 5, connections)
    for round_number in range(repeats):
        print(f"  round {round_number + 1}/{repeats} ...", flush=True)
        bare_rate: dict[str, float] = {}
        for method, example in (("GET", rows[0]), ("POST", rows[5])):
            result, cpu = measured_run(bare, bare_requests(example), seconds, connections)
            reference[f"bare {method}"].results.append(result)
            reference[f"bare {method}"].cpu_ms.append(cpu)
            bare_rate[method] = result.per_second
        for row in rows:
            result, cpu = measured_run(beacon, row.requests, seconds, connections)
            ours[row.name].results.append(result)
            ours[row.name].cpu_ms.append(cpu)
            ratios[row.name].append(result.per_second / bare_rate["POST" if row.post else "GET"])
    print(
        f"\nthroughput, wrk -t1 -c{connections}, {seconds:.0f} s per run, medians of {repeats} "
        "rounds (p50/p99 in ms under that load)"
    )
    print(
        "  (ours/bare: median over rounds of the req/s ratio within a round; by cpu: bare CPU "
        "ms per request / ours, the ratio a CPU-bound server alone on the machine would reach)"
    )
    print(
        f"  {'':<27} {'req/s':>8} {'p50':>7} {'p99':>8} {'cpu ms':>7} {'ours/bare':>9} "
        f"{'by cpu':>7} {'target':>7} {'bad':>5}"
    )
    for name, found in reference.items():
        print_line(name, found, None, None, None)
    for row in rows:
        bare_cpu = median(reference["bare POST" if row.post else "bare GET"].cpu_ms)
        by_cpu = bare_cpu / median(ours[row.name].cpu_ms)
        print_line(row.name, ours[row.name], median(ratios[row.name]), by_cpu, row.target)


def print_line(
    name: str, found: Measured, ratio: float | None, by_cpu: float | None, target: float | None
) -> None:
    results = found.results
    bad = sum(result.status_errors + result.errors for result in results)
    ratio_text = f"{ratio:9.2f}" if ratio is not None else f"{'':>9}"
    cpu_text = f"{by_cpu:7.2f}" if by_cpu is not None else f"{'':>7}"
    target_text = f"{'>= ' + format(target, '.1f'):>7}" if target is not None else f"{'':>7}"
    print(
        f"  {name:<27} {median([r.per_second for r in results]):8.0f} "
        f"{median([r.p50_ms for r in results]):7.2f} {median([r.p99_ms for r in results]):8.2f} "
        f"{median(found.cpu_ms):7.2f} {ratio_text} {cpu_text} {target_text} {bad:>5}"
    )


def data_connect_latency(
    beacon: Server, bare: Server, rows: list[Row], seconds: float, repeats: int
) -> None:
    print(f"\nData Connect latency at concurrency 1 (wrk -c1, {seconds:.0f} s, median of runs)")
    print(f"  {'':<27} {'p50 ms':>8} {'p99 ms':>8} {'cpu ms':>7} {'p50 / bare':>10}")
    wanted = [row for row in rows if "data-connect" in row.name]
    bare_runs = [measured_run(bare, bare_requests(wanted[0]), seconds, 1) for _ in range(repeats)]
    bare_p50 = median([result.p50_ms for result, _ in bare_runs])
    print(
        f"  {'bare POST':<27} {bare_p50:8.2f} "
        f"{median([result.p99_ms for result, _ in bare_runs]):8.2f} "
        f"{median([cpu for _, cpu in bare_runs]):7.2f}"
    )
    for row in wanted:
        runs = [measured_run(beacon, row.requests, seconds, 1) for _ in range(repeats)]
        p50 = median([result.p50_ms for result, _ in runs])
        print(
            f"  {row.name:<27} {p50:8.2f} {median([result.p99_ms for result, _ in runs]):8.2f} "
            f"{median([cpu for _, cpu in runs]):7.2f} {p50 / bare_p50:10.1f}"
        )


def audit_log_cost(uri: str, rows: list[Row], seconds: float, connections: int, log: Path) -> None:
    """The sequence query with the audit log on (the default), over consecutive windows."""
    audit = open_store(uri).audit
    before = sum(1 for _ in audit.entries())
    port = free_port()
    with serving(beacon_command(uri, port, 2), port, log) as server:
        print(
            "\naudit log on (default configuration, no ASIA_BEACON_* set): "
            f"GET sequence count, consecutive {seconds:.0f} s windows"
        )
        for window in range(3):
            result, cpu = measured_run(server, rows[1].requests, seconds, connections)
            entries = sum(1 for _ in audit.entries()) - before
            print(
                f"  window {window + 1}: {result.per_second:7.0f} req/s, p50 {result.p50_ms:.2f} "
                f"ms, cpu {cpu:.2f} ms/request, {entries:,} audit entries after it"
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="variants in the store")
    parser.add_argument("--store", type=Path, help="keep stores here and reuse them")
    parser.add_argument("--cache", type=Path, help="generated VCFs (default: in --store/tmp)")
    parser.add_argument("--targets", type=int, default=200, help="distinct queries per shape")
    parser.add_argument("--seconds", type=float, default=10, help="seconds per wrk run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-audit-section", action="store_true")
    parser.add_argument("--serve-bare", nargs=2, type=int, metavar=("PORT", "WORKERS"))
    arguments = parser.parse_args(argv)
    if arguments.serve_bare:
        serve_bare(*arguments.serve_bare)
        return
    if not have_wrk():
        sys.exit("wrk is not installed: apt-get install -y wrk")
    print(machine_line())
    print(load_line("before"))
    print(f"asia-beacon serve configuration: defaults, and {BEACON_ENVIRONMENT}")
    with tempfile.TemporaryDirectory(prefix="bench-serving-") as scratch:
        root = arguments.store or Path(scratch)
        built = build_store(
            root / f"embedded-{arguments.size}", arguments.size, arguments.cache or root / "vcf"
        )
        rows = rows_for(draw_shapes(built.uri, arguments.targets))
        log = root / "server-logs" / "bench_serving.log"
        beacon_port, bare_port = free_port(), free_port()
        bare_command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--serve-bare",
            str(bare_port),
            str(arguments.workers),
        ]
        with (
            serving(
                beacon_command(built.uri, beacon_port, arguments.workers),
                beacon_port,
                log,
                BEACON_ENVIRONMENT,
            ) as beacon,
            serving(bare_command, bare_port, log, ready_path="/bare") as bare,
        ):
            print(f"{arguments.size:,} variants, {arguments.workers} gunicorn workers each")
            check_answers(beacon, rows)
            throughput(
                beacon, bare, rows, arguments.seconds, arguments.repeats, arguments.connections
            )
            data_connect_latency(beacon, bare, rows, arguments.seconds / 2, arguments.repeats)
        if not arguments.no_audit_section:
            audit_log_cost(built.uri, rows, arguments.seconds, arguments.connections, log)
    print(load_line("after"))


if __name__ == "__main__":
    main()
