"""The data folder's README.md: what is in the demo, counted from the records themselves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from loaders.demo.generator.annotation import trimmed_change
from loaders.demo.generator.dataset import DATASET_ID
from loaders.demo.generator.example_queries import example_query_parameters, matching_alleles
from loaders.demo.generator.genotypes import Cohort
from loaders.demo.generator.grch38 import CONTIG_LENGTHS, GENES, Gene
from loaders.demo.generator.populations import POPULATIONS
from loaders.demo.generator.records import Record
from loaders.demo.generator.sites import SV_LENGTHS
from loaders.demo.load import EXAMPLE_QUERIES


def demo_readme(cohort: Cohort, records: Sequence[Record]) -> str:
    """The data's README: what it is, how to remake it, what is in it, the example queries."""
    kinds = Counter(record.site.kind for record in records)
    short = [record for record in records if not record.site.structural]
    alt_kinds = Counter(_sequence_kind(r.site.ref, alt) for r in short for alt in r.site.alts)
    private = sum(
        len(set(cohort.populations[(record.alleles == alt).any(axis=1)].tolist())) == 1
        for record in records
        for alt in range(1, len(record.site.alts) + 1)
    )
    males = int(cohort.males.sum())
    by_position = {(record.site.chrom, record.site.pos): record for record in records}
    return README_TEMPLATE.format(
        records=len(records),
        samples=len(cohort.samples),
        dataset=DATASET_ID,
        population_count=len(POPULATIONS),
        males=males,
        females=len(cohort.samples) - males,
        chromosomes=", ".join(CONTIG_LENGTHS),
        alleles=sum(len(record.site.alts) for record in records),
        snv=alt_kinds["SNV"],
        mnv=alt_kinds["MNV"],
        insertion=alt_kinds["insertion"],
        deletion=alt_kinds["deletion"],
        multiallelic=sum(len(record.site.alts) > 1 for record in records),
        sv=sum(kinds[svtype] for svtype in SV_LENGTHS),
        sv_types=", ".join(f"{kinds[svtype]} `<{svtype}>`" for svtype in SV_LENGTHS),
        with_rs=sum(record.site.rs_id != "." for record in short),
        private=private,
        population_rows="\n".join(
            f"| {p.name} | {p.country} | {p.size} | {p.prefix}0001-{p.prefix}{p.size:04d} |"
            for p in POPULATIONS
        ),
        gene_rows="\n".join(_gene_row(gene, records) for gene in GENES),
        frequency_columns=" | ".join(f"AF {p.name}" for p in POPULATIONS),
        frequency_rule="|---" * len(POPULATIONS),
        known_rows="\n".join(
            _known_row(gene, by_position[(gene.chrom, gene.known.pos)], cohort)
            for gene in GENES
            if gene.known
        ),
        queries="\n\n".join(
            _query_section(number, description, path, records)
            for number, (description, path) in enumerate(EXAMPLE_QUERIES, start=1)
        ),
    )


def _sequence_kind(ref: str, alt: str) -> str:
    _, ref, alt = trimmed_change(1, ref, alt)
    if len(ref) == len(alt):
        return "SNV" if len(ref) == 1 else "MNV"
    return "insertion" if not ref else "deletion" if not alt else "complex"


def _gene_row(gene: Gene, records: Sequence[Record]) -> str:
    annotated = sum(gene.symbol in r.genes(i) for r in records for i in range(len(r.annotations)))
    return (
        f"| {gene.symbol} | {gene.chrom}:{gene.start:,}-{gene.end:,} | {gene.strand} | "
        f"{gene.exon_count} | {gene.protein_length} aa | {annotated} |"
    )


def _known_row(gene: Gene, record: Record, cohort: Cohort) -> str:
    """rs id, position, HGVS and the ALT frequency each population's genotypes give."""
    fields = record.annotations[0][0].split("|")
    frequencies = []
    for index in range(len(POPULATIONS)):
        alleles = record.alleles[cohort.populations == index]
        frequencies.append(f"{(alleles == 1).sum() / (alleles >= 0).sum():.3f}")
    site = record.site
    return (
        f"| {site.rs_id} | {gene.symbol} | {site.chrom}:{site.pos} {site.ref}>{site.alts[0]} | "
        f"{fields[9]} {fields[10]} | {' | '.join(frequencies)} |"
    )


def _query_section(number: int, description: str, path: str, records: Sequence[Record]) -> str:
    found = matching_alleles(records, example_query_parameters(path))
    in_records = len({record for record, _ in found})
    return (
        f"{number}. {description[0].upper()}{description[1:]}\n\n"
        f"   ```bash\n   curl 'http://127.0.0.1:5050{path}'\n   ```\n\n"
        f"   Expected: `numTotalResults` = {len(found)} "
        f"({len(found)} ALT allele(s) in {in_records} VCF record(s))."
    )


README_TEMPLATE = """\
# Demo data: a synthetic GRCh38 cohort from {population_count} Asian populations

Everything in this folder is **synthetic**. `loaders/demo/generate.py` wrote it from a fixed
random seed: no sample, genotype or frequency comes from a real person or a real study. Use it to
try asia-beacon, never for research. `asia-beacon demo` loads it into the embedded store.

Regenerate it (the output is byte-identical from run to run; the tests regenerate and compare, so
edit the generator, never these files):

```bash
python -m loaders.demo.generate            # into loaders/demo/data
python -m loaders.demo.generate /tmp/demo  # or anywhere else
```

- `demo.vcf.gz` and its tabix index `demo.vcf.gz.tbi`: VCFv4.2 on GRCh38, {records} records,
  {samples} samples, genotypes (GT) only;
- `populations.tsv`: `sample`, `population`, `country` (ISO 3166-1 alpha-2), one line a sample;
- `datasets.yaml`: the Beacon v2 dataset record `{dataset}`, with our `country`
  (the hosting country) and `populations` fields;
- `metadata/*.csv`: the cohort's metadata as filled-in templates (`docs/templates.md`): one
  individual per sample (`IND-<sample>`: sex as the genotypes have it, ethnicity, country of
  origin, made-up diseases and phenotypes), one biosample named like the sample's VCF column,
  one run and one analysis per biosample, and one cohort.

## Samples

{samples} made-up samples, {males} male and {females} female: males have haploid calls on chrX
outside the pseudo-autosomal regions, and `metadata/individuals.csv` gives the same sex.

| population | country | samples | sample ids |
|---|---|---|---|
{population_rows}

## Variants

Contigs: {chromosomes}, with their GRCh38 lengths.

{alleles} ALT alleles in {records} records: {snv} SNVs, {mnv} MNVs, {insertion} insertions,
{deletion} deletions (short alleles counted after trimming shared bases), {multiallelic}
multi-allelic records (2-3 ALTs) and {sv} structural variants with symbolic ALTs
({sv_types}), each with `SVTYPE`, `SVLEN` and `END`.

- Genotypes are phased (`0|1`) in most short-variant records and unphased (`0/1`) elsewhere;
  some calls are missing (`./.`, or `.` for haploid calls).
- Frequencies are drawn per population around a shared, mostly rare, frequency (Balding-Nichols,
  F = 0.02), so populations differ: {private} ALT alleles, most of them rare, are carried in
  one population only.
- INFO `AC`, `AN` and `AF` are computed from the genotypes.
- IDs: {with_rs} short-variant records carry an rs id. Apart from the four real variants below,
  they are made up (well formed and unique): do not look them up in dbSNP.
- REF bases agree from record to record but come from no reference FASTA: only the four real
  variants carry the true GRCh38 bases.

## Annotation

`INFO/ANN` is in SnpEff's format, written by the generator itself against the 15 genes below, at
their approximate GRCh38 coordinates (NCBI/Ensembl), with their real exon counts and protein
lengths. Exon layouts and coding sequences are synthetic, so `HGVS.c`/`HGVS.p` describe that
synthetic transcript; around each real variant the transcript is built so that its annotation is
the published one. Variants up to 5 kb from a gene are `upstream_gene_variant` or
`downstream_gene_variant`; variants farther away carry no `ANN`.

| gene | location (GRCh38) | strand | exons | protein | annotated ALT alleles |
|---|---|---|---|---|---|
{gene_rows}

## Real variants included

At their true GRCh38 positions, with frequencies drawn to look like published ones (the AF
columns are what the synthetic genotypes give):

| variant | gene | VCF position | change | {frequency_columns} |
|---|---|---|---{frequency_rule}|
{known_rows}

## Example queries

Beacon v2 coordinates are 0-based: `start` is VCF `POS` - 1 (rs671 is at POS 111803962, so
`start=111803961`). With `asia-beacon demo` running on its default port:

{queries}

`numTotalResults` counts variants (one per ALT allele), which is what the beacon returns with
`requestedGranularity=count` (the range query asks for records and shows the first 3 of them).
"""
