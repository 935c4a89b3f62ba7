"""The variant store the query benchmarks ask: a generated, gene-annotated VCF loaded into the
embedded store on disk, and the query targets drawn from the store itself.

Every record of the generated VCF is a biallelic site (SNVs and a few short indels) carried by
at least one of its few samples, so the store holds exactly one variant document per record,
none rarer than 1/(2 x samples): with the default 10 samples no allele is hidden by the
rare-allele protection nor charged to the query budget, and queries answer as a deployment
with protections on answers common variants. Sites are spread over the GRCh38 autosomes in
proportion to their length (1M variants: about one per 3 kb), and a site in an even 60 kb bin
is annotated ``GENE=G<chrom>_<bin>`` (about 20 variants per gene at 1M).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pysam

from app.query.variants import VariantQuery
from app.store import VARIANT_STATS, open_store
from loaders.datasets import load_datasets
from loaders.vcf import load_vcf

DATASET = "bench-variants"
ASSEMBLY = "GRCh38"
SAMPLES = 10
GENE_BIN = 60_000
# GRCh38 autosome lengths (bp), for spreading sites and drawing range windows.
GRCH38_LENGTHS = {
    "1": 248_956_422, "2": 242_193_529, "3": 198_295_559, "4": 190_214_555,
    "5": 181_538_259, "6": 170_805_979, "7": 159_345_973, "8": 145_138_636,
    "9": 138_394_717, "10": 133_797_422, "11": 135_086_622, "12": 133_275_309,
    "13": 114_364_328, "14": 107_043_718, "15": 101_991_189, "16": 90_338_345,
    "17": 83_257_441, "18": 80_373_285, "19": 58_617_616, "20": 64_444_167,
    "21": 46_709_983, "22": 50_818_468,
}  # fmt: skip
GENOME_LENGTH = sum(GRCH38_LENGTHS.values())
_BASES = np.array(list("ACGT"))
_CALLS = np.array(["0/0", "0/1", "1/1"])
DATASET_DESCRIPTION = f"""\
- id: {DATASET}
  name: generated variants for the query benchmarks
  description: Random gene-annotated sites written by tests/benchmarks/variant_store.py.
  version: '1'
  createDateTime: '2026-11-25T00:00:00Z'
  updateDateTime: '2026-11-25T00:00:00Z'
  country: TH
  organization: asia-beacon benchmarks
  dataUseConditions:
    duoDataUse:
    - id: DUO:0000042
      label: general research use
      version: '2022-03-23'
"""


def gene_of(chromosome: str, position: int) -> str | None:
    """The gene symbol the generator gives a 1-based position, or None (intergenic)."""
    bin_number = position // GENE_BIN
    return f"G{chromosome}_{bin_number:05d}" if bin_number % 2 == 0 else None


def _sites_per_chromosome(variants: int) -> dict[str, int]:
    """``variants`` shared out in proportion to chromosome length (largest remainders)."""
    exact = {name: variants * length / GENOME_LENGTH for name, length in GRCH38_LENGTHS.items()}
    counts = {name: int(value) for name, value in exact.items()}
    by_remainder = sorted(exact, key=lambda name: exact[name] - counts[name], reverse=True)
    for name in by_remainder[: variants - sum(counts.values())]:
        counts[name] += 1
    return counts


def _positions(rng: np.random.Generator, length: int, count: int) -> np.ndarray:
    """``count`` distinct sorted 1-based positions, clear of the chromosome ends."""
    chosen = np.empty(0, dtype=np.int64)
    while len(chosen) < count:
        more = rng.integers(10_000, length - 10_000, size=count - len(chosen) + 16)
        chosen = np.unique(np.concatenate([chosen, more]))
    return np.sort(rng.choice(chosen, count, replace=False))


def _alleles(rng: np.random.Generator, count: int) -> tuple[list[str], list[str]]:
    """REF and ALT per site: 95% SNVs, the rest 1-5 bp deletions and insertions."""
    refs = _BASES[rng.integers(0, 4, count)]
    alts = _BASES[(np.searchsorted(_BASES, refs) + rng.integers(1, 4, count)) % 4]
    ref_list, alt_list = refs.tolist(), alts.tolist()
    for index in np.flatnonzero(rng.random(count) < 0.05).tolist():
        extra = "".join(_BASES[rng.integers(0, 4, rng.integers(1, 6))].tolist())
        if index % 2:
            ref_list[index] = ref_list[index] + extra  # deletion
            alt_list[index] = ref_list[index][0]
        else:
            alt_list[index] = ref_list[index] + extra  # insertion
    return ref_list, alt_list


def _genotype_columns(rng: np.random.Generator, count: int, samples: int) -> list[str]:
    """Tab-joined GT columns per site; every site has at least one carrier."""
    frequency = np.clip(rng.beta(0.5, 2.0, count), 0.05, 0.95)
    copies = (rng.random((count, samples, 2)) < frequency[:, None, None]).sum(axis=2)
    nobody = np.flatnonzero(copies.sum(axis=1) == 0)
    copies[nobody, rng.integers(0, samples, len(nobody))] = 1
    calls = _CALLS[copies]
    return ["\t".join(row) for row in calls.tolist()]


def write_annotated_vcf(path: Path, variants: int, samples: int = SAMPLES, seed: int = 8) -> Path:
    """A bgzipped, gene-annotated VCF of ``variants`` biallelic sites (see the module doc).

    Written under a temporary name and renamed, so a cached file is always whole.
    """
    rng = np.random.default_rng(seed)
    header = [
        "##fileformat=VCFv4.2",
        *(f"##contig=<ID={name},length={length}>" for name, length in GRCH38_LENGTHS.items()),
        '##INFO=<ID=GENE,Number=.,Type=String,Description="Gene symbol">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "\t".join(
            ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"]
            + [f"S{i:03d}" for i in range(samples)]
        ),
    ]
    partial = path.with_name(path.name + ".partial")
    with pysam.BGZFile(str(partial), "wb") as out:
        out.write(("\n".join(header) + "\n").encode())
        for chromosome, count in _sites_per_chromosome(variants).items():
            positions = _positions(rng, GRCH38_LENGTHS[chromosome], count).tolist()
            refs, alts = _alleles(rng, count)
            genotypes = _genotype_columns(rng, count, samples)
            lines = []
            for position, ref, alt, calls in zip(positions, refs, alts, genotypes, strict=True):
                gene = gene_of(chromosome, position)
                info = f"GENE={gene}" if gene else "."
                lines.append(
                    f"{chromosome}\t{position}\t.\t{ref}\t{alt}\t50\tPASS\t{info}\tGT\t{calls}"
                )
                if len(lines) == 10_000:
                    out.write(("\n".join(lines) + "\n").encode())
                    lines = []
            if lines:
                out.write(("\n".join(lines) + "\n").encode())
    partial.rename(path)
    return path


def cached_vcf(cache: Path, variants: int, samples: int = SAMPLES) -> Path:
    """The generated VCF of this size from ``cache``, written there first if missing."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"annotated_{variants}x{samples}.vcf.gz"
    if not path.exists():
        began = time.perf_counter()
        print(f"writing {path} ...", flush=True)
        write_annotated_vcf(path, variants, samples)
        print(f"  written in {time.perf_counter() - began:.0f} s", flush=True)
    return path


@dataclass(frozen=True)
class BuiltStore:
    uri: str
    directory: Path
    variants: int
    load_seconds: float | None  # None: an existing store was reused


def store_uri(directory: Path) -> str:
    return f"mongomock://{directory.resolve()}"


def stored_variant_count(directory: Path) -> int | None:
    """The benchmark dataset's variant count in an existing store, else None."""
    if not (directory / "manifest.json").exists():
        return None
    stats = open_store(store_uri(directory)).collection(VARIANT_STATS).find_one({"_id": DATASET})
    return int(stats["variantCount"]) if stats else None


def build_store(directory: Path, variants: int, cache: Path) -> BuiltStore:
    """The store of ``variants`` generated variants in ``directory``: reused when it already
    holds them, else (re)built from the cached VCF."""
    if stored_variant_count(directory) == variants:
        print(f"reusing the store in {directory} ({variants:,} variants)", flush=True)
        return BuiltStore(store_uri(directory), directory, variants, None)
    vcf = cached_vcf(cache, variants)
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    store = open_store(store_uri(directory))
    print(f"loading {vcf.name} into {directory} ...", flush=True)
    began = time.perf_counter()
    summary = load_vcf(store, vcf, DATASET, ASSEMBLY)
    seconds = time.perf_counter() - began
    description = directory.parent / f"{directory.name}-datasets.yaml"
    description.write_text(DATASET_DESCRIPTION)
    load_datasets(store, description)
    description.unlink()
    print(
        f"  {summary.variants:,} variants from {summary.records:,} records in {seconds:.0f} s",
        flush=True,
    )
    if summary.variants != variants:
        raise RuntimeError(f"expected {variants} variants, the load wrote {summary.variants}")
    return BuiltStore(store_uri(directory), directory, variants, seconds)


# -- query targets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """One kind of g_variants query: its name and its targets as Beacon request parameters."""

    name: str
    parameters: list[dict[str, Any]]


def variant_query(parameters: dict[str, Any]) -> VariantQuery:
    """The parsed form of a shape's request parameters (what the beacon builds from the URL)."""
    start = parameters.get("start")
    end = parameters.get("end")
    return VariantQuery(
        assembly_id=parameters.get("assemblyId"),
        reference_name=parameters.get("referenceName"),
        start=None if start is None else [int(start)],
        end=None if end is None else [int(end)],
        reference_bases=parameters.get("referenceBases"),
        alternate_bases=parameters.get("alternateBases"),
        gene_id=parameters.get("geneId"),
    )


def query_string(parameters: dict[str, Any], granularity: str) -> str:
    pairs = [*parameters.items(), ("requestedGranularity", granularity)]
    return "&".join(f"{key}={value}" for key, value in pairs)


def draw_shapes(uri: str, targets: int, seed: int = 7) -> list[Shape]:
    """Sequence, range (10 kb, 1 Mb) and gene queries on variants drawn from the store itself
    (through its indexes), so a reused or foreign store gets targets that exist in it."""
    rng = np.random.default_rng(seed)
    store = open_store(uri)
    stats = store.collection(VARIANT_STATS).find_one({"_id": DATASET})
    chromosomes = [name for name in stats["referenceNames"] if name in GRCH38_LENGTHS]
    weights = np.array([GRCH38_LENGTHS[name] for name in chromosomes], dtype=float)
    weights /= weights.sum()
    window = max(20 * GENOME_LENGTH // max(stats["variantCount"], 1), 1_000)
    found: list[dict[str, Any]] = []
    genes: dict[str, None] = {}
    attempts = 0
    while len(found) < targets or len(genes) < targets:
        attempts += 1
        if attempts > 50 * targets:
            raise RuntimeError("could not draw enough variants from the store")
        chromosome = str(rng.choice(chromosomes, p=weights))
        position = int(rng.integers(0, GRCH38_LENGTHS[chromosome]))
        selector = {
            "datasetId": DATASET,
            "assemblyId": ASSEMBLY,
            "referenceName": chromosome,
            "start": {"$gte": position, "$lt": position + window},
        }
        fields = {"start": 1, "referenceBases": 1, "alternateBases": 1, "geneIds": 1}
        document = next(iter(store.variants.find(selector, fields).limit(1)), None)
        if document is None:
            continue
        if len(found) < targets:
            found.append({"referenceName": chromosome, **document})
        for gene in document.get("geneIds") or []:
            if len(genes) < targets:
                genes[gene] = None
    sequence = [
        {
            "assemblyId": ASSEMBLY,
            "referenceName": document["referenceName"],
            "start": document["start"],
            "referenceBases": document["referenceBases"],
            "alternateBases": document["alternateBases"],
        }
        for document in found
    ]

    def ranges(width: int) -> list[dict[str, Any]]:
        chosen = []
        for _ in range(targets):
            chromosome = str(rng.choice(chromosomes, p=weights))
            start = int(rng.integers(0, GRCH38_LENGTHS[chromosome] - width))
            chosen.append(
                {
                    "assemblyId": ASSEMBLY,
                    "referenceName": chromosome,
                    "start": start,
                    "end": start + width,
                }
            )
        return chosen

    return [
        Shape("sequence", sequence),
        Shape("range 10 kb", ranges(10_000)),
        Shape("range 1 Mb", ranges(1_000_000)),
        Shape("gene", [{"geneId": gene} for gene in genes]),
    ]
