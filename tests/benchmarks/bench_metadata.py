"""Metadata loading and joined queries, each against a reference measured in the same run.

    python tests/benchmarks/bench_metadata.py [--individuals 20000]

Loading: a generated cohort of N individuals (each with a biosample, a run and an analysis) as
filled CSV templates. The reference is reading the same four files with ``csv.DictReader``;
the loader (read, unflatten, validate every row with marshmallow, check links, build documents)
is timed with the write into the embedded store, and the ratio of rows/s printed.

Queries: the bundled demo in the embedded store, through Flask's test client. The reference is
``/individuals`` at count granularity with no condition; each joined query's time is printed as a
multiple of it (mongomock scans documents, so absolute numbers say little before the embedded
store gets its indexes; the multiples show what a join costs relative to a plain count).
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from measure import best_of  # noqa: E402

from app import create_app  # noqa: E402
from app.store import open_store  # noqa: E402
from loaders.demo.generator.metadata import DemoSample, demo_metadata, metadata_csv  # noqa: E402
from loaders.demo.load import load_demo  # noqa: E402
from loaders.metadata import load_metadata  # noqa: E402

ENTRIES = ("individuals", "biosamples", "runs", "analyses")
QUERIES = (
    ("reference: all individuals, count", "/individuals?requestedGranularity=count"),
    ("individuals with a phenotype", "/individuals?filters=HP:0000822&requestedGranularity=count"),
    (
        "individuals carrying rs671",
        "/individuals?assemblyId=GRCh38&referenceName=12&start=111803961&referenceBases=G"
        "&alternateBases=A&requestedGranularity=count",
    ),
    (
        "individuals with a phenotype carrying rs671",
        "/individuals?filters=HP:0000822&assemblyId=GRCh38&referenceName=12&start=111803961"
        "&referenceBases=G&alternateBases=A&requestedGranularity=count",
    ),
    ("variants of people with anemia", "/g_variants?filters=HP:0001903&requestedGranularity=count"),
    ("one individual's variants", "/individuals/IND-TH0001/g_variants?requestedGranularity=count"),
)


def write_cohort(folder: Path, individuals: int) -> int:
    countries = ("TH", "JP", "KR", "CN", "MY")
    samples = [
        DemoSample(f"S{n:06d}", "Thai", countries[n % len(countries)], n % 2 == 0)
        for n in range(individuals)
    ]
    records = demo_metadata(samples)
    for entry in ENTRIES:
        (folder / f"{entry}.csv").write_text(metadata_csv(records[entry]), encoding="utf-8")
    return sum(len(records[entry]) for entry in ENTRIES)


def read_csv_only(folder: Path) -> int:
    rows = 0
    for entry in ENTRIES:
        with (folder / f"{entry}.csv").open(encoding="utf-8", newline="") as handle:
            rows += sum(1 for _ in csv.DictReader(handle))
    return rows


def bench_loading(individuals: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        rows = write_cohort(folder, individuals)
        reference = best_of(3, lambda: read_csv_only(folder))
        store = open_store("mongomock://memory/bench_metadata")
        loading = best_of(1, lambda: load_metadata(store, [folder], "bench"))
    print(f"metadata load, {rows:,} rows ({individuals:,} individuals x 4 entry types)")
    print(f"  csv.DictReader only   {rows / reference:12,.0f} rows/s")
    print(
        f"  load_metadata         {rows / loading:12,.0f} rows/s  (ratio {reference / loading:.3f})"
    )


def bench_queries() -> None:
    store = open_store("mongomock://memory/bench_queries")
    load_demo(store)
    client = create_app({"TESTING": True}, store=store).test_client()
    timings = [(name, best_of(5, lambda path=path: client.get(path))) for name, path in QUERIES]
    reference = timings[0][1]
    print("joined queries on the demo (300 individuals, 3,187 variants), embedded store")
    for name, seconds in timings:
        print(f"  {name:45s} {seconds * 1000:8.1f} ms  ({seconds / reference:5.1f}x reference)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--individuals", type=int, default=20_000)
    arguments = parser.parse_args()
    bench_loading(arguments.individuals)
    bench_queries()


if __name__ == "__main__":
    main()
