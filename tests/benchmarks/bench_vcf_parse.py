"""The VCF loader's parse-and-build path alone (no store), against ``bcftools view`` over the
same files in the same run.

    python tests/benchmarks/bench_vcf_parse.py [--sites 200000] [--genotyped 20000]
        [--samples 500] [--cache DIR] [--repeats 3] [--profile N]

Two generated VCFs, kept in ``--cache`` so reruns reuse them: a sites-only panel
(``variant_store.write_annotated_vcf``: INFO/AC, AN, AF, a GENE on half the sites) and a
500-sample GT-only file (``bench_vcf_loader.write_random_vcf``: one site in ten with two ALTs).
For each it times, median of ``--repeats`` runs:

- ``bcftools view -Ou`` and ``bcftools view -Ov`` to /dev/null (Debian's binary if installed,
  else pysam's), the references the loading targets are stated against;
- the document stream (``iter_variant_documents`` consumed, every document dropped), in this
  process: reading, validating, genotype counts and the documents handed to the store.

It prints wall and CPU seconds, records/s and documents/s, and the stream's ratio to each
reference (records over records), by wall and by CPU time (other jobs on a shared machine
inflate the first). With ``--profile N`` it also prints the N functions of most own time under
cProfile.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS.parents[1]))
sys.path.insert(0, str(BENCHMARKS))

import pysam  # noqa: E402
from bench_loader_scale import bcftools_command, run_measured  # noqa: E402
from bench_vcf_loader import write_random_vcf  # noqa: E402
from measure import load_line, machine_line, median  # noqa: E402
from variant_store import write_annotated_vcf  # noqa: E402

from loaders.vcf import iter_variant_documents  # noqa: E402

ASSEMBLY = "GRCh38"


def cached(cache: Path, name: str, write: Callable[[Path], object]) -> Path:
    path = cache / name
    if not path.exists():
        print(f"writing {path} ...", flush=True)
        partial = path.with_name(path.name + ".partial")
        write(partial)
        partial.rename(path)
    return path


def bcftools_seconds(vcf: Path, output_type: str, repeats: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``bcftools view -O<output_type>`` over the file."""
    command, _ = bcftools_command(vcf)
    command = [("-O" + output_type) if part == "-Ov" else part for part in command]
    runs = [run_measured(command)[:2] for _ in range(repeats)]
    return median([wall for wall, _ in runs]), median([cpu for _, cpu in runs])


def stream(vcf: Path) -> int:
    documents = 0
    for _ in iter_variant_documents(vcf, "bench", ASSEMBLY):
        documents += 1
    return documents


def records_in(vcf: Path) -> int:
    # opened from a file object, so htslib does not look for an index it has no use for
    with vcf.open("rb") as raw, pysam.VariantFile(raw) as handle:
        return sum(1 for _ in handle)


def measure(label: str, vcf: Path, repeats: int, profile: int) -> None:
    records = records_in(vcf)
    binary, binary_cpu = bcftools_seconds(vcf, "u", repeats)
    text, text_cpu = bcftools_seconds(vcf, "v", repeats)
    runs, documents = [], 0
    for _ in range(repeats):
        began, began_cpu = time.perf_counter(), time.process_time()
        documents = stream(vcf)
        runs.append((time.perf_counter() - began, time.process_time() - began_cpu))
    seconds, cpu = median([wall for wall, _ in runs]), median([cpu for _, cpu in runs])
    print(f"\n{label}: {vcf.name} ({records:,} records, {documents:,} documents)")
    print(f"  {'':<28} {'seconds':>8} {'cpu s':>7} {'records/s':>11} {'documents/s':>12}")
    for name, wall, used in (
        ("bcftools view -Ou", binary, binary_cpu),
        ("bcftools view -Ov", text, text_cpu),
    ):
        print(f"  {name:<28} {wall:8.2f} {used:7.2f} {records / wall:11,.0f}")
    print(
        f"  {'document stream (no store)':<28} {seconds:8.2f} {cpu:7.2f} "
        f"{records / seconds:11,.0f} {documents / seconds:12,.0f}"
    )
    print(
        f"  stream / view -Ou {binary / seconds:.3f} (CPU {binary_cpu / cpu:.3f})   "
        f"stream / view -Ov {text / seconds:.3f} (CPU {text_cpu / cpu:.3f})"
    )
    if profile:
        profiler = cProfile.Profile()
        profiler.runcall(stream, vcf)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(profile)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=200_000, help="records of the panel")
    parser.add_argument("--genotyped", type=int, default=20_000, help="records of the GT file")
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--cache", type=Path, help="generated VCFs (default: a temporary dir)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    arguments = parser.parse_args(argv)
    print(machine_line())
    print(load_line("before"))
    with tempfile.TemporaryDirectory(prefix="bench-vcf-parse-") as folder:
        cache = arguments.cache or Path(folder)
        cache.mkdir(parents=True, exist_ok=True)
        sites = cached(
            cache,
            f"panel_{arguments.sites}_sites.vcf.gz",
            lambda path: write_annotated_vcf(path, arguments.sites),
        )
        genotyped = cached(
            cache,
            f"random_{arguments.genotyped}x{arguments.samples}_GT.vcf.gz",
            lambda path: write_random_vcf(path, arguments.genotyped, arguments.samples),
        )
        measure("sites only", sites, arguments.repeats, arguments.profile)
        measure(f"{arguments.samples} samples, GT", genotyped, arguments.repeats, arguments.profile)
    print(load_line("after"))


if __name__ == "__main__":
    main()
