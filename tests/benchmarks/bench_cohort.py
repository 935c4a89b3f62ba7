"""A national-cohort shape on the embedded store: a GT VCF of many samples (default 20,000
records x 10,000 samples), its load's peak memory and size, and record reads of its carriers.

    python tests/benchmarks/bench_cohort.py [--records 20000] [--samples 10000] [--cache DIR]

The VCF comes from ``bench_vcf_loader.write_random_vcf`` (kept in ``--cache``). The load runs in
a process of its own (``bench_loader_scale``'s child), so its peak RSS (VmHWM) is the load's
alone; ``bcftools view`` over the same file is the reference. Then, in this process, over the
loaded store: the record of the variant with the most carriers (its caseLevelData rebuilt from
the carrier bitmaps), a page of 10 records in a 1 Mb range, and the count of the variants one
sample carries, each p50 of 20 calls of the store (what a granted record request asks it).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS.parents[1]))
sys.path.insert(0, str(BENCHMARKS))

from bench_loader_scale import (  # noqa: E402
    ASSEMBLY,
    bcftools_command,
    cached_vcf,
    child_command,
    directory_mb,
    run_measured,
)
from measure import load_line, machine_line, median  # noqa: E402


def _p50_ms(call, times: int = 20) -> float:
    found = []
    for _ in range(times):
        began = time.perf_counter()
        call()
        found.append(time.perf_counter() - began)
    return median(found) * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--cache", type=Path, help="generated VCFs (default: a temporary dir)")
    arguments = parser.parse_args(argv)
    from app.store import VARIANTS, open_store
    from app.store.query import All, Assembly, Chromosome, LinkedTo, Overlaps, VariantValue
    from app.store.query import VariantField as Field
    from app.store.sqlite_schema import internal_id_sql

    print(machine_line())
    print(load_line("before"))
    with tempfile.TemporaryDirectory(prefix="bench-cohort-") as scratch:
        vcf = cached_vcf(
            arguments.cache or Path(scratch) / "vcf", arguments.records, arguments.samples
        )
        reference, _, _, _ = run_measured(bcftools_command(vcf)[0])
        store_dir = Path(scratch) / "store"
        _, cpu, peak_mb, result = run_measured(child_command("load", vcf, store_dir))
        assert result is not None
        size = directory_mb(store_dir)
        variants = result["variants"]
        print(f"{arguments.records:,} records x {arguments.samples:,} samples (GT)")
        print(f"  bcftools view: {reference:.1f} s")
        print(
            f"  load_vcf: {result['seconds']:.1f} s ({cpu:.1f} CPU), "
            f"{reference / result['seconds']:.3f} of bcftools, peak RSS {peak_mb:.0f} MB, "
            f"store {size:.0f} MB = {size * 1024**2 / variants:,.0f} bytes per variant "
            f"({variants:,} variants)"
        )
        store = open_store(f"sqlite://{store_dir.resolve()}")
        backend = store._backend
        with backend.session() as connection:
            internal_id, carriers = connection.execute(
                f"SELECT {internal_id_sql()}, length(carriers) FROM variant "
                "ORDER BY length(carriers) DESC LIMIT 1"
            ).fetchone()
        most = VariantValue(Field.INTERNAL_ID, "=", internal_id)
        (record,) = store.records(VARIANTS, most, 0, 10)
        carried = len(record.get("caseLevelData", []))
        ranged = All((Assembly(ASSEMBLY), Chromosome("1"), Overlaps(10_000, 1_010_000, 1)))
        sample = record["caseLevelData"][0]["biosampleId"]
        one_sample = LinkedTo("biosampleIds", (sample,))
        print(f"  the most-carried variant: {carried:,} carriers ({carriers:,} bitmap bytes)")
        print(f"  its record: p50 {_p50_ms(lambda: store.records(VARIANTS, most, 0, 10)):.1f} ms")
        page = _p50_ms(lambda: store.records(VARIANTS, ranged, 0, 10))
        print(f"  10 records in 1 Mb: p50 {page:.1f} ms")
        count = store.count(VARIANTS, one_sample)
        carried_ms = _p50_ms(lambda: store.count(VARIANTS, one_sample))
        print(f"  variants {sample} carries: {count:,}, count p50 {carried_ms:.1f} ms")
        print(load_line("after"))


if __name__ == "__main__":
    main()
