"""Run the loading, query and serving benchmarks of issues 7 and 8, and the network hub's
overhead, as one command.

    python tests/benchmarks/run_all.py --quick   # 100k-variant store, 20k/100k-record VCFs
    python tests/benchmarks/run_all.py --full    # 100k and 1M variants, 100k/1M x 500 VCFs

Each benchmark runs as its own process, one after the other, and everything they print is
shown and also written to ``<work>/results-<UTC time>.txt``. Generated VCFs and built stores are
kept in ``--work DIR`` (default: ``asia-beacon-bench`` in the temporary directory) and reused by
later runs; delete the directory to start afresh. ``wrk`` and ``bcftools`` are needed (Debian:
``apt-get install -y wrk bcftools``); without bcftools the loader benchmark falls back to
pysam's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parents[1]
sys.path.insert(0, str(BENCHMARKS))

from measure import load_line, machine_line  # noqa: E402


def plan(work: Path, full: bool) -> list[tuple[str, list[str]]]:
    """(title, arguments) of each benchmark run, in order."""
    stores, vcfs = str(work / "stores"), str(work / "vcf")
    if full:
        queries = ["--sizes", "100000,1000000", "--queries", "500", "--seconds", "5"]
        serving = ["--size", "1000000", "--seconds", "10", "--repeats", "3"]
        loader = ["--records", "100000,1000000", "--repeats", "3", "--load-repeats", "1"]
        hub = ["--size", "100000"]
    else:
        queries = ["--sizes", "100000", "--queries", "200", "--seconds", "3", "--starts", "2"]
        serving = ["--size", "100000", "--seconds", "5", "--repeats", "1"]
        loader = ["--records", "20000,100000", "--repeats", "2", "--load-repeats", "1"]
        hub = ["--size", "100000", "--quick"]
    return [
        (
            "issue 8: embedded-store queries and serving start-up",
            [
                "bench_embedded_queries.py",
                *queries,
                "--store",
                stores,
                "--cache",
                vcfs,
            ],
        ),
        (
            "issue 7: serving throughput against bare Flask",
            ["bench_serving.py", *serving, "--store", stores, "--cache", vcfs],
        ),
        (
            "issue 7: VCF loading at 500 samples against bcftools",
            [
                "bench_loader_scale.py",
                *loader,
                "--samples",
                "500",
                "--cache",
                vcfs,
                "--work",
                str(work / "loads"),
            ],
        ),
        (
            "network hub: overhead over a direct node query, 1, 3 and 10 nodes",
            ["bench_hub.py", *hub, "--store", stores, "--cache", vcfs],
        ),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--quick", action="store_true", help="small sizes, about 8 minutes")
    size.add_argument("--full", action="store_true", help="issue sizes, 25-35 minutes on 2 cores")
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "asia-beacon-bench"
    )
    arguments = parser.parse_args(argv)
    missing = [tool for tool in ("wrk", "bcftools") if shutil.which(tool) is None]
    if missing:
        print(f"note: {', '.join(missing)} not found (apt-get install -y {' '.join(missing)})")
    work = arguments.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    results = work / f"results-{stamp}.txt"
    began = time.perf_counter()
    with open(results, "w", encoding="utf-8") as record:

        def say(line: str) -> None:
            print(line, flush=True)
            record.write(line + "\n")
            record.flush()

        say(f"run_all {'--full' if arguments.full else '--quick'}; work directory {work}")
        say(machine_line())
        say(load_line("at the start"))
        failed = []
        for title, command in plan(work, arguments.full):
            say(f"\n=== {title}: python tests/benchmarks/{' '.join(command)}")
            started = time.perf_counter()
            process = subprocess.Popen(
                [sys.executable, str(BENCHMARKS / command[0]), *command[1:]],
                cwd=REPO,
                env={**os.environ, "PYTHONPATH": str(REPO)},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            assert process.stdout is not None
            for line in process.stdout:
                say(line.rstrip("\n"))
            if process.wait() != 0:
                failed.append(title)
                say(f"!!! {title} failed with exit status {process.returncode}")
            say(f"=== {title}: {time.perf_counter() - started:.0f} s")
        say(f"\n{load_line('at the end')}")
        say(f"total {(time.perf_counter() - began) / 60:.1f} min; results in {results}")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
