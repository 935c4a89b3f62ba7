"""VCF loading at scale: 100k and 1M records x 500 samples (GT only), against ``bcftools view``
over the same file, with each stage's peak memory (issue 7).

    python tests/benchmarks/bench_loader_scale.py [--records 100000,1000000] [--samples 500]
        [--cache DIR] [--work DIR] [--repeats 3] [--load-repeats 1] [--max-load-minutes 40]

Files come from ``bench_vcf_loader.write_random_vcf`` (SNVs, one site in ten with two ALTs,
random genotypes) and are kept in ``--cache DIR`` so reruns reuse them. For each file, every
stage runs in a process of its own, so its peak RSS (VmHWM) is its own:

- (r) ``bcftools view -Ov -o /dev/null`` (Debian's binary if installed, else pysam's), the
  reference PERFORMANCE.md states its targets against;
- (b) our loader's document stream (``iter_variant_documents``) fully consumed;
- (c) the full ``load_vcf`` into the embedded store on disk (``sqlite:///<work dir>``, one
  SQLite file ``store.sqlite3`` beside its journals).

It prints seconds (our stages: the loader's own time, without the interpreter's start), CPU
seconds, records/s, the ratios to (r) by wall and by CPU time (other jobs on a shared machine
inflate the first), peak RSS and, for (c), the store's size on disk (every file of its
directory) and that size per record. Target: (c) >= 0.5 of bcftools; peak RSS flat in VCF size
(the same at 100k and 1M records). When the 1M load is projected (linearly from the smaller
file) to take longer than ``--max-load-minutes``, it is
skipped and the projection printed instead.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCHMARKS))

from measure import load_line, machine_line, median, process_memory  # noqa: E402

ASSEMBLY = "GRCh38"
CHILD_MARK = "LOADER_RESULT "


@dataclass(frozen=True)
class StageRun:
    seconds: float  # the stage's own time (process wall time for bcftools)
    cpu_seconds: float  # the stage's own CPU time (bcftools: user + system from wait4)
    peak_rss_mb: float  # VmHWM
    variants: int | None = None
    store_mb: float | None = None


def bcftools_command(vcf: Path) -> tuple[list[str], str]:
    """The reference command, and which bcftools it is."""
    binary = shutil.which("bcftools")
    if binary:
        version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
        return [binary, "view", "-Ov", "-o", os.devnull, str(vcf)], version.splitlines()[0]
    code = (
        "import sys, os; from pysam import bcftools; "
        "bcftools.view('-Ov', '-o', os.devnull, sys.argv[1], catch_stdout=False)"
    )
    return [sys.executable, "-c", code, str(vcf)], "pysam's bundled bcftools"


def run_measured(command: list[str]) -> tuple[float, float, float, dict | None]:
    """Run a process to its end; wall seconds, CPU seconds, peak RSS (MB), its JSON result.

    The peak is the process's VmHWM: reported by our own stages as they exit, polled for
    bcftools. (``ru_maxrss`` from ``wait4`` would not do: exec carries the high-water mark of
    the process that forked, this benchmark's, into the child's.)
    """
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with tempfile.TemporaryFile("w+") as output:
        began = time.perf_counter()
        process = subprocess.Popen(command, stdout=output, cwd=REPO, env=env, text=True)
        polled_kb = 0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            polled_kb = max(polled_kb, process_memory(process.pid).get("VmHWM", 0))
            time.sleep(0.02)
        wall = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        lines = output.read().splitlines()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}")
    result = None
    for line in lines:
        if line.startswith(CHILD_MARK):
            result = json.loads(line[len(CHILD_MARK) :])
    if result is None:
        return wall, usage.ru_utime + usage.ru_stime, polled_kb / 1024, None
    return wall, result["cpu"], result["peak_kb"] / 1024, result


def child_command(stage: str, vcf: Path, store: Path | None = None) -> list[str]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", stage, str(vcf)]
    return command + ([str(store)] if store else [])


def run_child(stage: str, vcf: str, store: str | None) -> None:
    """One stage in this process, reporting its own time and counts as a JSON line."""
    from app.store import open_store
    from loaders.vcf import iter_variant_documents, load_vcf

    began, began_cpu = time.perf_counter(), time.process_time()
    if stage == "documents":
        variants = sum(1 for _ in iter_variant_documents(vcf, "bench", ASSEMBLY))
    else:
        assert store is not None
        uri = f"sqlite://{Path(store).resolve()}"
        variants = load_vcf(open_store(uri), vcf, "bench", ASSEMBLY).variants
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - began_cpu
    peak_kb = process_memory(os.getpid())["VmHWM"]
    result = {"seconds": seconds, "cpu": cpu_seconds, "variants": variants, "peak_kb": peak_kb}
    print(CHILD_MARK + json.dumps(result), flush=True)


def directory_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1024**2


def measure_stage(stage: str, vcf: Path, work: Path, runs: int) -> list[StageRun]:
    found = []
    for _ in range(runs):
        if stage == "bcftools":
            wall, cpu, peak, _ = run_measured(bcftools_command(vcf)[0])
            found.append(StageRun(wall, cpu, peak))
            continue
        store = work / f"store-{vcf.stem}" if stage == "load" else None
        if store is not None and store.exists():
            shutil.rmtree(store)
        _, cpu, peak, result = run_measured(child_command(stage, vcf, store))
        assert result is not None
        size = directory_mb(store) if store is not None else None
        if store is not None:
            shutil.rmtree(store)
        found.append(StageRun(result["seconds"], cpu, peak, result["variants"], size))
    return found


def cached_vcf(cache: Path, records: int, samples: int) -> Path:
    from bench_vcf_loader import write_random_vcf

    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"random_{records}x{samples}_GT.vcf.gz"
    if not path.exists():
        print(f"writing {path} ...", flush=True)
        began = time.perf_counter()
        partial = path.with_name(path.name + ".partial")
        write_random_vcf(partial, records, samples)
        partial.rename(path)
        print(f"  written in {time.perf_counter() - began:.0f} s", flush=True)
    return path


def print_table(records: int, samples: int, stages: dict[str, list[StageRun]]) -> None:
    reference = stages["bcftools"]
    reference_seconds = median([run.seconds for run in reference])
    reference_cpu = median([run.cpu_seconds for run in reference])
    print(f"\n{records:,} records x {samples} samples (GT only)")
    print(
        f"  {'':<32} {'runs':>4} {'seconds':>8} {'cpu s':>8} {'records/s':>10} "
        f"{'vs (r)':>7} {'cpu vs':>7} {'peak RSS MB':>11} {'store MB':>9} {'bytes/rec':>9}"
    )
    labels = {
        "bcftools": "(r) bcftools view to text",
        "documents": "(b) iter_variant_documents",
        "load": "(c) load_vcf, embedded on disk",
    }
    for stage, runs in stages.items():
        seconds = median([run.seconds for run in runs])
        cpu = median([run.cpu_seconds for run in runs])
        store = [run.store_mb for run in runs if run.store_mb is not None]
        print(
            f"  {labels[stage]:<32} {len(runs):>4} {seconds:8.1f} {cpu:8.1f} "
            f"{records / seconds:10,.0f} {reference_seconds / seconds:7.2f} "
            f"{reference_cpu / cpu:7.2f} {max(run.peak_rss_mb for run in runs):11.0f} "
            f"{(f'{median(store):9.0f}' if store else ''):>9} "
            f"{(f'{median(store) * 1024**2 / records:9,.0f}' if store else ''):>9}"
        )
    variants = [run.variants for runs in stages.values() for run in runs if run.variants]
    if variants:
        print(f"  ({variants[0]:,} variant documents)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", default="100000,1000000", help="sizes, comma-separated")
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--cache", type=Path, help="generated VCFs (default: a temporary dir)")
    parser.add_argument("--work", type=Path, help="where loads write their stores")
    parser.add_argument("--repeats", type=int, default=3, help="runs of (r) and (b)")
    parser.add_argument("--load-repeats", type=int, default=1, help="runs of (c) per file")
    parser.add_argument("--max-load-minutes", type=float, default=40)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.child:
        stage, vcf, *store = arguments.child
        run_child(stage, vcf, store[0] if store else None)
        return
    sizes = sorted(int(size) for size in arguments.records.split(","))
    print(machine_line())
    print(load_line("before"))
    with tempfile.TemporaryDirectory(prefix="bench-loader-") as scratch:
        cache = arguments.cache or Path(scratch) / "vcf"
        work = arguments.work or Path(scratch) / "stores"
        work.mkdir(parents=True, exist_ok=True)
        load_rate: float | None = None  # records/s of the last load measured
        for records in sizes:
            vcf = cached_vcf(cache, records, arguments.samples)
            print(f"reference: {bcftools_command(vcf)[1]}", flush=True)
            stages = {
                "bcftools": measure_stage("bcftools", vcf, work, arguments.repeats),
                "documents": measure_stage("documents", vcf, work, arguments.repeats),
            }
            projected = records / load_rate / 60 if load_rate else None
            if projected is not None and projected > arguments.max_load_minutes:
                print(
                    f"  (c) skipped: projected {projected:.0f} min at {load_rate:,.0f} records/s "
                    f"(the smaller file's rate), over --max-load-minutes "
                    f"{arguments.max_load_minutes:.0f}"
                )
            else:
                if projected is not None:
                    print(f"  (c) projected {projected:.0f} min; loading ...", flush=True)
                stages["load"] = measure_stage("load", vcf, work, arguments.load_repeats)
                load_rate = records / median([run.seconds for run in stages["load"]])
            print_table(records, arguments.samples, stages)
            print(load_line(f"after {records:,}"))


if __name__ == "__main__":
    main()
