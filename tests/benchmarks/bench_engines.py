"""Which embedded engine should hold the variants: stdlib sqlite3 (WAL) against DuckDB, with our
current embedded store measured in the same run over the same data and the same queries.

    python tests/benchmarks/bench_engines.py [--size 1000000] [--work DIR] [--cache DIR]
        [--targets 500] [--encodings ...] [--skip-store] [--skip-concurrency]

``--size 100000`` is a quick run, ``--size 10000000`` the national-panel case (not the default).
DuckDB is not a runtime dependency: ``pip install -e '.[bench]'`` (or ``pip install duckdb``).

**Data.** ``variant_store.py``'s generated gene-annotated VCF of ``--size`` biallelic sites, made
sites-only: the sample columns are dropped and INFO carries ``AC``/``AN`` of a 5,000-sample panel
(``AN=10000``) with a realistic spectrum, 90% of the alleles below 1% (``AF < 0.01``), so the
rare-allele rule of the PUBLIC tier (``af >= 0.01``; every query below applies it) hides most
of them, as it would on real data.

**Parsing.** The engines are fed by one bulk parser of the VCF's text (gzip, ``str.split``,
the Beacon record as a JSON template): building rows and records, it runs as fast as iterating
``pysam.VariantFile`` only to read the same fields (52k and 51k records/s when this was
written), so pysam would add its cost to ours without saving any. It handles
sequence alleles (multi-allelic split per ALT) and ``GENE``; before the run its rows and records
are checked equal to the loader's own documents (``iter_variant_documents``) on the first
2,000 records. Parse time and insert time are taken apart, so the pure insert rate from ready
rows is printed beside the rate from the VCF. The reference is ``bcftools view`` over the same
file in the same run.

**The candidate schema** (one row per (dataset, allele); what the Beacon's queries match are
typed columns, the Beacon record is stored whole and compact beside them)::

    -- SQLite (WAL, one file; a release is one transaction)
    CREATE TABLE dataset (ds INTEGER PRIMARY KEY, dataset_id TEXT NOT NULL UNIQUE,
        longest_variant INTEGER NOT NULL, variant_count INTEGER NOT NULL,
        record_dictionary BLOB);                 -- zlib preset dictionary of the records
    CREATE TABLE variant (vid INTEGER PRIMARY KEY, ds INTEGER NOT NULL,
        assembly TEXT NOT NULL, chrom TEXT NOT NULL, start INTEGER NOT NULL,
        "end" INTEGER NOT NULL, ref TEXT NOT NULL, alt TEXT NOT NULL,
        variant_type TEXT NOT NULL, variant_length INTEGER NOT NULL,
        internal_id TEXT NOT NULL, af REAL,      -- NULL: unknown, rare under the rule
        record BLOB NOT NULL);                   -- JSON text, zlib(JSON) or zlib(JSON, zdict)
    CREATE TABLE gene (ds INTEGER, gene_key TEXT, af REAL, vid INTEGER,
        PRIMARY KEY (ds, gene_key, vid)) WITHOUT ROWID;   -- case-folded symbols
    CREATE TABLE identifier (ds INTEGER, identifier TEXT, vid INTEGER,
        PRIMARY KEY (ds, identifier, vid)) WITHOUT ROWID;
    CREATE INDEX variant_position ON variant
        (ds, chrom, start, "end", assembly, ref, alt, af);  -- covering every count
    CREATE INDEX variant_internal_id ON variant (internal_id);

    -- DuckDB (one file per release: one writer process per file, readers open it read-only)
    CREATE TABLE dataset (ds INTEGER, dataset_id VARCHAR, longest_variant INTEGER,
        variant_count BIGINT);
    CREATE TABLE variant (vid BIGINT, ds INTEGER, assembly VARCHAR, chrom VARCHAR,
        start INTEGER, "end" INTEGER, ref VARCHAR, alt VARCHAR, variant_type VARCHAR,
        variant_length INTEGER, internal_id VARCHAR, af DOUBLE, gene_keys VARCHAR[],
        identifiers VARCHAR[], record JSON | STRUCT(...) | BLOB);
    CREATE TABLE gene AS SELECT ds, unnest(gene_keys) AS gene_key, af, vid
        FROM variant ORDER BY ds, gene_key;     -- sorted, so its zone maps find a key

DuckDB's rows are inserted in position order (ds, chrom, start), so its per-row-group zone maps
(min/max of every column) prune a position query to one row group; it has no B-tree to seek.
Record encodings (``--encodings``): ``sqlite-json``, ``sqlite-zlib``, ``sqlite-zdict`` (zlib
with a preset dictionary of the dataset's records), ``duckdb-json``, ``duckdb-struct`` and
``duckdb-zdict``. The query SQL is printed with the tables.

**Queries** (p50/p99 ms over ``--targets`` targets drawn from the data, each in a fresh reader
process that reports its RSS after opening and after the queries): sequence count and exists,
range 10 kb and 1 Mb counts, gene count, a 10-record page of records with its count (the
records decoded to dicts), and Data Connect's ``GROUP BY chromosome`` and region ``SELECT ...
LIMIT 100`` over 1 Mb. The store row is ``open_store("mongomock:///DIR")`` and ``find_entries``
with the selector the beacon builds (variant filter and rare-allele condition); it has no Data
Connect row (``bench_dataconnect.py`` measures that path). The answers of every engine are
compared, target by target, with the store's.

**Concurrency as served.** Two reader processes run sequence counts on the first dataset while a
third process writes a new release (a second dataset, the same VCF, bulk), then again with the
writer killed (SIGKILL) half-way: the readers' latency before, during and after, any error they
saw, and what they see of the new dataset (all or nothing). SQLite: the same WAL file. DuckDB:
what a second process gets when it opens the file another holds, then the one scheme its
single-writer rule allows (each release a new file, readers attach it when it is complete).

Prints machine, load and same-run tables; asserts nothing. The engines' side (data, parser,
schemas, loads, readers) is ``engine_candidates.py``; this module runs and compares them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCHMARKS))

from bench_loader_scale import bcftools_command, run_measured  # noqa: E402
from engine_candidates import (  # noqa: E402
    QUERY_SQL,
    RARE,
    DuckdbReader,
    SqliteReader,
    check_parser,
    duckdb,
    duckdb_load,
    engine_queries,
    sites_only_vcf,
    sqlite_connect,
    sqlite_load,
)
from measure import (  # noqa: E402
    load_line,
    machine_line,
    median,
    percentile,
    process_memory,
)
from variant_store import (  # noqa: E402
    ASSEMBLY,
    DATASET,
    DATASET_DESCRIPTION,
    GRCH38_LENGTHS,
    variant_query,
)

INSTALL_HINT = "DuckDB is missing: pip install -e '.[bench]' (or pip install duckdb)"
CHILD_MARK = "ENGINES_RESULT "
SECOND_DATASET = "bench-release-2"
KILLED_DATASET = "bench-release-killed"
ENCODINGS = (
    "sqlite-json",
    "sqlite-zlib",
    "sqlite-zdict",
    "duckdb-json",
    "duckdb-struct",
    "duckdb-zdict",
)
QUERY_NAMES = (
    "sequence count",
    "sequence exists",
    "range 10 kb count",
    "range 1 Mb count",
    "gene count",
    "page of 10 records",
    "DC GROUP BY chromosome",
    "DC region LIMIT 100",
)
DC_REPEATS = 20  # GROUP BY runs over the whole dataset: fewer runs
READER_PACE = 0.005  # seconds between a concurrent reader's queries: two readers leave the
# writer a core, so their latencies show waiting on the writer rather than on the CPU


def result_line(result: dict[str, Any]) -> None:
    print(CHILD_MARK + json.dumps(result), flush=True)


# -- queries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    """Beacon request parameters per query shape (``variant_store.Shape`` style)."""

    sequence: list[dict[str, Any]]
    range_10kb: list[dict[str, Any]]
    range_1mb: list[dict[str, Any]]
    gene: list[dict[str, Any]]


def draw_targets(path: Path, count: int, seed: int = 7) -> Targets:
    """Variants, windows and genes drawn from a SQLite load of the data."""
    rng = np.random.default_rng(seed)
    connection = sqlite_connect(path, read_only=True)
    (rows,) = connection.execute("SELECT count(*) FROM variant WHERE ds = 1").fetchone()
    sequence = []
    for vid in rng.choice(np.arange(1, rows + 1), count, replace=False).tolist():
        chrom, start, ref, alt = connection.execute(
            "SELECT chrom, start, ref, alt FROM variant WHERE vid = ?", (vid,)
        ).fetchone()
        sequence.append(
            {
                "assemblyId": ASSEMBLY,
                "referenceName": chrom,
                "start": start,
                "referenceBases": ref,
                "alternateBases": alt,
            }
        )
    names = sorted({c for (c,) in connection.execute("SELECT DISTINCT chrom FROM variant")})
    weights = np.array([GRCH38_LENGTHS[name] for name in names], dtype=float)
    weights /= weights.sum()

    def windows(width: int) -> list[dict[str, Any]]:
        chosen = []
        for _ in range(count):
            chrom = str(rng.choice(names, p=weights))
            start = int(rng.integers(0, GRCH38_LENGTHS[chrom] - width))
            chosen.append(
                {
                    "assemblyId": ASSEMBLY,
                    "referenceName": chrom,
                    "start": start,
                    "end": start + width,
                }
            )
        return chosen

    keys = [k for (k,) in connection.execute("SELECT DISTINCT gene_key FROM gene WHERE ds = 1")]
    genes = [
        {"geneId": keys[i]} for i in rng.choice(len(keys), min(count, len(keys)), replace=False)
    ]
    return Targets(sequence, windows(10_000), windows(1_000_000), genes)


def store_queries(uri: str) -> tuple[Any, dict[str, Callable[[dict], Any]]]:
    """The same queries through the beacon's own path over our embedded store."""
    from app.entry_types import GENOMIC_VARIATION
    from app.query.variants import variant_filter
    from app.services.datasets import known_datasets
    from app.services.entries import Condition, find_entries
    from app.store import open_store
    from app.store.query import CommonAllele, Predicate, every

    store = open_store(uri)
    dataset = next(d for d in known_datasets(store) if d.id == DATASET)

    def answer(t: dict, granularity: str, limit: int = 10) -> Any:
        query = variant_query(t)

        def selector(found: Any) -> Predicate:
            return every(variant_filter(query, found.id, found.longest_variant), CommonAllele(RARE))

        condition = Condition(GENOMIC_VARIATION.id, selector)
        (result,) = find_entries(
            store, GENOMIC_VARIATION, [dataset], [condition], granularity, 0, limit
        )
        return result

    calls = {
        "sequence count": lambda t: answer(t, "count").count,
        "sequence exists": lambda t: answer(t, "boolean").exists,
        "range 10 kb count": lambda t: answer(t, "count").count,
        "range 1 Mb count": lambda t: answer(t, "count").count,
        "gene count": lambda t: answer(t, "count").count,
        "page of 10 records": lambda t: (lambda r: (r.count, r.records))(answer(t, "record")),
    }
    return store, calls


def shape_targets(targets: Targets, name: str) -> list[dict[str, Any]]:
    if name.startswith("sequence"):
        return targets.sequence
    if name.startswith("range 10 kb"):
        return targets.range_10kb
    if name.startswith("gene"):
        return targets.gene
    return targets.range_1mb


def run_queries(calls: dict[str, Callable[[dict], Any]], targets: Targets) -> dict[str, Any]:
    """p50/p99 wall ms and the answers of each query over its targets (a few untimed first)."""
    found: dict[str, Any] = {}
    for name, call in calls.items():
        chosen = shape_targets(targets, name)
        if name == "DC GROUP BY chromosome":
            chosen = chosen[:DC_REPEATS]
        for target in chosen[:10]:
            call(target)
        wall, answers = [], []
        for target in chosen:
            began = time.perf_counter()
            answers.append(call(target))
            wall.append(time.perf_counter() - began)
        found[name] = {
            "p50": percentile(wall, 50) * 1000,
            "p99": percentile(wall, 99) * 1000,
            "answers": [_comparable(a) for a in answers],
        }
    return found


def _comparable(answer: Any) -> Any:
    """What is compared across engines: counts, and records' ids for a page."""
    if isinstance(answer, tuple) and len(answer) == 2 and isinstance(answer[1], list):
        return [answer[0], [r["variantInternalId"] for r in answer[1]]]
    return answer


def rss_mb(pid: int) -> dict[str, float]:
    memory = process_memory(pid)
    return {key: memory.get(key, 0) / 1024 for key in ("VmRSS", "RssAnon", "RssFile")}


def query_child(engine: str, path: str, targets_file: str) -> None:
    raw = json.loads(Path(targets_file).read_text())
    targets = Targets(**raw)
    began = time.perf_counter()
    if engine == "store":
        _, calls = store_queries(path)
    else:
        reader = (SqliteReader if engine.startswith("sqlite") else DuckdbReader)(Path(path), engine)
        calls = engine_queries(reader, DATASET)
    opened = rss_mb(os.getpid())
    open_ms = (time.perf_counter() - began) * 1000
    queries = run_queries(calls, targets)
    result_line(
        {
            "open_ms": open_ms,
            "rss_open": opened,
            "rss_after": rss_mb(os.getpid()),
            "queries": queries,
        }
    )


# -- loads -----------------------------------------------------------------------------------


def load_child(engine: str, path: str, vcf: str, dataset_id: str) -> None:
    timing = {"parse": 0.0, "insert": 0.0, "checkpoint": 0.0}
    began, began_cpu = time.perf_counter(), time.process_time()
    if engine == "store":
        from app.store import open_store
        from loaders.datasets import load_datasets
        from loaders.vcf import load_vcf

        store = open_store(path)
        rows = load_vcf(store, vcf, dataset_id, ASSEMBLY).variants
        timing["insert"] = time.perf_counter() - began
        if dataset_id == DATASET:
            description = Path(path.removeprefix("mongomock://") + "-datasets.yaml")
            description.write_text(DATASET_DESCRIPTION)
            load_datasets(store, description)
            description.unlink()
    elif engine.startswith("sqlite"):
        rows = sqlite_load(Path(path), engine, Path(vcf), dataset_id, timing)
    else:
        rows = duckdb_load(Path(path), engine, Path(vcf), dataset_id, timing)
    result_line(
        {
            "rows": rows,
            "seconds": time.perf_counter() - began,
            "cpu": time.process_time() - began_cpu,
            "peak_mb": process_memory(os.getpid()).get("VmHWM", 0) / 1024,
            **timing,
        }
    )


def child(arguments: list[str]) -> dict[str, Any]:
    """Run one stage in a process of its own; its result line."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", *arguments]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
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


def engine_path(work: Path, engine: str) -> Path:
    suffix = ".sqlite3" if engine.startswith("sqlite") else ".duckdb"
    return work / f"{engine}{suffix}"


def store_uri(work: Path) -> str:
    return f"mongomock://{(work / 'store').resolve()}"


# -- concurrency -----------------------------------------------------------------------------


def reader_child(engine: str, path: str, targets_file: str, stop: str, watch: str) -> None:
    """Sequence counts on the first dataset, one every ``READER_PACE`` seconds, until the file
    ``stop`` exists; what it saw of the dataset ``watch``."""
    targets = Targets(**json.loads(Path(targets_file).read_text())).sequence
    errors: list[str] = []
    samples: list[tuple[float, float]] = []
    seen: list[tuple[float, int | None]] = []
    stop_file = Path(stop)
    if engine == "store":
        from app.store import VARIANT_STATS

        store, calls = store_queries(path)
        call = calls["sequence count"]

        def watched() -> int:  # the dataset's variantStats: written in the same release
            stats = store.collection(VARIANT_STATS).find_one({"_id": watch})
            return int(stats["variantCount"]) if stats else 0
    elif engine.startswith("sqlite"):
        reader = SqliteReader(Path(path), engine)
        call = engine_queries(reader, DATASET)["sequence count"]

        def watched() -> int | None:
            found = reader.dataset(watch)
            if found is None:
                return None
            return reader.one("SELECT count(*) FROM variant WHERE ds = ?", (found[0],))[0]
    else:
        reader = DuckdbReader(Path(path), engine)
        call = engine_queries(reader, DATASET)["sequence count"]
        release = Path(path).with_name(f"{watch}.duckdb")

        def watched() -> int | None:
            if not release.exists():  # the writer renames it into place when complete
                return None
            if "release" not in {
                r[0] for r in reader.connection.execute("SHOW DATABASES").fetchall()
            }:
                reader.connection.execute(f"ATTACH '{release}' AS release (READ_ONLY)").fetchall()
            return reader.connection.execute("SELECT count(*) FROM release.variant").fetchall()[0][
                0
            ]

    call(targets[0])  # opened and answering: tell the parent
    stop_file.with_name(f"{stop_file.name}.ready-{os.getpid()}").touch()
    index, last_watch = 0, 0.0
    while not stop_file.exists():
        time.sleep(READER_PACE)
        began = time.perf_counter()
        try:
            call(targets[index % len(targets)])
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}"[:200])
        samples.append((time.time(), time.perf_counter() - began))
        index += 1
        if time.time() - last_watch > 0.25:
            last_watch = time.time()
            try:
                seen.append((last_watch, watched()))
            except Exception as error:
                errors.append(f"{type(error).__name__}: {error}"[:200])
    result_line(
        {"samples": samples, "seen": seen, "errors": errors[:20], "error_count": len(errors)}
    )


def writer_child(engine: str, path: str, vcf: str, dataset_id: str) -> None:
    """A new release of ``dataset_id`` beside the served data, as a loader process would."""
    if engine.startswith("duckdb"):
        release = Path(path).with_name(f"{dataset_id}.duckdb")
        partial = release.with_name(release.name + ".partial")
        timing = {"parse": 0.0, "insert": 0.0, "checkpoint": 0.0}
        rows = duckdb_load(partial, engine, Path(vcf), dataset_id, timing)
        partial.rename(release)
    else:
        load_child(engine, path, vcf, dataset_id)
        return
    result_line({"rows": rows})


def duckdb_second_opener(path: Path) -> list[str]:
    """What a second process gets opening a DuckDB file another process holds."""
    findings = []
    for holder_mode, opener_mode in (("rw", "ro"), ("rw", "rw"), ("ro", "rw"), ("ro", "ro")):
        code = (
            "import duckdb, sys; duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'ro')"
            ".execute('SELECT count(*) FROM variant').fetchone(); print('opened')"
        )
        holder = duckdb.connect(str(path), read_only=holder_mode == "ro")
        done = subprocess.run(
            [sys.executable, "-c", code, str(path), opener_mode], capture_output=True, text=True
        )
        holder.close()
        outcome = "opens" if "opened" in done.stdout else done.stderr.strip().splitlines()[-1][:160]
        findings.append(f"held {holder_mode}, second process opens {opener_mode}: {outcome}")
    return findings


@dataclass
class ConcurrencyRun:
    engine: str
    killed: bool
    writer_began: float
    writer_ended: float
    readers: list[dict[str, Any]]
    writer_result: str


def concurrent_release(
    engine: str,
    path: str,
    vcf: Path,
    targets_file: Path,
    dataset_id: str,
    kill_after: float | None,
    seconds_before: float = 3.0,
    seconds_after: float = 3.0,
) -> ConcurrencyRun:
    """Two readers, and a writer of a new release started after ``seconds_before``."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    script = str(Path(__file__).resolve())
    stop = Path(path.removeprefix("mongomock://")).with_name(f"stop-{dataset_id}")
    for old in stop.parent.glob(f"{stop.name}*"):
        old.unlink()
    command = [sys.executable, script, "--child", "read", engine, path, str(targets_file)]
    readers = [
        subprocess.Popen(
            [*command, str(stop), dataset_id],
            stdout=subprocess.PIPE, text=True, cwd=REPO, env=env,
        )
        for _ in range(2)
    ]  # fmt: skip
    waited = time.time()
    while len(list(stop.parent.glob(f"{stop.name}.ready-*"))) < 2 and time.time() - waited < 300:
        time.sleep(0.1)  # the readers' start-up
    time.sleep(seconds_before)  # some undisturbed queries
    writer_began = time.time()
    writer = subprocess.Popen(
        [sys.executable, script, "--child", "write", engine, path, str(vcf), dataset_id],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env,
    )  # fmt: skip
    if kill_after is not None:
        try:
            writer.wait(kill_after)
            outcome = "finished before the kill"
        except subprocess.TimeoutExpired:
            writer.send_signal(signal.SIGKILL)
            writer.wait()
            outcome = f"SIGKILL after {kill_after:.1f} s"
    else:
        writer.wait()
        outcome = (
            "finished"
            if writer.returncode == 0
            else f"exit {writer.returncode}: {writer.stderr.read()[-300:]}"
        )
    writer_ended = time.time()
    time.sleep(seconds_after)
    stop.touch()
    results = []
    for reader in readers:
        output, _ = reader.communicate()
        line = next((x for x in output.splitlines() if x.startswith(CHILD_MARK)), None)
        results.append(
            json.loads(line[len(CHILD_MARK) :])
            if line
            else {"samples": [], "seen": [], "errors": ["no result"], "error_count": 1}
        )
    return ConcurrencyRun(
        engine, kill_after is not None, writer_began, writer_ended, results, outcome
    )


def print_concurrency(run: ConcurrencyRun, expected_rows: int) -> None:
    phases = {"before": [], "during": [], "after": []}
    views: list[int | None] = []
    errors = 0
    messages: list[str] = []
    for reader in run.readers:
        for moment, seconds in reader["samples"]:
            phase = (
                "before"
                if moment < run.writer_began
                else "during"
                if moment < run.writer_ended
                else "after"
            )
            phases[phase].append(seconds)
        views += [n for moment, n in reader["seen"]]
        errors += reader["error_count"]
        messages += reader["errors"][:2]
    partial = sorted({n for n in views if n not in (None, 0, expected_rows)})
    final = [n for _, n in run.readers[0]["seen"][-1:]] if run.readers[0]["seen"] else [None]
    cells = []
    for phase, values in phases.items():
        if values:
            cells.append(
                f"{phase} {len(values)} q p50 {percentile(values, 50) * 1000:.2f} "
                f"p99 {percentile(values, 99) * 1000:.2f} max {max(values) * 1000:.1f} ms"
            )
    print(
        f"  {run.engine:<14} {'killed' if run.killed else 'whole':<6} "
        f"writer {run.writer_ended - run.writer_began:5.1f} s "
        f"({run.writer_result}); " + "; ".join(cells)
    )
    print(
        f"  {'':<21} new dataset as the readers saw it: last {final[0]}, "
        f"partial views {partial or 'none'}; reader errors {errors}"
        + (f" ({messages[0]})" if messages else "")
    )


# -- printing --------------------------------------------------------------------------------


def print_load_table(size: int, reference: float, loads: dict[str, dict[str, Any]]) -> None:
    print(
        f"\nbulk load, {size:,} sites-only records "
        f"(bcftools view: {reference:.1f} s, {size / reference:,.0f} rec/s)"
    )
    print(
        f"  {'engine':<14} {'seconds':>8} {'rec/s':>9} {'vs bcftools':>11} {'parse s':>8} "
        f"{'insert s':>8} {'insert rec/s':>12} {'peak MB':>8} {'bytes/rec':>9}"
    )
    for engine, load in loads.items():
        insert_rate = load["rows"] / load["insert"] if load.get("parse") else float("nan")
        print(
            f"  {engine:<14} {load['seconds']:8.1f} {load['rows'] / load['seconds']:9,.0f} "
            f"{reference / load['seconds']:11.3f} {load.get('parse', 0):8.1f} "
            f"{load['insert']:8.1f} "
            f"{insert_rate:12,.0f} {load['peak_mb']:8.0f} {load['bytes'] / load['rows']:9,.0f}"
        )


def print_query_table(queried: dict[str, dict[str, Any]]) -> None:
    engines = list(queried)
    print("\nqueries, ms p50 / p99 (each engine in a fresh reader process; rare-allele rule on)")
    print(f"  {'query':<24}" + "".join(f"{engine:>20}" for engine in engines))
    for name in QUERY_NAMES:
        cells = []
        for engine in engines:
            found = queried[engine]["queries"].get(name)
            cells.append(f"{found['p50']:9.3f} /{found['p99']:8.2f}" if found else f"{'-':>19}")
        print(f"  {name:<24}" + "".join(f"{cell:>20}" for cell in cells))
    print(f"  {'open (ms)':<24}" + "".join(f"{queried[e]['open_ms']:20.0f}" for e in engines))
    for moment in ("rss_open", "rss_after"):
        label = "RSS MB after " + ("opening" if moment == "rss_open" else "the queries")
        print(
            f"  {label:<24}"
            + "".join(
                f"{found['VmRSS']:>10.0f} ({found['RssAnon']:.0f} anon)".rjust(20)
                for found in (queried[e][moment] for e in engines)
            )
        )


def print_agreement(queried: dict[str, dict[str, Any]]) -> None:
    reference = "store" if "store" in queried else next(iter(queried))
    print(f"\nanswers compared with {reference}'s, target by target:")
    for engine, found in queried.items():
        if engine == reference:
            continue
        differ = []
        for name, result in found["queries"].items():
            theirs = queried[reference]["queries"].get(name)
            if theirs is None:
                continue
            mismatched = sum(
                1 for a, b in zip(result["answers"], theirs["answers"], strict=True) if a != b
            )
            if mismatched:
                differ.append(f"{name}: {mismatched} differ")
        print(f"  {engine:<14} " + ("all equal" if not differ else "; ".join(differ)))
    counts = queried[reference]["queries"]
    print(
        "  mean matches: "
        + ", ".join(
            f"{name} {np.mean([_count_of(a) for a in counts[name]['answers']]):.1f}"
            for name in ("sequence count", "range 10 kb count", "range 1 Mb count", "gene count")
            if name in counts
        )
    )


def _count_of(answer: Any) -> Any:
    return answer[0] if isinstance(answer, list) else answer


def print_sql() -> None:
    print(
        "\nthe SQL of each query (both engines; ds = the dataset's key, "
        "af >= the rare-allele limit):"
    )
    for name, sql in QUERY_SQL.items():
        print(f"  {name:<24} {sql}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--size", type=int, default=1_000_000, help="sites (100000: quick; 10000000)"
    )
    parser.add_argument("--work", type=Path, help="where the loads write (default: temporary)")
    parser.add_argument("--cache", type=Path, help="generated VCFs (default: in --work)")
    parser.add_argument("--targets", type=int, default=500, help="targets per query")
    parser.add_argument("--encodings", default=",".join(ENCODINGS))
    parser.add_argument("--skip-store", action="store_true", help="leave our embedded store out")
    parser.add_argument("--skip-concurrency", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.child:
        stage, *rest = arguments.child
        {"load": load_child, "query": query_child, "read": reader_child, "write": writer_child}[
            stage
        ](*rest)
        return
    engines = [e for e in arguments.encodings.split(",") if e]
    if duckdb is None and any(e.startswith("duckdb") for e in engines):
        print(INSTALL_HINT)
        engines = [e for e in engines if not e.startswith("duckdb")]
    print(machine_line())
    print(load_line("before"))
    print(f"sqlite3 {sqlite3.sqlite_version}; duckdb {duckdb.__version__ if duckdb else 'missing'}")
    with tempfile.TemporaryDirectory(prefix="bench-engines-") as scratch:
        work = arguments.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        cache = arguments.cache or work / "vcf"
        cache.mkdir(parents=True, exist_ok=True)
        size = arguments.size
        vcf = sites_only_vcf(cache, size)
        check_parser(vcf)
        print(f"{vcf.name}: bulk parser checked equal to the loader's documents (first 2,000)")
        command, which = bcftools_command(vcf)
        reference = median([run_measured(command)[0] for _ in range(3)])
        print(f"reference: {which}, {reference:.2f} s (median of 3)", flush=True)

        loads: dict[str, dict[str, Any]] = {}
        for engine in engines:
            path = engine_path(work, engine)
            for old in path.parent.glob(path.name + "*"):
                old.unlink()
            print(f"loading {engine} ...", flush=True)
            loads[engine] = child(["load", engine, str(path), str(vcf), DATASET])
            loads[engine]["bytes"] = bytes_on_disk(path)
        if not arguments.skip_store:
            directory = work / "store"
            if directory.exists():
                shutil.rmtree(directory)
            directory.mkdir()
            print("loading store (load_vcf) ...", flush=True)
            loads["store"] = child(["load", "store", store_uri(work), str(vcf), DATASET])
            loads["store"]["bytes"] = bytes_on_disk(directory)
        print_load_table(size, reference, loads)

        sqlite_engine = next((e for e in engines if e.startswith("sqlite")), None)
        if sqlite_engine is None:
            raise SystemExit("targets are drawn from a SQLite load: keep one sqlite encoding")
        targets = draw_targets(engine_path(work, sqlite_engine), arguments.targets)
        targets_file = work / "targets.json"
        targets_file.write_text(json.dumps(targets.__dict__))
        queried: dict[str, dict[str, Any]] = {}
        for engine in engines + ([] if arguments.skip_store else ["store"]):
            print(f"querying {engine} ...", flush=True)
            path = store_uri(work) if engine == "store" else str(engine_path(work, engine))
            queried[engine] = child(["query", engine, path, str(targets_file)])
        print_query_table(queried)
        print_agreement(queried)
        print_sql()
        print(load_line("after the queries"))

        if not arguments.skip_concurrency:
            concurrency(arguments, engines, loads, work, vcf, targets_file)
        print(load_line("after"))


def concurrency(
    arguments: argparse.Namespace,
    engines: list[str],
    loads: dict[str, dict[str, Any]],
    work: Path,
    vcf: Path,
    targets_file: Path,
) -> None:
    """One writer of a new release, two readers, for one encoding of each engine and the store."""
    chosen = [next((e for e in engines if e.startswith(p)), None) for p in ("sqlite", "duckdb")]
    chosen = [e for e in chosen if e] + ([] if arguments.skip_store else ["store"])
    rows = loads[chosen[0]]["rows"]
    print(
        "\nconcurrency: 2 readers (sequence count) while 1 process writes a new release "
        f"({rows:,} rows)"
    )
    for engine in chosen:
        path = store_uri(work) if engine == "store" else str(engine_path(work, engine))
        if engine.startswith("duckdb"):
            for finding in duckdb_second_opener(Path(path)):
                print(f"  duckdb: {finding}")
        whole = concurrent_release(engine, path, vcf, targets_file, SECOND_DATASET, None)
        print_concurrency(whole, rows)
        whole_seconds = whole.writer_ended - whole.writer_began
        killed = concurrent_release(
            engine, path, vcf, targets_file, KILLED_DATASET, whole_seconds / 2
        )
        print_concurrency(killed, rows)
        print(f"  {'':<21} after the kill: {after_kill(engine, path)}")


def after_kill(engine: str, path: str) -> str:
    """Whether the data is whole after the killed writer, as a new process sees it."""
    if engine == "store":
        from app.store import open_store

        store = open_store(path)
        counts = {
            name: store.variants.count_documents({"datasetId": name})
            for name in (DATASET, SECOND_DATASET, KILLED_DATASET)
        }
        return f"variants per dataset {counts}"
    if engine.startswith("sqlite"):
        connection = sqlite_connect(Path(path))
        check = connection.execute("PRAGMA quick_check").fetchone()[0]
        counts = connection.execute(
            "SELECT d.dataset_id, count(v.vid) FROM dataset d "
            "LEFT JOIN variant v USING (ds) GROUP BY 1"
        ).fetchall()
        return f"quick_check {check}; variants per dataset {dict(counts)}"
    leftovers = sorted(p.name for p in Path(path).parent.glob("*.duckdb.partial*"))
    connection = duckdb.connect(path, read_only=True)
    (count,) = connection.execute("SELECT count(*) FROM variant").fetchone()
    return f"served file {count:,} variants; left behind, never attached: {leftovers or 'nothing'}"


if __name__ == "__main__":
    main()
