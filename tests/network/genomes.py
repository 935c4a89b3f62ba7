"""The network's synthetic genomes: seeded sites, genotypes, and the VCF and metadata files.

The variants are generated first, as plain data (``NetworkVariant``), and the files are written
from them; the harness's expected answers are counted over the same plain data, never read back
through the loader. Sites follow ``layout.SHARED_SITES``: some are held by every dataset, some by
two, most by one. Sites in a gene's window carry a SnpEff ``ANN`` annotation naming the gene.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from network.layout import (
    CHROMOSOMES,
    CONTIG_LENGTHS,
    DATASETS,
    JP_BIOBANK,
    NODE_OF_DATASET,
    OTHER_ALT_SITES,
    SHARED_SITES,
    TW_CONTROLLED,
    DatasetSpec,
)

SEED = 20260311
GENE_WINDOW = 20_000
# Gene symbol -> (chromosome, first position of its window); synthetic loci, real-looking names.
GENES: dict[str, tuple[str, int]] = {
    "MTHFR": ("1", 11_780_000),
    "PCSK9": ("1", 55_030_000),
    "LEPR": ("1", 65_420_000),
    "APOB": ("2", 21_000_000),
    "MSH2": ("2", 47_400_000),
    "UGT1A1": ("2", 233_760_000),
    "COMT": ("22", 19_940_000),
    "APOL1": ("22", 36_250_000),
    "CYP2D6": ("22", 42_120_000),
}
INTERGENIC_START, INTERGENIC_WIDTH = 25_000_000, 200_000  # on each chromosome, no gene there
GENIC_SHARE = 0.65
BASES = "ACGT"
FIXED_COLUMNS = ("#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO")
ANN_HEADER = (
    '##INFO=<ID=ANN,Number=.,Type=String,Description="Functional annotations: '
    "'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID "
    "| Transcript_BioType | Rank | HGVS.c | HGVS.p' \">"
)


@dataclass(frozen=True)
class Site:
    """A variant allele as every dataset holding it spells it (chromosome without ``chr``)."""

    chrom: str
    pos: int  # VCF POS, 1-based
    ref: str
    alt: str
    gene: str | None
    rsid: str

    @property
    def start(self) -> int:
        """Beacon's 0-based start."""
        return self.pos - 1

    @property
    def end(self) -> int:
        """Beacon's exclusive end: the last REF base + 1."""
        return self.start + len(self.ref)


@dataclass(frozen=True)
class NetworkVariant:
    """One ALT allele of one dataset, with its genotypes: one loaded ``genomicVariations``
    document."""

    dataset_id: str
    assembly: str
    site: Site
    genotypes: tuple[str, ...]  # one GT per sample of the dataset, in sample order
    carriers: tuple[str, ...]  # the samples whose GT holds the ALT

    @property
    def node(self) -> str:
        return NODE_OF_DATASET[self.dataset_id].name


@dataclass(frozen=True)
class DatasetGenomes:
    spec: DatasetSpec
    assembly: str
    chr_prefix: bool
    samples: tuple[str, ...]
    variants: tuple[NetworkVariant, ...]  # in VCF order

    @property
    def id(self) -> str:
        return self.spec.id


def sample_names(spec: DatasetSpec) -> tuple[str, ...]:
    return tuple(f"{spec.sample_prefix}-{number:02d}" for number in range(1, spec.samples + 1))


def generate_network_genomes(seed: int = SEED) -> dict[str, DatasetGenomes]:
    """Every dataset's variants, by dataset id; the same seed gives the same network."""
    rng = random.Random(seed)
    sites_of: dict[str, list[Site]] = {dataset_id: [] for dataset_id in DATASETS}
    taken: set[tuple[str, int]] = set()
    for holders, count in SHARED_SITES:
        for _ in range(count):
            site = _new_site(rng, taken)
            for dataset_id in holders:
                sites_of[dataset_id].append(site)
    for _ in range(OTHER_ALT_SITES):
        site = _new_site(rng, taken, snv_only=True)
        other = replace(site, alt=_other_base(rng, site.ref, site.alt))
        sites_of[JP_BIOBANK.id].append(site)
        sites_of[TW_CONTROLLED.id].append(other)
    genomes = {}
    for dataset_id, sites in sites_of.items():
        spec = DATASETS[dataset_id]
        node = NODE_OF_DATASET[dataset_id]
        samples = sample_names(spec)
        ordered = sorted(sites, key=lambda s: (CHROMOSOMES.index(s.chrom), s.pos))
        variants = tuple(
            _genotyped(rng, dataset_id, node.assembly, site, samples) for site in ordered
        )
        genomes[dataset_id] = DatasetGenomes(
            spec, node.assembly, node.chr_prefix, samples, variants
        )
    return genomes


def _new_site(rng: random.Random, taken: set[tuple[str, int]], snv_only: bool = False) -> Site:
    while True:
        if rng.random() < GENIC_SHARE:
            gene = rng.choice(sorted(GENES))
            chrom, window_start = GENES[gene]
            pos = window_start + rng.randrange(GENE_WINDOW)
        else:
            gene = None
            chrom = rng.choice(CHROMOSOMES)
            pos = INTERGENIC_START + rng.randrange(INTERGENIC_WIDTH)
        if (chrom, pos) not in taken:
            break
    taken.add((chrom, pos))
    ref, alt = _alleles(rng, snv_only)
    return Site(chrom, pos, ref, alt, gene, f"rs{900_000 + len(taken)}")


def _alleles(rng: random.Random, snv_only: bool) -> tuple[str, str]:
    """An SNV (80%), an anchored deletion or an anchored insertion of 1 to 3 bases."""
    anchor = rng.choice(BASES)
    kind = "snv" if snv_only else rng.choices(["snv", "deletion", "insertion"], [8, 1, 1])[0]
    if kind == "snv":
        return anchor, _other_base(rng, anchor)
    extra = "".join(rng.choice(BASES) for _ in range(rng.randint(1, 3)))
    return (anchor + extra, anchor) if kind == "deletion" else (anchor, anchor + extra)


def _other_base(rng: random.Random, *not_these: str) -> str:
    return rng.choice([base for base in BASES if base not in not_these])


def _genotyped(
    rng: random.Random, dataset_id: str, assembly: str, site: Site, samples: tuple[str, ...]
) -> NetworkVariant:
    """Genotypes with at least one carrier (an allele nobody carries is not loaded)."""
    calls = rng.choices(["0/0", "0/1", "1/1", "0|1", "./."], [55, 25, 8, 8, 4], k=len(samples))
    if not any("1" in call for call in calls):
        calls[rng.randrange(len(calls))] = "0/1"
    carriers = tuple(sample for sample, call in zip(samples, calls, strict=True) if "1" in call)
    return NetworkVariant(dataset_id, assembly, site, tuple(calls), carriers)


def write_vcf(genomes: DatasetGenomes, path: Path) -> Path:
    """The dataset as an uncompressed VCF, chromosomes spelt as its node spells them."""
    prefix = "chr" if genomes.chr_prefix else ""
    lengths = CONTIG_LENGTHS[genomes.assembly]
    header = [
        "##fileformat=VCFv4.2",
        f"##reference={genomes.assembly}",
        *(f"##contig=<ID={prefix}{chrom},length={lengths[chrom]}>" for chrom in CHROMOSOMES),
        ANN_HEADER,
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "\t".join([*FIXED_COLUMNS, "FORMAT", *genomes.samples]),
    ]
    lines = [_vcf_line(variant, prefix) for variant in genomes.variants]
    path.write_text("\n".join([*header, *lines]) + "\n", encoding="utf-8")
    return path


def _vcf_line(variant: NetworkVariant, prefix: str) -> str:
    site = variant.site
    info = "." if site.gene is None else _ann(site)
    fixed = [prefix + site.chrom, str(site.pos), site.rsid, site.ref, site.alt, ".", "PASS", info]
    return "\t".join([*fixed, "GT", *variant.genotypes])


def _ann(site: Site) -> str:
    """A SnpEff annotation of the ALT naming the site's gene (what the loader reads genes from)."""
    if len(site.ref) == len(site.alt):
        effect, impact = "missense_variant", "MODERATE"
    else:
        effect, impact = "frameshift_variant", "HIGH"
    gene = site.gene or ""
    fields = [site.alt, effect, impact, gene, gene, "transcript", f"NM_{gene}.1", "protein_coding"]
    return "ANN=" + "|".join([*fields, "1/9", "", ""])


def write_metadata(
    genomes: DatasetGenomes, country: str, country_name: str, directory: Path
) -> Path:
    """Individuals and biosamples (a biosample id is its VCF column name) in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    sexes = (("NCIT:C16576", "female"), ("NCIT:C20197", "male"))
    individuals = [
        ["id", "sex.id", "sex.label", "geographicOrigin.id", "geographicOrigin.label"],
        *(
            [f"IND-{sample}", *sexes[number % 2], f"ISO3166:{country}", country_name]
            for number, sample in enumerate(genomes.samples)
        ),
    ]
    biosamples = [
        [
            "id",
            "individualId",
            "biosampleStatus.id",
            "biosampleStatus.label",
            "sampleOriginType.id",
            "sampleOriginType.label",
        ],
        *(
            [sample, f"IND-{sample}", "EFO:0009654", "reference sample", "UBERON:0000178", "blood"]
            for sample in genomes.samples
        ),
    ]
    _write_csv(directory / "individuals.csv", individuals)
    _write_csv(directory / "biosamples.csv", biosamples)
    return directory


def _write_csv(path: Path, rows: Iterable[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
