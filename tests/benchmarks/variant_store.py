"""The variant store the query benchmarks ask: a generated, gene-annotated VCF loaded into the
embedded store on disk, and the query targets drawn from the store itself.

Every record of the generated VCF is a biallelic site (SNVs and a few short indels), so the
store holds exactly one variant document per record. Sites are spread over the GRCh38
autosomes in proportion to their length (1M variants: about one per 3 kb), and a site in an
even 60 kb bin is annotated ``GENE=G<chrom>_<bin>`` (about 20 variants per gene at 1M). Two
allele-frequency spectra (:data:`SPECTRA`):

- ``panel`` (the default): a sites-only VCF, as national frequency panels are published, with
  ``INFO/AC``, ``AN`` and ``AF`` of 10,000 samples. Allele counts follow a power law (the
  share of sites carrying k copies falls as k^-1.35), so about 89% of the sites have an
  alternate allele frequency below 1% and 30% are singletons, as in large sequenced panels:
  on a PUBLIC dataset the rare-allele protection hides most variants, and the query budget is
  charged for "yes" answers on the visible ones below 5%.
- ``ten-samples``: the data of the figures measured before December 2026: GT calls of 10
  samples, every site carried by at least one of them, none rarer than 1/(2 x 10) = 5%, so no
  allele is hidden and none is charged to the budget.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pysam

from app.access.protections import hides_rare_alleles
from app.config import DEFAULTS
from app.entry_types import GENOMIC_VARIATION
from app.query.variants import VariantQuery, variant_filter
from app.services.datasets import DatasetSummary, known_datasets
from app.services.entries import Condition, find_entries
from app.store import VARIANT_STATS, VARIANTS, open_store
from app.store.query import (
    Assembly,
    Bracket,
    Chromosome,
    CommonAllele,
    Predicate,
    every,
    in_dataset,
)
from loaders.datasets import load_datasets
from loaders.vcf import load_vcf

DATASET = "bench-variants"
ASSEMBLY = "GRCh38"
SAMPLES = 10  # genotyped samples of the ten-samples spectrum
PANEL_SAMPLES = 10_000  # samples behind the panel spectrum's counts (AN up to 20,000)
PANEL_EXPONENT = 1.35  # share of panel sites with k alternate alleles ~ k^-PANEL_EXPONENT
PANEL_MISSING = 0.02  # share of genotypes a panel site lacks (AN below 2 x PANEL_SAMPLES)
PANEL = "panel"
TEN_SAMPLES = "ten-samples"
SPECTRA = (PANEL, TEN_SAMPLES)
# The query budget the benchmarks serve with: every request does the budget's work as by
# default, but one client asking thousands of queries about rare-enough variants (the panel
# spectrum's 1-5% alleles) is never refused (the default, 50 a day, would answer 429).
UNSPENDABLE_BUDGET = 1_000_000_000
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


def panel_counts(
    rng: np.random.Generator,
    count: int,
    samples: int = PANEL_SAMPLES,
    exponent: float = PANEL_EXPONENT,
    missing: float = PANEL_MISSING,
) -> tuple[np.ndarray, np.ndarray]:
    """INFO/AC and INFO/AN of ``count`` panel sites: AN is twice the samples called at the
    site (each genotype missing with probability ``missing``), AC at least 1 and below AN,
    drawn with probability proportional to AC^-``exponent``."""
    called = 2 * (samples - rng.binomial(samples, missing, count))
    copies = np.arange(1, 2 * samples, dtype=np.float64)
    weights = copies**-exponent
    drawn = np.searchsorted(np.cumsum(weights) / weights.sum(), rng.random(count), side="right")
    allele_counts = np.minimum(drawn + 1, called - 1)
    return allele_counts, called


def _panel_info(rng: np.random.Generator, count: int) -> list[str]:
    """``AC=..;AN=..;AF=..`` per site (the loader derives the frequency from AC and AN)."""
    allele_counts, called = panel_counts(rng, count)
    return [
        f"AC={ac};AN={an};AF={ac / an:.6g}"
        for ac, an in zip(allele_counts.tolist(), called.tolist(), strict=True)
    ]


def _vcf_header(spectrum: str, samples: int) -> list[str]:
    header = [
        "##fileformat=VCFv4.2",
        *(f"##contig=<ID={name},length={length}>" for name, length in GRCH38_LENGTHS.items()),
        '##INFO=<ID=GENE,Number=.,Type=String,Description="Gene symbol">',
    ]
    columns = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
    if spectrum == PANEL:
        return [
            *header,
            '##INFO=<ID=AC,Number=A,Type=Integer,Description="Alternate allele count">',
            '##INFO=<ID=AN,Number=1,Type=Integer,Description="Called alleles">',
            '##INFO=<ID=AF,Number=A,Type=Float,Description="Alternate allele frequency">',
            "\t".join(columns),
        ]
    return [
        *header,
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "\t".join([*columns, "FORMAT"] + [f"S{i:03d}" for i in range(samples)]),
    ]


def write_annotated_vcf(
    path: Path,
    variants: int,
    samples: int = SAMPLES,
    seed: int = 8,
    spectrum: str = PANEL,
) -> Path:
    """A bgzipped, gene-annotated VCF of ``variants`` biallelic sites of ``spectrum`` (see the
    module doc; ``samples`` is the ten-samples spectrum's number of genotyped samples).

    Written under a temporary name and renamed, so a cached file is always whole.
    """
    if spectrum not in SPECTRA:
        raise ValueError(f"unknown spectrum {spectrum!r}: one of {', '.join(SPECTRA)}")
    rng = np.random.default_rng(seed)
    partial = path.with_name(path.name + ".partial")
    with pysam.BGZFile(str(partial), "wb") as out:
        out.write(("\n".join(_vcf_header(spectrum, samples)) + "\n").encode())
        for chromosome, count in _sites_per_chromosome(variants).items():
            positions = _positions(rng, GRCH38_LENGTHS[chromosome], count).tolist()
            refs, alts = _alleles(rng, count)
            if spectrum == PANEL:
                counts = _panel_info(rng, count)
                tails = [""] * count
            else:
                counts = [""] * count
                tails = [f"\tGT\t{calls}" for calls in _genotype_columns(rng, count, samples)]
            lines = []
            for position, ref, alt, info_counts, tail in zip(
                positions, refs, alts, counts, tails, strict=True
            ):
                gene = gene_of(chromosome, position)
                info = ";".join(filter(None, [info_counts, f"GENE={gene}" if gene else ""]))
                lines.append(
                    f"{chromosome}\t{position}\t.\t{ref}\t{alt}\t50\tPASS\t{info or '.'}{tail}"
                )
                if len(lines) == 10_000:
                    out.write(("\n".join(lines) + "\n").encode())
                    lines = []
            if lines:
                out.write(("\n".join(lines) + "\n").encode())
    partial.rename(path)
    return path


def cached_vcf(cache: Path, variants: int, samples: int = SAMPLES, spectrum: str = PANEL) -> Path:
    """The generated VCF of this size and spectrum from ``cache``, written there first if
    missing."""
    cache.mkdir(parents=True, exist_ok=True)
    if spectrum == PANEL:
        path = cache / f"panel_{variants}x{PANEL_SAMPLES}_sites.vcf.gz"
    else:
        path = cache / f"annotated_{variants}x{samples}.vcf.gz"
    if not path.exists():
        began = time.perf_counter()
        print(f"writing {path} ...", flush=True)
        write_annotated_vcf(path, variants, samples, spectrum=spectrum)
        print(f"  written in {time.perf_counter() - began:.0f} s", flush=True)
    return path


@dataclass(frozen=True)
class BuiltStore:
    uri: str
    directory: Path
    variants: int
    load_seconds: float | None  # None: an existing store was reused
    spectrum: str = PANEL


def store_directory(root: Path, variants: int, spectrum: str = PANEL) -> Path:
    """Where under ``root`` the store of this size and spectrum is kept (the ten-samples
    stores keep the name they had before there were two spectra, so old stores are reused)."""
    if spectrum == PANEL:
        return root / f"embedded-{spectrum}-{variants}"
    return root / f"embedded-{variants}"


def store_uri(directory: Path) -> str:
    return f"mongomock://{directory.resolve()}"


def stored_variant_count(directory: Path) -> int | None:
    """The benchmark dataset's variant count in an existing store, else None."""
    if not (directory / "store.sqlite3").exists():
        return None
    stats = open_store(store_uri(directory)).collection(VARIANT_STATS).find_one({"_id": DATASET})
    return int(stats["variantCount"]) if stats else None


def build_store(directory: Path, variants: int, cache: Path, spectrum: str = PANEL) -> BuiltStore:
    """The store of ``variants`` generated variants of ``spectrum`` in ``directory`` (see
    :func:`store_directory`): reused when it already holds them, else (re)built from the
    cached VCF."""
    if stored_variant_count(directory) == variants:
        print(f"reusing the store in {directory} ({variants:,} variants)", flush=True)
        return BuiltStore(store_uri(directory), directory, variants, None, spectrum)
    vcf = cached_vcf(cache, variants, spectrum=spectrum)
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    store = open_store(store_uri(directory))
    print(f"loading {vcf.name} into {directory} ...", flush=True)
    began, began_cpu = time.perf_counter(), time.process_time()
    summary = load_vcf(store, vcf, DATASET, ASSEMBLY)
    seconds, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    description = directory.parent / f"{directory.name}-datasets.yaml"
    description.write_text(DATASET_DESCRIPTION)
    load_datasets(store, description)
    description.unlink()
    print(
        f"  {summary.variants:,} variants from {summary.records:,} records in {seconds:.0f} s "
        f"(CPU {cpu:.0f} s; {os.getloadavg()[0]:.1f} load average after)",
        flush=True,
    )
    if summary.variants != variants:
        raise RuntimeError(f"expected {variants} variants, the load wrote {summary.variants}")
    return BuiltStore(store_uri(directory), directory, variants, seconds, spectrum)


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
        # the first variant starting in the window, through the store's own reads
        window_starts = Bracket(position, position + window, 0, 2**62)
        where = in_dataset(DATASET, Assembly(ASSEMBLY), Chromosome(chromosome), window_starts)
        fields = ("start", "referenceBases", "alternateBases", "geneIds")
        document = next(iter(store.project(VARIANTS, where, fields, order=("start",))), None)
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


def beacon_selector(
    parameters: dict[str, Any], hide_rare: bool | None = None
) -> Callable[[DatasetSummary], Predicate]:
    """What ``answer_records`` selects in one dataset under the default policy (the
    rare-allele condition of a PUBLIC dataset included, unless ``hide_rare`` is False)."""
    query = variant_query(parameters)
    rare = float(DEFAULTS["RARE_ALLELE_FREQUENCY"])
    if hide_rare is None:
        hide_rare = hides_rare_alleles(str(DEFAULTS["DEFAULT_ACCESS_LEVEL"]), rare)

    def selector(dataset: DatasetSummary) -> Predicate:
        found = variant_filter(query, dataset.id, dataset.longest_variant)
        return every(found, CommonAllele(rare)) if hide_rare else found

    return selector


@dataclass(frozen=True)
class ProtectionShare:
    """How the rare-allele protection meets one shape's targets: how many targets match
    visible variants, only hidden (rare) ones, or none, and the matched variants it hides."""

    shape: str
    targets: int
    visible: int  # targets matching at least one variant a PUBLIC caller is told of
    hidden_only: int  # targets whose every match is hidden as rare
    matched: int  # variants matched over all targets, before the protection
    hidden: int  # of them, hidden as rare

    @property
    def unmatched(self) -> int:
        return self.targets - self.visible - self.hidden_only

    def line(self) -> str:
        hidden_share = self.hidden / self.matched if self.matched else 0.0
        return (
            f"  {self.shape:<12} {self.targets} targets: {self.visible / self.targets:4.0%} "
            f"match a visible allele, {self.hidden_only / self.targets:4.0%} only hidden rare "
            f"ones, {self.unmatched / self.targets:4.0%} nothing; "
            f"{hidden_share:4.0%} of the {self.matched:,} matched variants hidden as rare"
        )


def protection_shares(uri: str, shapes: list[Shape]) -> list[ProtectionShare]:
    """Counts of every shape's targets with and without the rare-allele protection, so that
    a benchmark says which share of its queries the protection answered."""
    store = open_store(uri)
    dataset = next(d for d in known_datasets(store) if d.id == DATASET)
    page = int(DEFAULTS["DEFAULT_PAGE_SIZE"])

    def count(parameters: dict[str, Any], hide_rare: bool) -> int:
        condition = Condition(GENOMIC_VARIATION.id, beacon_selector(parameters, hide_rare))
        (result,) = find_entries(store, GENOMIC_VARIATION, [dataset], [condition], "count", 0, page)
        return result.count or 0

    shares = []
    for shape in shapes:
        visible = hidden_only = matched = hidden = 0
        for parameters in shape.parameters:
            everything, shown = count(parameters, False), count(parameters, True)
            matched += everything
            hidden += everything - shown
            visible += shown > 0
            hidden_only += everything > 0 and shown == 0
        shares.append(
            ProtectionShare(
                shape.name, len(shape.parameters), visible, hidden_only, matched, hidden
            )
        )
    return shares


def print_protection_shares(uri: str, shapes: list[Shape]) -> None:
    rare = float(DEFAULTS["RARE_ALLELE_FREQUENCY"])
    print(
        f"query targets and the rare-allele protection (PUBLIC: alleles below {rare:.0%} "
        "answer as absent):"
    )
    for share in protection_shares(uri, shapes):
        print(share.line())
