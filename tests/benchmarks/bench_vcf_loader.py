"""VCF loader throughput against pysam's bare iteration over the same file, measured in one run.

    python tests/benchmarks/bench_vcf_loader.py [VCF ...]
    python tests/benchmarks/bench_vcf_loader.py --samples 500 --format GT:AD:DP:GQ:PL --no-load
    python tests/benchmarks/bench_vcf_loader.py --against /tmp/main [--repeats 5] [--no-load]

Without VCF arguments it measures the bundled demo VCF (when present) and a generated bgzipped
VCF (default 100,000 records x 100 samples, GT only) with random genotypes. For each file it
times (a) ``for record in pysam.VariantFile(path): pass``, the reference; (a2) ``bcftools view``
to text (the bcftools bundled in pysam), the reference PERFORMANCE.md states its targets
against; (b) ``iter_variant_documents`` fully consumed (parsing, genotype counts, documents);
(c) ``load_vcf`` into the embedded store in a temporary directory (``sqlite:///DIR``; skipped
with ``--no-load``), with its size on disk per record. With ``--populations N`` it also times
(b) with every sample assigned at random to one of N populations (frequencies per population).
It prints records/s and the ratios to (a) and (a2).

With ``--against CHECKOUT`` (another copy of the repository, e.g. ``git worktree add /tmp/main
main``) it instead times (b), and (c) into an embedded store on disk, with this checkout's
loader and with that one's, each run in its own process, alternating, and prints the median
wall and CPU seconds and the ratio of this checkout's to that one's: a change's cost measured
in one run, on one machine, under one load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pysam
from pysam import bcftools

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from app.store import open_store  # noqa: E402
from loaders.vcf import iter_variant_documents, load_vcf  # noqa: E402
from loaders.vcf.populations import SamplePopulations  # noqa: E402

DEMO_VCF = REPO / "loaders" / "demo" / "data" / "demo.vcf.gz"
GENERATED_RECORDS, GENERATED_SAMPLES = 100_000, 100
ASSEMBLY = "GRCh38"


FORMATS = ("GT", "GT:AD:DP:GQ:PL")


def write_random_vcf(
    path: Path, records: int, samples: int, format_keys: str = "GT", seed: int = 20261124
) -> Path:
    """A bgzipped VCF of SNVs (10% with two ALTs) with per-site allele frequencies."""
    rng = np.random.default_rng(seed)
    calls = np.array([b"0/0", b"0/1", b"1/1", b"./.", b"0/2", b"1/2"])
    if format_keys != "GT":  # typical caller output: depth, likelihoods and so on after GT
        extras = [b":12,0:12:36:0,36,450", b":7,6:13:99:120,0,150", b":0,14:14:42:430,42,0"]
        extras += [b":.:.:.:.", b":6,0,5:11:80:90,120,400", b":0,5,6:11:70:400,120,90"]
        calls = np.array([call + extra for call, extra in zip(calls, extras, strict=True)])
    header = [
        "##fileformat=VCFv4.2",
        *(f"##contig=<ID={chrom}>" for chrom in range(1, 23)),
        '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
        '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
        '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred-scaled likelihoods">',
        "\t".join(
            ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"]
            + [f"S{i:04d}" for i in range(samples)]
        ),
    ]
    per_chromosome = records // 22 + 1
    with pysam.BGZFile(str(path), "wb") as out:
        out.write(("\n".join(header) + "\n").encode())
        lines = []
        for index in range(records):
            chrom, pos = index // per_chromosome + 1, 10_000 + (index % per_chromosome) * 37
            frequency = min(rng.beta(0.3, 3.0), 0.95)
            ref_hom, het, alt_hom = (1 - frequency) ** 2, 2 * frequency * (1 - frequency), 0
            alt_hom = frequency**2
            weights = np.array([ref_hom, het, alt_hom, 0.01, 0.0, 0.0])
            alts = "G"
            if index % 10 == 0:
                alts = "G,T"
                weights[4:] = [het / 4, het / 8]
            chosen = calls[rng.choice(6, samples, p=weights / weights.sum())]
            fixed = f"{chrom}\t{pos}\t.\tA\t{alts}\t50\tPASS\tDP={samples * 8}\t{format_keys}\t"
            lines.append(fixed.encode() + b"\t".join(chosen.tolist()))
            if len(lines) == 5000:
                out.write(b"\n".join(lines) + b"\n")
                lines = []
        if lines:
            out.write(b"\n".join(lines) + b"\n")
    return path


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    records = work()
    return time.perf_counter() - began, records


def bare_pysam(path: Path) -> int:
    count = 0
    with pysam.VariantFile(str(path)) as vcf:
        for _ in vcf:
            count += 1
    return count


def bcftools_view(path: Path) -> int:
    bcftools.view("--output-type", "v", "--output", os.devnull, str(path), catch_stdout=False)
    return 0


def documents_only(path: Path, populations: SamplePopulations | None = None) -> int:
    for _ in iter_variant_documents(path, "bench", ASSEMBLY, populations=populations):
        pass
    return 0


def random_populations(samples: list[str], count: int, seed: int = 20261125) -> SamplePopulations:
    """Every sample in one of ``count`` populations, members scattered over the columns."""
    chosen = np.random.default_rng(seed).integers(0, count, len(samples)).tolist()
    return SamplePopulations(
        "random", {sample: f"P{index:02d}" for sample, index in zip(samples, chosen, strict=True)}
    )


def into_store(path: Path) -> tuple[int, int]:
    """Records loaded into an embedded store on disk, and the bytes its directory holds."""
    with tempfile.TemporaryDirectory(prefix="bench-vcf-store-") as directory:
        records = load_vcf(open_store(f"sqlite://{directory}"), path, "bench", ASSEMBLY).records
        size = sum(f.stat().st_size for f in Path(directory).rglob("*") if f.is_file())
    return records, size


def measure(path: Path, load: bool = True, populations: int = 0) -> None:
    reference_seconds, records = _timed(lambda: bare_pysam(path))
    bcftools_seconds, _ = _timed(lambda: bcftools_view(path))
    documents_seconds, _ = _timed(lambda: documents_only(path))
    with pysam.VariantFile(str(path)) as vcf:
        sample_names = list(vcf.header.samples)
    samples = len(sample_names)
    print(f"\n{path.name} ({records:,} records x {samples:,} samples)")
    print(f"  {'':<30} {'seconds':>9} {'records/s':>12}  {'vs (a)':>7} {'vs (a2)':>7}")
    rows = [
        ("(a) pysam bare iteration", reference_seconds),
        ("(a2) bcftools view to text", bcftools_seconds),
        ("(b) iter_variant_documents", documents_seconds),
    ]
    if populations:
        assignment = random_populations(sample_names, populations)
        seconds, _ = _timed(lambda: documents_only(path, assignment))
        rows.append((f"(b) with {populations} populations", seconds))
    if load:
        load_seconds, (loaded, size) = _timed(lambda: into_store(path))
        assert loaded == records, f"load read {loaded} records, pysam {records}"
        rows.append(("(c) load_vcf, embedded on disk", load_seconds))
    for label, seconds in rows:
        print(
            f"  {label:<30} {seconds:9.2f} {records / seconds:12,.0f}  "
            f"{reference_seconds / seconds:7.2f} {bcftools_seconds / seconds:7.2f}"
        )
    if load:
        print(f"  (c) on disk: {size / 1024**2:,.0f} MB, {size / records:,.0f} bytes per record")


# Run in a checkout's own process: its loader over a VCF, wall and CPU seconds printed.
_TIMED_IN_CHECKOUT = """
import sys, time
from app.store import open_store
from loaders.vcf import iter_variant_documents, load_vcf
path, stage, store = sys.argv[1:4]
began, began_cpu = time.perf_counter(), time.process_time()
if stage == "stream":
    for _ in iter_variant_documents(path, "bench", "GRCh38"):
        pass
else:
    load_vcf(open_store(f"mongomock://{store}"), path, "bench", "GRCh38")
print(time.perf_counter() - began, time.process_time() - began_cpu)
"""


def _timed_in(checkout: Path, path: Path, stage: str, store: Path) -> tuple[float, float]:
    result = subprocess.run(
        [sys.executable, "-c", _TIMED_IN_CHECKOUT, str(path), stage, str(store)],
        cwd=checkout,
        env={**os.environ, "PYTHONPATH": str(checkout)},
        capture_output=True,
        text=True,
        check=True,
    )
    wall, cpu = result.stdout.split()
    return float(wall), float(cpu)


def compare(path: Path, reference: Path, repeats: int, load: bool, work: Path) -> None:
    """This checkout's loader against ``reference``'s over one file, runs alternating."""
    print(f"\n{path.name}: this checkout ({REPO}) / {reference}, median of {repeats} runs each")
    checkouts = {"this": REPO, "reference": reference.resolve()}
    for stage in ("stream", "load") if load else ("stream",):
        seconds: dict[str, list[tuple[float, float]]] = {name: [] for name in checkouts}
        for repeat in range(repeats):
            order = list(checkouts) if repeat % 2 == 0 else list(reversed(checkouts))
            for name in order:
                store = work / f"store-{stage}-{name}-{repeat}"
                seconds[name].append(_timed_in(checkouts[name], path, stage, store))
        medians = {
            name: [statistics.median(run[i] for run in runs) for i in (0, 1)]
            for name, runs in seconds.items()
        }
        (this_wall, this_cpu), (ref_wall, ref_cpu) = medians["this"], medians["reference"]
        label = "(b) document stream" if stage == "stream" else "(c) load_vcf, embedded on disk"
        print(
            f"  {label:<32} this {this_wall:7.2f} s ({this_cpu:7.2f} CPU)  reference "
            f"{ref_wall:7.2f} s ({ref_cpu:7.2f} CPU)  ratio {this_wall / ref_wall:.3f} "
            f"(CPU {this_cpu / ref_cpu:.3f})"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vcf", nargs="*", type=Path, help="VCF files (default: demo + generated)")
    parser.add_argument("--records", type=int, default=GENERATED_RECORDS)
    parser.add_argument("--samples", type=int, default=GENERATED_SAMPLES)
    parser.add_argument("--format", choices=FORMATS, default="GT", dest="format_keys")
    parser.add_argument("--no-load", action="store_true", help="skip (c), the embedded load")
    parser.add_argument(
        "--populations",
        type=int,
        default=0,
        metavar="N",
        help="also time (b) with the samples split at random into N populations",
    )
    parser.add_argument(
        "--against",
        type=Path,
        metavar="CHECKOUT",
        help="time (b) and (c) with this checkout's loader and with CHECKOUT's, alternating",
    )
    parser.add_argument("--repeats", type=int, default=5, help="runs of each, with --against")
    arguments = parser.parse_args(argv)
    paths = list(arguments.vcf)
    with tempfile.TemporaryDirectory(prefix="bench-vcf-") as folder:
        if not paths:
            if DEMO_VCF.is_file():
                paths.append(DEMO_VCF)
            shape = f"{arguments.records}x{arguments.samples}_{arguments.format_keys}"
            generated = Path(folder) / f"random_{shape.replace(':', '-')}.vcf.gz"
            print(f"writing {generated.name} ...", flush=True)
            paths.append(
                write_random_vcf(
                    generated, arguments.records, arguments.samples, arguments.format_keys
                )
            )
        for path in paths:
            if arguments.against is not None:
                compare(
                    path, arguments.against, arguments.repeats, not arguments.no_load, Path(folder)
                )
                continue
            measure(path, load=not arguments.no_load, populations=arguments.populations)


if __name__ == "__main__":
    main()
