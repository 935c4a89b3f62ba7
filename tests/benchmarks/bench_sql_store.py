"""The embedded store on SQLite against a bare ``sqlite3`` schema, same data, same run: the
store calls the beacon makes, and the sites-only load against ``bcftools view``.

    python tests/benchmarks/bench_sql_store.py [--size 1000000] [--work DIR] [--cache DIR]
        [--targets 500] [--profile 3000]

**Data.** ``engine_candidates.sites_only_vcf``: ``--size`` generated gene-annotated sites,
sites-only, INFO ``AC``/``AN`` of a 5,000-sample panel, 90% of the alleles below 1%.

**Loads** (each in a process of its own, after ``bcftools view`` over the same file, median of
3): the bare reference is ``engine_candidates.sqlite_load`` (``sqlite-json``: its bulk parser,
one executemany per 50,000 rows, one covering position index); ours is ``loaders.vcf.load_vcf``
into ``open_store("sqlite:///DIR")``, then the dataset description. Printed: seconds,
records/s, the ratio to ``bcftools view`` and bytes per record on disk.

**Store calls** (each side in a fresh reader process; p50/p99 ms over ``--targets`` targets
drawn from the data, a few untimed first): ours is ``store.count(VARIANTS, predicate)`` with
the predicate the beacon builds (``variant_store.beacon_selector``: ``variant_filter`` of the
request, with ``CommonAllele`` of the PUBLIC tier or without it), built before the clock starts;
"lowered SQL" runs the statement ``lower_sql.sql_count`` gives for that predicate and the
served parts on a bare ``sqlite3`` connection to the store's file (the engine's share of our
call, without our Python); the bare reference runs the hand-written SQL of
``engine_candidates.QUERY_SQL`` (and the same without ``af``). Every count is compared with
the bare reference's, target by target. Then, for one target per shape, the lowered SQL and
its ``EXPLAIN QUERY PLAN``, and a cProfile of ``--profile`` sequence counts.

Prints machine, load and same-run tables; asserts nothing (only that the answers agree).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCHMARKS))

from bench_engines import Targets, draw_targets  # noqa: E402
from bench_loader_scale import bcftools_command, run_measured  # noqa: E402
from engine_candidates import (  # noqa: E402
    QUERY_SQL,
    RARE,
    SqliteReader,
    sites_only_vcf,
    sqlite_load,
)
from measure import load_line, machine_line, median, percentile, process_memory  # noqa: E402
from variant_store import ASSEMBLY, DATASET, DATASET_DESCRIPTION, beacon_selector  # noqa: E402

from app.genome import gene_key  # noqa: E402

CHILD_MARK = "SQL_STORE_RESULT "
SHAPES = ("sequence", "range 10 kb", "range 1 Mb", "gene")
TARGET_RATIO = {"sequence": 2.0, "range 10 kb": 2.0, "range 1 Mb": 3.0, "gene": 2.0}
BARE = "bare sqlite3"
OURS = "store.count"
LOWERED = "lowered SQL"
WARM = 10  # untimed calls per shape and condition
SERIES_SECONDS = 20.0  # a series of calls stops after this long (a full scan per call): the
# table says over how many targets its figures are


def result_line(result: dict[str, Any]) -> None:
    print(CHILD_MARK + json.dumps(result), flush=True)


# -- what each side runs ----------------------------------------------------------------------


def shape_targets(targets: Targets, shape: str) -> list[dict[str, Any]]:
    return {
        "sequence": targets.sequence,
        "range 10 kb": targets.range_10kb,
        "range 1 Mb": targets.range_1mb,
        "gene": targets.gene,
    }[shape]


def _without_af(sql: str) -> str:
    return sql.replace(" AND af >= ?", "")


def bare_calls(path: Path) -> dict[tuple[str, bool], Callable[[dict], int]]:
    """The bare schema's counts per (shape, rare-allele rule on)."""
    reader = SqliteReader(path, "sqlite-json")
    ds, longest, _ = reader.dataset(DATASET)
    bound = max(longest, 1)
    one = reader.connection.execute

    def sequence(t: dict) -> tuple:
        return (
            ds, t["referenceName"], t["start"], ASSEMBLY, t["referenceBases"],
            t["alternateBases"],
        )  # fmt: skip

    def window(t: dict) -> tuple:
        return (ds, t["referenceName"], t["start"] - bound, t["end"], t["start"], ASSEMBLY)

    def gene(t: dict) -> tuple:
        return (ds, gene_key(t["geneId"]))

    statements = {
        "sequence": (QUERY_SQL["sequence count"], sequence),
        "range 10 kb": (QUERY_SQL["range count"], window),
        "range 1 Mb": (QUERY_SQL["range count"], window),
        "gene": (QUERY_SQL["gene count"], gene),
    }
    calls: dict[tuple[str, bool], Callable[[dict], int]] = {}
    for shape, (sql, parameters) in statements.items():
        plain = _without_af(sql)
        calls[shape, True] = lambda t, s=sql, p=parameters: one(s, (*p(t), RARE)).fetchone()[0]
        calls[shape, False] = lambda t, s=plain, p=parameters: one(s, p(t)).fetchone()[0]
    return calls


def our_predicates(uri: str, targets: Targets) -> dict[tuple[str, bool], list[Any]]:
    """The predicates the beacon builds for each target, with and without the rule."""
    from app.services.datasets import known_datasets
    from app.store import open_store

    store = open_store(uri)
    dataset = next(d for d in known_datasets(store) if d.id == DATASET)
    return {
        (shape, rule): [beacon_selector(t, rule)(dataset) for t in shape_targets(targets, shape)]
        for shape in SHAPES
        for rule in (True, False)
    }


def served_parts(store: Any) -> Any:
    """The served variant parts as the store's reads take them (with their datasets)."""
    from app.store import VARIANTS

    return store._backend.served_reading(VARIANTS)


def store_file(uri: str) -> Path:
    return Path(uri.split("://", 1)[1]) / "store.sqlite3"


def timed(call: Callable[[Any], Any], arguments: list[Any]) -> dict[str, Any]:
    for argument in arguments[:WARM]:
        call(argument)
    wall, answers = [], []
    for argument in arguments:
        began = time.perf_counter()
        answers.append(call(argument))
        wall.append(time.perf_counter() - began)
        if sum(wall) > SERIES_SECONDS:
            break
    return {
        "p50": percentile(wall, 50) * 1000,
        "p99": percentile(wall, 99) * 1000,
        "mean": sum(wall) / len(wall) * 1000,
        "answers": answers,
    }


def query_child(side: str, path: str, targets_file: str) -> None:
    targets = Targets(**json.loads(Path(targets_file).read_text()))
    found: dict[str, Any] = {}
    if side == BARE:
        for (shape, rule), call in bare_calls(Path(path)).items():
            found[f"{shape}|{rule}"] = timed(call, shape_targets(targets, shape))
    else:
        from app.store import VARIANTS, open_store
        from app.store.lower_sql import register_functions, sql_count

        store = open_store(path)
        predicates = our_predicates(path, targets)
        if side == OURS:
            for (shape, rule), chosen in predicates.items():
                found[f"{shape}|{rule}"] = timed(lambda p: store.count(VARIANTS, p), chosen)
        else:  # the lowered statements on a bare connection to the store's file
            parts = served_parts(store)
            connection = sqlite3.connect(f"file:{store_file(path)}?mode=ro", uri=True)
            register_functions(connection)
            for (shape, rule), chosen in predicates.items():
                statements = [sql_count(VARIANTS, p, parts) for p in chosen]
                found[f"{shape}|{rule}"] = timed(
                    lambda s: connection.execute(*s).fetchone()[0], statements
                )
    result_line({"queries": found, "rss_mb": process_memory(os.getpid())["VmRSS"] / 1024})


def explain_child(uri: str, targets_file: str, profile_calls: str) -> None:
    """The lowered SQL and its plan for one target per shape; a profile of sequence counts."""
    from app.store import VARIANTS, open_store
    from app.store.lower_sql import register_functions, sql_count

    targets = Targets(**json.loads(Path(targets_file).read_text()))
    store = open_store(uri)
    predicates = our_predicates(uri, targets)
    parts = served_parts(store)
    connection = sqlite3.connect(f"file:{store_file(uri)}?mode=ro", uri=True)
    register_functions(connection)
    plans = {}
    for shape in SHAPES:
        sql, parameters = sql_count(VARIANTS, predicates[shape, True][0], parts)
        plan = connection.execute(f"EXPLAIN QUERY PLAN {sql}", parameters).fetchall()
        plans[shape] = {"sql": sql, "parameters": parameters, "plan": [row[-1] for row in plan]}
    chosen = predicates["sequence", True]
    calls = int(profile_calls)
    profiler = cProfile.Profile()
    profiler.enable()
    for index in range(calls):
        store.count(VARIANTS, chosen[index % len(chosen)])
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(18)
    result_line({"plans": plans, "profile": text.getvalue(), "calls": calls})


def overhead_child(uri: str, targets_file: str) -> None:
    """Where the time of one ``store.count`` goes, per shape (rule on), p50 microseconds over
    3 passes of the targets: the whole call, the whole call inside ``store.one_release()`` (as
    a request holds one), lowering alone (``sql_count``), reading the served parts alone, and
    executing the lowered statement on the store's own connection."""
    from app.store import VARIANTS, open_store
    from app.store.lower_sql import sql_count

    targets = Targets(**json.loads(Path(targets_file).read_text()))
    store = open_store(uri)
    predicates = our_predicates(uri, targets)
    backend = store._backend
    parts = served_parts(store)
    found: dict[str, dict[str, float]] = {}

    def p50_us(call: Callable[[Any], Any], arguments: list[Any], passes: int = 3) -> float:
        for argument in arguments[:WARM]:
            call(argument)
        wall = []
        for _ in range(passes):
            for argument in arguments:
                began = time.perf_counter()
                call(argument)
                wall.append(time.perf_counter() - began)
        return percentile(wall, 50) * 1e6

    for shape in SHAPES:
        if shape == "gene":
            continue  # the statement's plan decides it (see the plans)
        chosen = predicates[shape, True]
        statements = [sql_count(VARIANTS, p, parts) for p in chosen]
        whole = p50_us(lambda p: store.count(VARIANTS, p), chosen)  # also warms the pages
        with store.one_release():
            held = p50_us(lambda p: store.count(VARIANTS, p), chosen)
        with backend.session() as connection:
            execute = p50_us(lambda st, c=connection: c.execute(*st).fetchone(), statements)
        found[shape] = {
            "store.count": whole,
            "in one_release": held,
            "sql_count (lowering)": p50_us(lambda p: sql_count(VARIANTS, p, parts), chosen),
            "served parts": p50_us(lambda p: backend.served_parts(), chosen),
            "execute": execute,
        }
    result_line({"overhead": found})


def print_overhead(found: dict[str, dict[str, float]]) -> None:
    columns = list(next(iter(found.values())))
    print("\nwhere a store.count goes, p50 microseconds per call (rule on):")
    print(f"  {'shape':<12}" + "".join(f"{c:>22}" for c in columns))
    for shape, row in found.items():
        print(f"  {shape:<12}" + "".join(f"{row[c]:22.1f}" for c in columns))


# -- loads ------------------------------------------------------------------------------------


def load_child(side: str, path: str, vcf: str) -> None:
    began, began_cpu = time.perf_counter(), time.process_time()
    if side == BARE:
        timing = {"parse": 0.0, "insert": 0.0, "checkpoint": 0.0}
        rows = sqlite_load(Path(path), "sqlite-json", Path(vcf), DATASET, timing)
    else:
        from app.store import open_store
        from loaders.datasets import load_datasets
        from loaders.vcf import load_vcf

        store = open_store(path)
        rows = load_vcf(store, vcf, DATASET, ASSEMBLY).variants
        seconds = time.perf_counter() - began
        description = Path(path.split("://", 1)[1]).parent / f"{DATASET}-datasets.yaml"
        description.write_text(DATASET_DESCRIPTION)
        load_datasets(store, description)
        description.unlink()
        result_line(
            {
                "rows": rows,
                "seconds": seconds,
                "cpu": time.process_time() - began_cpu,
                "peak_mb": process_memory(os.getpid())["VmHWM"] / 1024,
            }
        )
        return
    result_line(
        {
            "rows": rows,
            "seconds": time.perf_counter() - began,
            "cpu": time.process_time() - began_cpu,
            "peak_mb": process_memory(os.getpid())["VmHWM"] / 1024,
        }
    )


def child(arguments: list[str]) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", *arguments]
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    for line in done.stdout.splitlines():
        if line.startswith(CHILD_MARK):
            return json.loads(line[len(CHILD_MARK) :])
    raise RuntimeError(
        f"{' '.join(arguments)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    )


def bytes_on_disk(path: Path) -> int:
    if path.is_dir():
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


# -- printing ---------------------------------------------------------------------------------


def print_loads(size: int, reference: float, loads: dict[str, dict[str, Any]]) -> None:
    print(
        f"\nsites-only load, {size:,} records "
        f"(bcftools view: {reference:.2f} s, {size / reference:,.0f} rec/s; target >= 0.25, "
        "<= 300 bytes/record)"
    )
    print(
        f"  {'':<14} {'seconds':>8} {'cpu s':>7} {'rec/s':>9} {'vs bcftools':>11} "
        f"{'peak MB':>8} {'MB on disk':>10} {'bytes/rec':>9}"
    )
    for side, load in loads.items():
        print(
            f"  {side:<14} {load['seconds']:8.1f} {load['cpu']:7.1f} "
            f"{load['rows'] / load['seconds']:9,.0f} {reference / load['seconds']:11.3f} "
            f"{load['peak_mb']:8.0f} {load['bytes'] / 1024**2:10.0f} "
            f"{load['bytes'] / load['rows']:9,.0f}"
        )


def print_queries(queried: dict[str, dict[str, Any]], count: int) -> list[str]:
    """The table; the lines that say where an answer differs from the bare reference."""
    print(
        f"\nstore calls, ms p50 / p99 over {count} targets each (fresh reader process per side); "
        f"ratio = p50 ours / p50 bare"
    )
    print(
        f"  {'shape':<12} {'rule':<5} {BARE:>17} {OURS:>17} {LOWERED:>17} "
        f"{'ours/bare':>9} {'SQL/bare':>8} {'target':>6} {'met':>4}"
    )
    differences = []
    for shape in SHAPES:
        for rule in (True, False):
            key = f"{shape}|{rule}"
            bare, ours, lowered = (queried[side]["queries"][key] for side in (BARE, OURS, LOWERED))
            ratio = ours["p50"] / bare["p50"]
            target = TARGET_RATIO[shape]
            cells = "".join(f"{r['p50']:8.3f} /{r['p99']:7.2f}" for r in (bare, ours, lowered))
            timed_over = min(len(r["answers"]) for r in (bare, ours, lowered))
            print(
                f"  {shape:<12} {'on' if rule else 'off':<5} {cells} {ratio:9.1f} "
                f"{lowered['p50'] / bare['p50']:8.1f} {target:5.0f}x "
                f"{'yes' if ratio <= target else 'no':>4}"
                + (f"  (over the first {timed_over} targets)" if timed_over < count else "")
            )
            for side, result in (("ours", ours), ("lowered", lowered)):
                pairs = zip(result["answers"], bare["answers"], strict=False)
                wrong = sum(a != b for a, b in pairs)
                if wrong:
                    differences.append(f"{shape} rule {rule}: {side} differs on {wrong} targets")
    means = {
        shape: sum(queried[BARE]["queries"][f"{shape}|{rule}"]["answers"]) / count
        for shape in SHAPES
        for rule in (True,)
    }
    print("  mean count with the rule: " + ", ".join(f"{s} {m:.1f}" for s, m in means.items()))
    print("  RSS MB after the queries: " + ", ".join(
        f"{side} {found['rss_mb']:.0f}" for side, found in queried.items()
    ))  # fmt: skip
    return differences


def print_explain(explained: dict[str, Any]) -> None:
    print("\nour lowered SQL (rule on, first target) and its EXPLAIN QUERY PLAN:")
    for shape, found in explained["plans"].items():
        print(f"  {shape}: {found['sql']}")
        print(f"    parameters {found['parameters']}")
        for line in found["plan"]:
            print(f"    plan: {line}")
    print(f"\ncProfile of {explained['calls']:,} store.count calls (sequence, rule on):")
    for line in explained["profile"].splitlines():
        if line.strip():
            print("  " + line.rstrip())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, help="where the loads write (default: temporary)")
    parser.add_argument("--cache", type=Path, help="generated VCFs (default: in --work)")
    parser.add_argument("--targets", type=int, default=500, help="targets per shape")
    parser.add_argument("--profile", type=int, default=3000, help="profiled sequence counts")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.child:
        stage, *rest = arguments.child
        stages = {
            "load": load_child,
            "query": query_child,
            "explain": explain_child,
            "overhead": overhead_child,
        }
        stages[stage](*rest)
        return
    print(machine_line())
    print(load_line("before"))
    print(f"sqlite3 {sqlite3.sqlite_version}")
    with tempfile.TemporaryDirectory(prefix="bench-sql-store-") as scratch:
        work = arguments.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        cache = arguments.cache or work / "vcf"
        cache.mkdir(parents=True, exist_ok=True)
        vcf = sites_only_vcf(cache, arguments.size)
        command, which = bcftools_command(vcf)
        reference = median([run_measured(command)[0] for _ in range(3)])
        print(f"reference: {which}, {reference:.2f} s (median of 3)", flush=True)

        bare_path = work / "bare.sqlite3"
        for old in work.glob("bare.sqlite3*"):
            old.unlink()
        directory = work / "store"
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir()
        uri = f"sqlite://{directory.resolve()}"
        loads = {}
        for side, path in ((BARE, str(bare_path)), ("our load_vcf", uri)):
            print(f"loading {side} ...", flush=True)
            loads[side] = child(["load", BARE if side == BARE else OURS, path, str(vcf)])
        loads[BARE]["bytes"] = bytes_on_disk(bare_path)
        loads["our load_vcf"]["bytes"] = bytes_on_disk(directory)
        print_loads(arguments.size, reference, loads)

        targets = draw_targets(bare_path, arguments.targets)
        targets_file = work / "targets.json"
        targets_file.write_text(json.dumps(targets.__dict__))
        queried = {}
        for side in (BARE, OURS, LOWERED):
            print(f"querying {side} ...", flush=True)
            path = str(bare_path) if side == BARE else uri
            queried[side] = child(["query", side, path, str(targets_file)])
        differences = print_queries(queried, arguments.targets)
        print(
            "answers: "
            + ("every count equal to the bare reference's" if not differences else "")
            + "; ".join(differences)
        )
        print_overhead(child(["overhead", uri, str(targets_file)])["overhead"])
        print_explain(child(["explain", uri, str(targets_file), str(arguments.profile)]))
        print(load_line("after"))


if __name__ == "__main__":
    main()
