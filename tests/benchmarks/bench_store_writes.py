"""What the embedded store's own writes cost a load: the floor under any loader of this layout.

    python tests/benchmarks/bench_store_writes.py [--sites 100000] [--cache DIR] [--repeats 3]
    python tests/benchmarks/bench_store_writes.py --vcf FILE.vcf.gz

It loads a sites-only panel VCF (``variant_store.cached_vcf``, the ``panel`` spectrum) once with
``load_vcf`` into a new embedded store, reads back the rows that load wrote to the variant
tables, and writes them again into new files with bare ``executemany`` calls, one per table as
the loader's writer makes them: with every index of the layout, with each variant index left out
in turn, with none, with none and the indexes made after the rows, and into an in-memory table of
no index (the cost of binding the row's columns alone). ``bcftools view`` over the same VCF and
the load itself are timed in the same run.

So it tells how much of a load is the engine's, and what a target in ratios to ``bcftools
view`` leaves for everything else (parsing, the documents, their rows); for 10 million records it
prints the write floor's seconds, as the per-record cost measured here times 10 million.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from pysam import bcftools

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from app.store import open_store  # noqa: E402
from app.store.sqlite_schema import DDL, TABLES, VARIANT_VALUES  # noqa: E402
from app.store.sqlite_store import DATABASE_FILE, WRITE_CACHE_KIB  # noqa: E402
from loaders.vcf import load_vcf  # noqa: E402
from tests.benchmarks.measure import load_line, machine_line  # noqa: E402
from tests.benchmarks.variant_store import cached_vcf  # noqa: E402

ASSEMBLY = "GRCh38"
VARIANT_TABLES = ("variant", *(table.table for table in VARIANT_VALUES.values()))
_INDEX = re.compile(r"CREATE (?:UNIQUE )?INDEX IF NOT EXISTS (\w+)\s+ON (\w+)[^;]*;", re.S)
WrittenRows = dict[str, tuple[list[str], list[tuple]]]


def variant_indexes() -> dict[str, str]:
    """The layout's indexes on the variant tables, by name, as its DDL creates them."""
    return {
        found.group(1): found.group(0)
        for found in _INDEX.finditer(DDL)
        if found.group(2) in VARIANT_TABLES
    }


def written_rows(directory: Path) -> WrittenRows:
    """Each variant table's columns and rows in the order the load wrote them (by variant)."""
    connection = sqlite3.connect(directory / DATABASE_FILE)
    try:
        found = {}
        for table in VARIANT_TABLES:
            order = "vid" if table == "variant" else "vid, position"
            cursor = connection.execute(f"SELECT * FROM {table} ORDER BY {order}")
            columns = [f'"{column[0]}"' for column in cursor.description]
            found[table] = (columns, cursor.fetchall())
        return found
    finally:
        connection.close()


def write_again(rows: WrittenRows, ddl: str, target: str) -> float:
    """Seconds to write ``rows`` into a new file ``target`` made with ``ddl``, on the settings
    the store's writer uses (WAL, ``synchronous=NORMAL``, its write cache), in one
    transaction."""
    connection = sqlite3.connect(target, isolation_level=None)
    try:
        if target != ":memory:":
            connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(f"PRAGMA cache_size=-{WRITE_CACHE_KIB}")
        connection.executescript(ddl)
        began = time.perf_counter()
        connection.execute("BEGIN")
        for table, (columns, table_rows) in rows.items():
            connection.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})",
                table_rows,
            )
        connection.execute("COMMIT")
        return time.perf_counter() - began
    finally:
        connection.close()


def indexed_after(rows: WrittenRows, indexes: Iterable[str], target: str) -> float:
    """Seconds to write ``rows`` into tables of no index, then make the variant indexes over
    them: what a writer could do only on tables no other release shares."""
    written = write_again(rows, TABLES, target)
    connection = sqlite3.connect(target, isolation_level=None)
    try:
        connection.execute(f"PRAGMA cache_size=-{WRITE_CACHE_KIB}")
        began = time.perf_counter()
        connection.execute("BEGIN")
        for index in indexes:
            connection.execute(index)
        connection.execute("COMMIT")
        return written + time.perf_counter() - began
    finally:
        connection.close()


def median_seconds(repeats: int, work: Callable[[str], float]) -> float:
    """The median of ``repeats`` runs of ``work(path)``, each into a file of its own."""
    timings = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="bench-store-writes-") as directory:
            timings.append(work(str(Path(directory) / DATABASE_FILE)))
    return statistics.median(timings)


def timed(work: Callable[[], object]) -> tuple[float, float]:
    began, began_cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - began, time.process_time() - began_cpu


def measure(vcf: Path, repeats: int) -> None:
    print(machine_line())
    print(load_line("before"))
    view_seconds = statistics.median(
        timed(
            lambda: bcftools.view(
                "--output-type", "v", "--output", os.devnull, str(vcf), catch_stdout=False
            )
        )[0]
        for _ in range(repeats)
    )
    with tempfile.TemporaryDirectory(prefix="bench-store-writes-load-") as directory:
        load_seconds, load_cpu = timed(
            lambda: load_vcf(open_store(f"sqlite://{directory}"), vcf, "bench", ASSEMBLY)
        )
        rows = written_rows(Path(directory))
    variants = len(rows["variant"][1])
    indexes = variant_indexes()

    def ddl_without(name: str) -> str:
        return DDL.replace(indexes[name], "")

    timings = [
        ("every index of the layout", median_seconds(repeats, lambda t: write_again(rows, DDL, t)))
    ]
    for name in indexes:
        timings.append(
            (
                f"without {name}",
                median_seconds(repeats, lambda t, n=name: write_again(rows, ddl_without(n), t)),
            )
        )
    timings.append(
        (
            "no index on the variant tables",
            median_seconds(repeats, lambda t: write_again(rows, TABLES, t)),
        )
    )
    timings.append(
        (
            "no index, then the indexes made after",
            median_seconds(repeats, lambda t: indexed_after(rows, indexes.values(), t)),
        )
    )
    bound = [write_again(rows, TABLES, ":memory:") for _ in range(repeats)]
    timings.append(("binding only (in memory, no index)", statistics.median(bound)))

    full = timings[0][1]
    print(f"VCF {vcf}: {variants:,} variants")
    print(f"bcftools view to text       {view_seconds:8.3f} s")
    print(
        f"load_vcf                    {load_seconds:8.3f} s (CPU {load_cpu:.3f}), "
        f"{load_seconds / variants * 1e6:6.1f} us per variant, "
        f"{view_seconds / load_seconds:.3f} of bcftools view"
    )
    print(f"{'the load rows written again':40s} {'s':>8s} {'us/var':>7s} {'of full':>8s}")
    for label, seconds in timings:
        print(f"{label:40s} {seconds:8.3f} {seconds / variants * 1e6:7.2f} {seconds / full:8.2f}")
    print(
        f"the writes are {full / load_seconds:.2f} of the load; alone they would be "
        f"{view_seconds / full:.3f} of bcftools view; at 10 million variants they take "
        f"{full / variants * 1e7:.0f} s"
    )
    print(load_line("after"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "bench-vcf")
    parser.add_argument("--vcf", type=Path, help="a VCF of your own instead of a generated one")
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args(argv)
    vcf = arguments.vcf or cached_vcf(arguments.cache, arguments.sites)
    measure(vcf, arguments.repeats)


if __name__ == "__main__":
    main()
