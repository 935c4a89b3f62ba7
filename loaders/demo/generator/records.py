"""The whole demo as records: transcripts, pseudo-reference, sites and genotypes drawn in a fixed
order from one seed, so that every run gives the same records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from loaders.demo.generator.annotation import annotate_allele, annotate_structural
from loaders.demo.generator.genotypes import Cohort, alt_allele_counts, draw_genotypes, make_cohort
from loaders.demo.generator.grch38 import GENES
from loaders.demo.generator.reference import PseudoReference
from loaders.demo.generator.sites import Site, plan_sites
from loaders.demo.generator.transcripts import Transcript, build_transcript

SEED = 20250101


@dataclass
class Record:
    """One VCF record: its site, every sample's alleles, and what the VCF line needs besides."""

    site: Site
    alleles: np.ndarray  # samples x 2, see genotypes.ABSENT and MISSING
    annotations: list[list[str]]  # ANN entries per ALT
    phased: bool
    quality: float

    def allele_counts(self) -> list[int]:
        return alt_allele_counts(self.alleles, len(self.site.alts))

    def genes(self, alt_index: int) -> set[str]:
        return {entry.split("|")[3] for entry in self.annotations[alt_index]}


def build_records(seed: int = SEED) -> tuple[Cohort, list[Record]]:
    """The cohort and every record, sorted by contig and position.

    Layout, sites and genotypes each draw from their own child of ``seed``, so that drawing more
    or fewer numbers for one does not shift the streams of the others.
    """
    layout_rng, site_rng, genotype_rng = (
        np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(3)
    )
    transcripts = [build_transcript(gene, layout_rng) for gene in GENES]
    reference = PseudoReference(transcripts)
    cohort = make_cohort(genotype_rng)
    records = []
    for site in plan_sites(reference, transcripts, site_rng):
        alleles = draw_genotypes(site, cohort, genotype_rng)
        phased = not site.structural and genotype_rng.random() < 0.9
        annotations = [
            _alt_annotations(reference.transcripts[site.chrom], site, alt) for alt in site.alts
        ]
        carried = sum(alt_allele_counts(alleles, len(site.alts)))
        quality = 30 + carried * genotype_rng.uniform(20, 60)
        records.append(Record(site, alleles, annotations, phased, quality))
    return cohort, records


def _alt_annotations(transcripts: Sequence[Transcript], site: Site, alt: str) -> list[str]:
    """The ANN entries of one ALT: one per transcript it falls in or near."""
    entries = []
    for transcript in transcripts:
        if site.structural:
            entry = annotate_structural(transcript, alt, site.kind, site.pos, site.end, site.svlen)
        else:
            entry = annotate_allele(transcript, alt, site.pos, site.ref, alt)
        if entry is not None:
            entries.append(entry)
    return entries
