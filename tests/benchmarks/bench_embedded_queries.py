"""g_variants query latency on the embedded store at 100k and 1M variants, in three layers, and
the start-up time and memory of a serving process over it (issue 8).

    python tests/benchmarks/bench_embedded_queries.py [--sizes 100000,1000000] [--store DIR]
        [--cache DIR] [--targets 200] [--queries 500] [--seconds 5] [--starts 3] [--profile]
        [--spectrum panel|ten-samples]

For each size a gene-annotated VCF of that many variants (``variant_store.py``; ``--spectrum
panel``, the default: a sites-only panel of 10,000 samples, about 89% of its alleles below 1%;
``--spectrum ten-samples``: 10 genotyped samples, no allele below 5%, the data of the figures
before December 2026) is loaded into ``mongomock:///<DIR>/embedded-panel-<size>`` (or
``embedded-<size>``); with ``--store DIR`` a store already there is reused (and a new one
kept). Sequence, range (10 kb, 1 Mb) and gene queries on targets drawn from the store are
timed at boolean and count granularity, after a line per shape saying which share of its
targets match visible alleles and which only alleles hidden as rare:

- store: the selector the beacon builds (``variant_filter`` and, the dataset being PUBLIC by
  default, the rare-allele condition) answered by ``find_entries``; no Flask;
- flask: ``GET /g_variants`` through ``create_app(...).test_client()``, the whole request path;
- http: ``asia-beacon serve`` (gunicorn, 2 workers) at concurrency 1 (wrk -c1, else Python).

Both Flask layers run the default configuration (every dataset PUBLIC, counts at most, small
counts banded, rare alleles hidden, query budget on) except ``AUDIT_LOG=false`` (with the
audit log on, ``bench_serving.py`` measures its cost), ``QUERY_BUDGET`` = a billion (the
budget's work is done on every request, but one client asking thousands of queries is not
refused after 50 "yes" answers on rare variants), and for the server ``MAX_REQUESTS=0`` (no
worker replaced mid-row).

Each row gives p50/p99 wall-clock milliseconds and the CPU milliseconds a query cost, which
waiting for a busy core on a shared machine does not inflate. Then each worker's memory after
start and after the queries (VmRSS, its private part RssAnon, and RssFile: mapped segment pages
the page cache shares between workers), and where a sequence count request's CPU time goes:
each step timed alone, and the whole request with steps taken away. Over the largest store:
seconds from starting ``asia-beacon serve`` until ``/healthz`` answers and until a first
sequence query answers (median of ``--starts``; the store's files are in the page cache), and
what one worker spends on imports and ``create_app``. Prints the targets of PERFORMANCE.md
and issue 8 beside the numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import itertools
import json
import logging
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from unittest import mock

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS.parents[1]))
sys.path.insert(0, str(BENCHMARKS))

from measure import (  # noqa: E402
    load_line,
    machine_line,
    median,
    percentile,
    timed_calls,
)
from served import beacon_command, free_port, serving  # noqa: E402
from variant_store import (  # noqa: E402
    DATASET,
    PANEL,
    SPECTRA,
    UNSPENDABLE_BUDGET,
    BuiltStore,
    Shape,
    beacon_selector,
    build_store,
    draw_shapes,
    print_protection_shares,
    query_string,
    store_directory,
)
from wrk_load import Request, run_load  # noqa: E402

from app import create_app  # noqa: E402
from app.access.budget import QueryBudget  # noqa: E402
from app.beacon import visibility  # noqa: E402
from app.config import DEFAULTS  # noqa: E402
from app.context import STORE_KEY  # noqa: E402
from app.entry_types import GENOMIC_VARIATION  # noqa: E402
from app.services.datasets import known_datasets  # noqa: E402
from app.services.entries import Condition, find_entries  # noqa: E402
from app.services.protected_answers import found_rare_variant  # noqa: E402
from app.store import open_store  # noqa: E402
from schemas.requests import (  # noqa: E402
    request_from_query_string,
    variant_query_from_parameters,
)

GRANULARITIES = ("boolean", "count")
# What the benchmark changes from the default configuration, for the server and the test client.
APP_CONFIG = {"AUDIT_LOG": False, "QUERY_BUDGET": UNSPENDABLE_BUDGET}
SERVER_ENVIRONMENT = {
    "ASIA_BEACON_AUDIT_LOG": "false",
    "ASIA_BEACON_QUERY_BUDGET": str(UNSPENDABLE_BUDGET),
    "ASIA_BEACON_MAX_REQUESTS": "0",  # no worker replaced mid-row
}
TARGETS = (
    "targets at 1M variants: sequence p50 < 1 ms in-process (store), < 2 ms over HTTP "
    "(PERFORMANCE.md), < 5 ms (issue 8); start < 3 s; RSS per worker < 400 MB"
)


@dataclass(frozen=True)
class Row:
    """One layer x shape x granularity: wall-clock p50/p99, and the CPU milliseconds a query
    cost (p50 of each query's CPU time in-process; workers' CPU per request over HTTP)."""

    layer: str
    shape: str
    granularity: str
    p50_ms: float
    p99_ms: float
    cpu_ms: float
    matches: float | None = None  # mean count of matching variants (count granularity)
    note: str = ""


def timed_row(
    layer: str, shape: str, granularity: str, timings: tuple[list[float], list[float]], **more: Any
) -> Row:
    wall, cpu = timings
    return Row(
        layer,
        shape,
        granularity,
        percentile(wall, 50) * 1000,
        percentile(wall, 99) * 1000,
        percentile(cpu, 50) * 1000,
        **more,
    )


def answers_timed(
    call: Callable[[int], Any], queries: int, warmup: int
) -> tuple[tuple[list[float], list[float]], list[Any]]:
    """Timings of ``queries`` calls after ``warmup`` untimed ones, and what each returned."""
    for index in range(warmup):
        call(index)
    answers: list[Any] = []
    timings = timed_calls(lambda index: answers.append(call(index)), queries)
    return timings, answers


def store_layer(built: BuiltStore, shapes: list[Shape], queries: int, warmup: int) -> list[Row]:
    store = open_store(built.uri)
    dataset = next(d for d in known_datasets(store) if d.id == DATASET)
    page = int(DEFAULTS["DEFAULT_PAGE_SIZE"])
    rows = []
    for shape, granularity in itertools.product(shapes, GRANULARITIES):

        def one(index: int, shape: Shape = shape, granularity: str = granularity) -> int | None:
            parameters = shape.parameters[index % len(shape.parameters)]
            condition = Condition(GENOMIC_VARIATION.id, beacon_selector(parameters))
            (result,) = find_entries(
                store, GENOMIC_VARIATION, [dataset], [condition], granularity, 0, page
            )
            return result.count

        timings, counts = answers_timed(one, queries, warmup)
        known = [count for count in counts if count is not None]
        matches = sum(known) / len(known) if known else None
        rows.append(timed_row("store", shape.name, granularity, timings, matches=matches))
    return rows


def quiet_app(uri: str, **config: Any) -> Any:
    """The application as served (plus ``config``), its per-request log lines formatted but
    thrown away."""
    application = create_app({"MONGO_URI": uri, **APP_CONFIG, **config})
    for handler in logging.getLogger().handlers:
        if handler.get_name() == "asia-beacon" and isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115
    return application


def flask_layer(built: BuiltStore, shapes: list[Shape], queries: int, warmup: int) -> list[Row]:
    client = quiet_app(built.uri).test_client()
    rows = []
    for shape, granularity in itertools.product(shapes, GRANULARITIES):
        urls = [f"/g_variants?{query_string(p, granularity)}" for p in shape.parameters]

        def one(index: int, urls: list[str] = urls) -> bool:
            response = client.get(urls[index % len(urls)])
            if response.status_code != 200:
                raise RuntimeError(f"{urls[index % len(urls)]}: {response.status_code}")
            return bool(response.json["responseSummary"]["exists"])

        timings, answers = answers_timed(one, queries, warmup)
        note = f"{sum(answers) / len(answers):.0%} yes"
        rows.append(timed_row("flask", shape.name, granularity, timings, note=note))
    return rows


def http_layer(
    built: BuiltStore, shapes: list[Shape], seconds: float, workers: int, log: Path
) -> tuple[list[Row], dict[int, dict[str, int]], dict[int, dict[str, int]]]:
    """Rows per shape at concurrency 1, and worker memory at start and after the queries."""
    port = free_port()
    rows = []
    with serving(beacon_command(built.uri, port, workers), port, log, SERVER_ENVIRONMENT) as server:
        at_start = server.worker_memory()
        for shape in shapes:
            for granularity in GRANULARITIES:
                requests = [
                    Request(f"/g_variants?{query_string(parameters, granularity)}")
                    for parameters in shape.parameters
                ]
                run_load(server.base_url, requests, 1, 1)  # warm-up, not counted
                server.wait_until_idle()  # answers still in flight after the warm-up
                cpu_before = server.workers_cpu()
                result = run_load(server.base_url, requests, seconds, 1)
                window = server.cpu_since(cpu_before)
                cpu = window.seconds / max(result.requests, 1)
                note = f"{result.requests} requests, {result.client}"
                if result.status_errors or result.errors:
                    note += f", {result.status_errors} bad answers, {result.errors} errors"
                if window.replaced:
                    note += f", {len(window.replaced)} workers replaced"
                row = Row("http", shape.name, granularity, result.p50_ms, result.p99_ms, cpu * 1000)
                rows.append(replace(row, note=note))
        after = server.worker_memory()
    return rows, at_start, after


def start_up(
    built: BuiltStore, shapes: list[Shape], starts: int, workers: int, log: Path
) -> tuple[list[float], list[float]]:
    """Seconds until /healthz and until a first sequence query answer, per start."""
    sequence = next(shape for shape in shapes if shape.name == "sequence")
    first_query = f"/g_variants?{query_string(sequence.parameters[0], 'count')}"
    healthy, answered = [], []
    for _ in range(starts):
        port = free_port()
        command = beacon_command(built.uri, port, workers)
        with serving(command, port, log, SERVER_ENVIRONMENT, ready_path=None) as server:
            healthy.append(server.seconds_until("/healthz"))
            answered.append(server.seconds_until(first_query))
    return healthy, answered


STARTUP_PROBE = """
import json, sys, time
wall, cpu = time.perf_counter(), time.process_time()
import gunicorn.app.base
from app import create_app
imported = (time.perf_counter() - wall, time.process_time() - cpu)
wall, cpu = time.perf_counter(), time.process_time()
create_app({"MONGO_URI": sys.argv[1], "AUDIT_LOG": False})
built = (time.perf_counter() - wall, time.process_time() - cpu)
print(json.dumps({"imports": imported, "create_app": built}))
"""


def start_up_parts(built: BuiltStore, runs: int) -> dict[str, tuple[float, float]]:
    """What one worker does before it answers: imports, then ``create_app`` (median wall and
    CPU seconds, one process at a time)."""
    found: dict[str, list[tuple[float, float]]] = {"imports": [], "create_app": []}
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", STARTUP_PROBE, built.uri],
            capture_output=True,
            text=True,
            check=True,
            cwd=BENCHMARKS.parents[1],
            env={**os.environ, "PYTHONPATH": str(BENCHMARKS.parents[1])},
        )
        for part, (wall, cpu) in json.loads(done.stdout.splitlines()[-1]).items():
            found[part].append((wall, cpu))
    return {
        part: (median([w for w, _ in values]), median([c for _, c in values]))
        for part, values in found.items()
    }


def print_rows(size: int, rows: list[Row]) -> None:
    print(f"\n{size:,} variants: g_variants latency, milliseconds")
    print(
        "  (cpu: CPU ms per query, the p50 of each query's own CPU time in-process, the workers'"
        " CPU time per request over HTTP; wall times also hold waits for a busy core)"
    )
    print(
        f"  {'layer':<6} {'shape':<12} {'granularity':<11} {'p50':>8} {'p99':>8} {'cpu':>7} "
        f"{'matches':>8}  note"
    )
    for row in rows:
        matches = f"{row.matches:8.1f}" if row.matches is not None else f"{'':>8}"
        print(
            f"  {row.layer:<6} {row.shape:<12} {row.granularity:<11} {row.p50_ms:8.2f} "
            f"{row.p99_ms:8.2f} {row.cpu_ms:7.2f} {matches}  {row.note}"
        )


def print_memory(title: str, memory: dict[int, dict[str, int]]) -> None:
    print(f"  worker memory {title} (MB):")
    for pid, found in memory.items():
        if not found:
            continue
        print(
            f"    pid {pid}: VmRSS {found.get('VmRSS', 0) / 1024:7.1f}  "
            f"RssAnon {found.get('RssAnon', 0) / 1024:7.1f}  "
            f"RssFile {found.get('RssFile', 0) / 1024:7.1f}  "
            f"VmHWM {found.get('VmHWM', 0) / 1024:7.1f}"
        )


def request_breakdown(built: BuiltStore, shapes: list[Shape], queries: int) -> None:
    """CPU time of the steps of a sequence count request, each timed alone over the same
    store, as shares of the whole request: where the time over the store query goes."""
    application = quiet_app(built.uri)
    client = application.test_client()
    store = application.extensions[STORE_KEY]
    dataset = next(d for d in known_datasets(store) if d.id == DATASET)
    budget = QueryBudget(store, UNSPENDABLE_BUDGET, int(DEFAULTS["QUERY_BUDGET_PERIOD"]))
    targets = next(shape for shape in shapes if shape.name == "sequence").parameters
    page = int(DEFAULTS["DEFAULT_PAGE_SIZE"])

    def target(index: int) -> dict[str, Any]:
        return targets[index % len(targets)]

    def parse(index: int) -> Any:
        arguments = dict(
            item.split("=") for item in query_string(target(index), "count").split("&")
        )
        return variant_query_from_parameters(
            request_from_query_string(arguments).request_parameters
        )

    def query(index: int) -> Any:
        condition = Condition(GENOMIC_VARIATION.id, beacon_selector(target(index)))
        return find_entries(store, GENOMIC_VARIATION, [dataset], [condition], "count", 0, page)

    steps: list[tuple[str, Callable[[int], Any]]] = [
        (
            "GET /g_variants sequence count, whole",
            lambda i: client.get(f"/g_variants?{query_string(target(i), 'count')}"),
        ),
        ("GET /healthz (Flask, middleware, token check)", lambda i: client.get("/healthz")),
        ("parse the query string (marshmallow)", parse),
        ("known_datasets (every request)", lambda i: known_datasets(store)),
        ("QueryBudget.state (before the query)", lambda i: budget.state("address:127.0.0.1")),
        ("find_entries count (the query itself)", query),
        (
            "found_rare_variant (after a yes)",
            lambda i: found_rare_variant(
                store,
                [dataset],
                beacon_selector(target(i)),
                float(DEFAULTS["QUERY_BUDGET_RARE_FREQUENCY"]),
            ),
        ),
    ]
    print(f"\nwhere a sequence count request's CPU time goes ({queries} calls each, p50)")
    whole = None
    for name, step in steps:
        (_, cpu), _ = answers_timed(step, queries, 20)
        milliseconds = percentile(cpu, 50) * 1000
        whole = whole or milliseconds
        print(f"  {name:<48} {milliseconds:7.3f} ms {milliseconds / whole:6.0%}")


def request_ablations(built: BuiltStore, shapes: list[Shape], queries: int) -> None:
    """The whole sequence count request with steps taken away, interleaved so that each
    variant runs under the same machine load: what removing or caching a step would save."""
    targets = next(shape for shape in shapes if shape.name == "sequence").parameters
    urls = [f"/g_variants?{query_string(p, 'count')}" for p in targets]
    served = quiet_app(built.uri).test_client()
    no_budget = quiet_app(built.uri, QUERY_BUDGET=0).test_client()
    cached = known_datasets(open_store(built.uri))

    def memoized() -> Any:
        return mock.patch.object(visibility, "known_datasets", new=lambda store: cached)

    variants: list[tuple[str, Any, Callable[[], Any], bool]] = [
        ("as served", served, contextlib.nullcontext, False),
        (
            "QUERY_BUDGET=0 (no budget read, no rare-yes check)",
            no_budget,
            contextlib.nullcontext,
            False,
        ),
        ("QUERY_BUDGET=0 and known_datasets computed once", no_budget, memoized, False),
        ("GET /healthz, same app (the framework floor)", served, contextlib.nullcontext, True),
    ]
    cpu: dict[str, list[float]] = {name: [] for name, *_ in variants}
    for index in range(20 + queries):
        url = urls[index % len(urls)]
        for name, client, context, health in variants:
            with context():
                began = time.process_time()
                client.get("/healthz" if health else url)
                spent = time.process_time() - began
            if index >= 20:
                cpu[name].append(spent)
    whole = percentile(cpu[variants[0][0]], 50)
    print(f"\nsequence count request with steps taken away (CPU ms, p50 of {queries}, interleaved)")
    for name, *_ in variants:
        found = percentile(cpu[name], 50)
        print(f"  {name:<52} {found * 1000:7.3f} ms {found / whole:6.0%}")


def profile_flask(built: BuiltStore, shapes: list[Shape], queries: int) -> None:
    """Where a sequence count request spends its time (cProfile, top functions)."""
    client = quiet_app(built.uri).test_client()
    sequence = next(shape for shape in shapes if shape.name == "sequence")
    urls = [f"/g_variants?{query_string(p, 'count')}" for p in sequence.parameters]
    for url in urls[:20]:
        client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for index in range(queries):
        client.get(urls[index % len(urls)])
    profiler.disable()
    for order in ("tottime", "cumulative"):
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(25)
        print(f"\nprofile of {queries} sequence count requests (flask), by {order}:")
        print("\n".join(text.getvalue().splitlines()[4:40]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="variants per store")
    parser.add_argument("--store", type=Path, help="keep stores here and reuse them")
    parser.add_argument("--cache", type=Path, help="generated VCFs (default: in --store/tmp)")
    parser.add_argument("--targets", type=int, default=200, help="distinct queries per shape")
    parser.add_argument("--queries", type=int, default=500, help="timed queries per row")
    parser.add_argument("--seconds", type=float, default=5, help="HTTP seconds per row")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--starts", type=int, default=3, help="server starts timed")
    parser.add_argument("--profile", action="store_true", help="cProfile the flask layer")
    parser.add_argument(
        "--spectrum", choices=SPECTRA, default=PANEL, help="allele frequencies of the data"
    )
    arguments = parser.parse_args(argv)
    sizes = [int(size) for size in arguments.sizes.split(",")]
    print(machine_line())
    print(load_line("before"))
    print(TARGETS)
    print(f"server and test client configuration: defaults, and {SERVER_ENVIRONMENT}")
    print(f"generated data: the {arguments.spectrum} spectrum (variant_store.py)")
    with tempfile.TemporaryDirectory(prefix="bench-queries-") as scratch:
        root = arguments.store or Path(scratch)
        cache = arguments.cache or root / "vcf"
        log = root / "server-logs" / "bench_embedded_queries.log"
        for size in sizes:
            directory = store_directory(root, size, arguments.spectrum)
            built = build_store(directory, size, cache, arguments.spectrum)
            shapes = draw_shapes(built.uri, arguments.targets)
            print_protection_shares(built.uri, shapes)
            warmup = min(20, arguments.queries)
            rows = store_layer(built, shapes, arguments.queries, warmup)
            rows += flask_layer(built, shapes, arguments.queries, warmup)
            http_rows, at_start, after = http_layer(
                built, shapes, arguments.seconds, arguments.workers, log
            )
            print_rows(size, rows + http_rows)
            print_memory("after start", at_start)
            print_memory("after the queries", after)
            request_breakdown(built, shapes, arguments.queries)
            request_ablations(built, shapes, arguments.queries)
            if arguments.profile:
                profile_flask(built, shapes, arguments.queries)
            if size == max(sizes):
                healthy, answered = start_up(
                    built, shapes, arguments.starts, arguments.workers, log
                )
                print(
                    f"\nstart-up over {size:,} variants ({arguments.workers} workers, "
                    f"median of {len(healthy)}): /healthz after {median(healthy):.2f} s "
                    f"(runs {', '.join(f'{s:.2f}' for s in healthy)}), first sequence query "
                    f"after {median(answered):.2f} s "
                    f"(runs {', '.join(f'{s:.2f}' for s in answered)})"
                )
                parts = start_up_parts(built, arguments.starts)
                print(
                    "  one worker alone (wall / CPU s): "
                    + ", ".join(f"{part} {w:.2f} / {c:.2f}" for part, (w, c) in parts.items())
                )
            print(load_line(f"after {size:,}"))


if __name__ == "__main__":
    main()
