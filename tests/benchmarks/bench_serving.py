"""Query throughput and latency of ``asia-beacon serve`` under wrk, against a bare Flask JSON
endpoint on the same gunicorn configuration, over the 1M-variant embedded store (issue 7).

    python tests/benchmarks/bench_serving.py [--size 1000000] [--store DIR] [--cache DIR]
        [--seconds 10] [--repeats 3] [--connections 4] [--workers 2] [--targets 200]
        [--spectrum panel|ten-samples] [--sync-reference]

The store is the one ``bench_embedded_queries.py`` builds (``variant_store.py``, the ``panel``
spectrum by default; reused from ``--store DIR``). Two servers run side by side: ``asia-beacon
serve`` and, as the framework ceiling, a tiny Flask app in this file answering ``{"meta": ...,
"responseSummary": ...}`` from ``/bare``. The bare app runs on every gunicorn setting
``asia-beacon serve`` runs on: both take them from ``app.serving.gunicorn_settings`` over the
same environment (its request-buffering gthread worker, threads, keep-alive, timeouts, access
log and its format, ...), and the settings are printed. With ``--sync-reference`` a third
server, the bare app on gunicorn's defaults (sync worker, no access log: the reference of the
figures before December 2026), is measured in the same rounds, and the ratio it would have
given is printed beside the fair one. wrk (``--connections`` connections, one thread) cycles
through 200 different queries per shape:

- GET ``/g_variants`` sequence (boolean, count), range 10 kb and 1 Mb (count), gene (count);
- POST ``/g_variants`` sequence (count), a Beacon v2 request body, through a wrk Lua script;
- POST ``/data-connect/search``: the region SELECT of issue 7 (1 Mb windows, LIMIT 100) and a
  SELECT over ``asia_beacon.catalog.datasets``.

GET rows are compared with ``GET /bare`` and POST rows with ``POST /bare`` (same bodies),
measured in the same round; each round runs every row once, and the ratio printed is the median
over ``--repeats`` rounds of ours / bare req/s. ``cpu`` is the workers' CPU time per request,
which other jobs on the machine do not inflate; it counts workers replaced during a run (from
the master's reaped children, ``tests/worker_cpu.py``), and ``repl`` says how many were
(``MAX_REQUESTS=0`` makes it 0). Before the rows, a line per shape says which share of its
targets match visible alleles and which only alleles hidden as rare. Data Connect latency is
also measured at concurrency 1. Targets (PERFORMANCE.md): sequence >= 0.8, range and gene >= 0.6.

Server configuration: the defaults (every dataset PUBLIC, small counts banded, rare alleles
hidden, query budget on) with these changes, printed in the output:
``ASIA_BEACON_ACCESS_GRANULARITY=PUBLIC=record,...`` because Data Connect shows rows only of
datasets readable at record granularity (Beacon rows still ask boolean or count);
``ASIA_BEACON_AUDIT_LOG=false`` (a last section measures the audit log's cost: the sequence
query with it on, over consecutive windows); ``ASIA_BEACON_QUERY_BUDGET`` a billion, so that
the budget's work is done as by default but one client asking thousands of queries is not
refused after 50 "yes" answers on rare variants; and ``ASIA_BEACON_MAX_REQUESTS=0``, for the
bare server too, so that no worker is replaced in the middle of a row (serve's default
replaces one about every 5,000 requests, every few seconds under wrk).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS.parents[1]))
sys.path.insert(0, str(BENCHMARKS))

from flask import Flask, jsonify, request  # noqa: E402
from measure import load_line, machine_line, median  # noqa: E402
from served import Server, beacon_command, free_port, serving  # noqa: E402
from variant_store import (  # noqa: E402
    PANEL,
    SPECTRA,
    UNSPENDABLE_BUDGET,
    Shape,
    build_store,
    draw_shapes,
    print_protection_shares,
    query_string,
    store_directory,
)
from wrk_load import LoadResult, Request, have_wrk, run_wrk  # noqa: E402

from app.serving import gunicorn_settings  # noqa: E402
from app.store import open_store  # noqa: E402

# For both measured servers (serve and the bare app) and the audit log section.
SERVING_ENVIRONMENT = {
    "ASIA_BEACON_QUERY_BUDGET": str(UNSPENDABLE_BUDGET),
    "ASIA_BEACON_MAX_REQUESTS": "0",  # no worker replaced mid-row
}
BEACON_ENVIRONMENT = {
    **SERVING_ENVIRONMENT,
    "ASIA_BEACON_ACCESS_GRANULARITY": "PUBLIC=record,REGISTERED=count,CONTROLLED=record",
    "ASIA_BEACON_AUDIT_LOG": "false",
}
# The gunicorn settings printed (bind and worker_tmp_dir are the only others)
SHOWN_SETTINGS = (
    "worker_class",
    "workers",
    "threads",
    "keepalive",
    "timeout",
    "max_requests",
    "max_requests_jitter",
    "accesslog",
    "logger_class",
    "access_log_format",
)
BARE = "bare"
SYNC = "bare sync"  # the reference before December 2026
GET_POST = ("GET", "POST")
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


def bare_settings(environ: dict[str, str], port: int, workers: int, sync: bool) -> dict[str, Any]:
    """The gunicorn settings of the bare server: ``asia-beacon serve``'s own over ``environ``
    (as ``app.cli.serve`` builds them), or with ``sync`` only bind and workers (gunicorn's
    defaults otherwise: the sync worker, no access log)."""
    if sync:
        return {"bind": [f"127.0.0.1:{port}"], "workers": workers}
    return gunicorn_settings(environ, host="127.0.0.1", port=port, workers=workers)


def serve_bare(port: int, workers: int, sync: bool) -> None:
    """gunicorn with :func:`bare_settings`, serving :func:`bare_app`, as
    ``app.serving.run_gunicorn`` runs the beacon."""
    from gunicorn.app.base import BaseApplication

    settings = bare_settings(dict(os.environ), port, workers, sync)

    class BareServer(BaseApplication):
        def load_config(self) -> None:
            for name, value in settings.items():
                self.cfg.set(name, value)

        def load(self) -> Any:
            return bare_app()

    BareServer().run()


def describe_settings(settings: dict[str, Any]) -> str:
    shown = []
    for name in SHOWN_SETTINGS:
        if name in settings:
            value = settings[name]
            if isinstance(value, type):
                value = f"{value.__module__}.{value.__name__}"
            shown.append(f"{name}={value!r}")
    return ", ".join(shown)


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
    results: list[LoadResult] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # workers' CPU ms per request, per run
    replaced: int = 0  # workers replaced during the runs

    def add(self, run: Run) -> None:
        self.results.append(run.result)
        self.cpu_ms.append(run.cpu_ms)
        self.replaced += run.replaced


@dataclass(frozen=True)
class Run:
    result: LoadResult
    cpu_ms: float  # the workers' CPU milliseconds per request, replaced workers included
    replaced: int  # workers the master replaced during the run


def measured_run(server: Server, requests: list[Request], seconds: float, connections: int) -> Run:
    server.wait_until_idle()  # the previous run's answers still in flight
    before = server.workers_cpu()
    result = run_wrk(server.base_url, requests, seconds, connections)
    window = server.cpu_since(before)
    return Run(result, window.seconds / max(result.requests, 1) * 1000, len(window.replaced))


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
    beacon: Server,
    references: dict[str, Server],
    rows: list[Row],
    seconds: float,
    repeats: int,
    connections: int,
) -> None:
    """Each round: every reference (GET and POST /bare), then every row; ratios within a
    round against the fair reference (and the sync one, when given)."""
    ours = {row.name: Measured() for row in rows}
    reference = {f"{name} {method}": Measured() for name in references for method in GET_POST}
    ratios: dict[str, dict[str, list[float]]] = {
        name: {row.name: [] for row in rows} for name in references
    }
    print(f"  warm-up: every row for {seconds / 5:.0f} s, not counted", flush=True)
    for row in rows:
        run_wrk(beacon.base_url, row.requests, seconds / 5, connections)
        for server in references.values():
            run_wrk(server.base_url, bare_requests(row), seconds / 5, connections)
    for round_number in range(repeats):
        print(f"  round {round_number + 1}/{repeats} ...", flush=True)
        rate: dict[str, float] = {}
        for name, server in references.items():
            for method, example in zip(GET_POST, (rows[0], rows[5]), strict=True):
                run = measured_run(server, bare_requests(example), seconds, connections)
                reference[f"{name} {method}"].add(run)
                rate[f"{name} {method}"] = run.result.per_second
        for row in rows:
            run = measured_run(beacon, row.requests, seconds, connections)
            ours[row.name].add(run)
            for name in references:
                bare_rate = rate[f"{name} {'POST' if row.post else 'GET'}"]
                ratios[name][row.name].append(run.result.per_second / bare_rate)
    print(
        f"\nthroughput, wrk -t1 -c{connections}, {seconds:.0f} s per run, medians of {repeats} "
        "rounds (p50/p99 in ms under that load)"
    )
    print(
        "  (ours/bare: median over rounds of the req/s ratio within a round; by cpu: bare CPU "
        "ms per request / ours, the ratio a CPU-bound server alone on the machine would reach;"
        " repl: workers replaced during the row's runs)"
    )
    print(
        f"  {'':<27} {'req/s':>8} {'p50':>7} {'p99':>8} {'cpu ms':>7} {'ours/bare':>9} "
        f"{'by cpu':>7} {'target':>7} {'bad':>5} {'repl':>5}"
    )
    for name, found in reference.items():
        print_line(name, found, None, None, None)
    for row in rows:
        bare_cpu = median(reference[f"{BARE} {'POST' if row.post else 'GET'}"].cpu_ms)
        by_cpu = bare_cpu / median(ours[row.name].cpu_ms)
        print_line(row.name, ours[row.name], median(ratios[BARE][row.name]), by_cpu, row.target)
    if SYNC in references:
        print(
            f"\nthe same rows against the reference before December 2026 ({SYNC}: gunicorn's "
            "sync worker, no access log), same rounds"
        )
        print(f"  {'':<27} {'ours/sync':>9} {'ours/bare':>9} {'flattered':>9}")
        for row in rows:
            old, fair = median(ratios[SYNC][row.name]), median(ratios[BARE][row.name])
            print(f"  {row.name:<27} {old:9.3f} {fair:9.3f} {old / fair:8.2f}x")


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
        f"{median(found.cpu_ms):7.2f} {ratio_text} {cpu_text} {target_text} {bad:>5} "
        f"{found.replaced:>5}"
    )


def data_connect_latency(
    beacon: Server, bare: Server, rows: list[Row], seconds: float, repeats: int
) -> None:
    print(f"\nData Connect latency at concurrency 1 (wrk -c1, {seconds:.0f} s, median of runs)")
    print(f"  {'':<27} {'p50 ms':>8} {'p99 ms':>8} {'cpu ms':>7} {'p50 / bare':>10}")
    wanted = [row for row in rows if "data-connect" in row.name]
    bare_runs = [measured_run(bare, bare_requests(wanted[0]), seconds, 1) for _ in range(repeats)]
    bare_p50 = median([run.result.p50_ms for run in bare_runs])
    print(
        f"  {'bare POST':<27} {bare_p50:8.2f} "
        f"{median([run.result.p99_ms for run in bare_runs]):8.2f} "
        f"{median([run.cpu_ms for run in bare_runs]):7.2f}"
    )
    for row in wanted:
        runs = [measured_run(beacon, row.requests, seconds, 1) for _ in range(repeats)]
        p50 = median([run.result.p50_ms for run in runs])
        print(
            f"  {row.name:<27} {p50:8.2f} {median([run.result.p99_ms for run in runs]):8.2f} "
            f"{median([run.cpu_ms for run in runs]):7.2f} {p50 / bare_p50:10.1f}"
        )


def audit_log_cost(uri: str, rows: list[Row], seconds: float, connections: int, log: Path) -> None:
    """The sequence query with the audit log on (the default), over consecutive windows."""
    audit = open_store(uri).audit
    before = sum(1 for _ in audit.entries())
    port = free_port()
    with serving(beacon_command(uri, port, 2), port, log, SERVING_ENVIRONMENT) as server:
        print(
            f"\naudit log on (default configuration but {SERVING_ENVIRONMENT}): "
            f"GET sequence count, consecutive {seconds:.0f} s windows"
        )
        for window in range(3):
            run = measured_run(server, rows[1].requests, seconds, connections)
            entries = sum(1 for _ in audit.entries()) - before
            print(
                f"  window {window + 1}: {run.result.per_second:7.0f} req/s, p50 "
                f"{run.result.p50_ms:.2f} ms, cpu {run.cpu_ms:.2f} ms/request, {entries:,} audit "
                f"entries after it, {run.replaced} workers replaced"
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
    parser.add_argument(
        "--spectrum", choices=SPECTRA, default=PANEL, help="allele frequencies of the data"
    )
    parser.add_argument(
        "--sync-reference",
        action="store_true",
        help="also measure the bare app on gunicorn's sync worker (the reference before "
        "December 2026) and print the ratios it gives",
    )
    parser.add_argument("--serve-bare", nargs=2, type=int, metavar=("PORT", "WORKERS"))
    parser.add_argument("--sync", action="store_true", help="with --serve-bare: sync worker")
    arguments = parser.parse_args(argv)
    if arguments.serve_bare:
        serve_bare(*arguments.serve_bare, sync=arguments.sync)
        return
    if not have_wrk():
        sys.exit("wrk is not installed: apt-get install -y wrk")
    print(machine_line())
    print(load_line("before"))
    print(f"asia-beacon serve configuration: defaults, and {BEACON_ENVIRONMENT}")
    environ = {**os.environ, **BEACON_ENVIRONMENT}
    print(
        "gunicorn settings of serve and of the bare app (app.serving.gunicorn_settings): "
        + describe_settings(bare_settings(environ, 0, arguments.workers, sync=False))
    )
    if arguments.sync_reference:
        print(f"{SYNC}: gunicorn's defaults but bind and workers (sync worker, no access log)")
    print(f"generated data: the {arguments.spectrum} spectrum (variant_store.py)")
    with tempfile.TemporaryDirectory(prefix="bench-serving-") as scratch:
        root = arguments.store or Path(scratch)
        built = build_store(
            store_directory(root, arguments.size, arguments.spectrum),
            arguments.size,
            arguments.cache or root / "vcf",
            arguments.spectrum,
        )
        shapes = draw_shapes(built.uri, arguments.targets)
        print_protection_shares(built.uri, shapes)
        rows = rows_for(shapes)
        log = root / "server-logs" / "bench_serving.log"
        beacon_port = free_port()
        with contextlib.ExitStack() as servers:
            beacon = servers.enter_context(
                serving(
                    beacon_command(built.uri, beacon_port, arguments.workers),
                    beacon_port,
                    log,
                    BEACON_ENVIRONMENT,
                )
            )
            references = {BARE: servers.enter_context(bare_server(arguments.workers, log))}
            if arguments.sync_reference:
                references[SYNC] = servers.enter_context(
                    bare_server(arguments.workers, log, sync=True)
                )
            print(f"{arguments.size:,} variants, {arguments.workers} gunicorn workers each")
            check_answers(beacon, rows)
            throughput(
                beacon, references, rows, arguments.seconds, arguments.repeats,
                arguments.connections,
            )  # fmt: skip
            data_connect_latency(
                beacon, references[BARE], rows, arguments.seconds / 2, arguments.repeats
            )
        if not arguments.no_audit_section:
            audit_log_cost(built.uri, rows, arguments.seconds, arguments.connections, log)
    print(load_line("after"))


def bare_server(
    workers: int, log: Path, sync: bool = False
) -> contextlib.AbstractContextManager[Server]:
    """The bare app served by this file in a process of its own, with serve's environment."""
    port = free_port()
    command = [sys.executable, str(Path(__file__).resolve()), "--serve-bare", str(port)]
    command += [str(workers), *(["--sync"] if sync else [])]
    return serving(command, port, log, BEACON_ENVIRONMENT, ready_path="/bare")


if __name__ == "__main__":
    main()
