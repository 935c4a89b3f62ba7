"""The made-up samples and their genotypes, drawn from each site's per-population frequencies."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from loaders.demo.generator.populations import POPULATIONS
from loaders.demo.generator.sites import Site

ABSENT, MISSING = -2, -1  # second allele of a haploid call; a missing allele


@dataclass(frozen=True)
class Cohort:
    """The samples, population by population; sex only decides chrX ploidy."""

    samples: tuple[str, ...]
    populations: np.ndarray  # index into POPULATIONS, per sample
    males: np.ndarray  # bool per sample


def make_cohort(rng: np.random.Generator) -> Cohort:
    samples = [f"{p.prefix}{n:04d}" for p in POPULATIONS for n in range(1, p.size + 1)]
    populations = np.repeat(np.arange(len(POPULATIONS)), [p.size for p in POPULATIONS])
    return Cohort(tuple(samples), populations, rng.random(len(samples)) < 0.5)


def draw_genotypes(site: Site, cohort: Cohort, rng: np.random.Generator) -> np.ndarray:
    """Alleles per sample (samples x 2) under Hardy-Weinberg within each population.

    Male chrX calls outside the pseudo-autosomal regions are haploid. Every ALT is carried at
    least once, as in a VCF written from the cohort's own calls.
    """
    frequencies = site.frequencies[:, cohort.populations]  # alts x samples
    thresholds = np.cumsum(frequencies, axis=0).T  # samples x alts
    draws = rng.random((len(cohort.samples), 2))
    alleles = (draws[:, :, None] < thresholds[:, None, :]).argmax(axis=2) + 1
    alleles[draws >= thresholds[:, -1:]] = 0
    haploid = cohort.males if site.chrom == "chrX" else np.zeros(len(cohort.samples), dtype=bool)
    alleles[haploid, 1] = ABSENT
    if site.structural:
        rate = rng.uniform(0.02, 0.06)
    else:
        rate = rng.choice([0, 0.003, 0.01, 0.03], p=[0.3, 0.4, 0.2, 0.1])
    missing = rng.random(len(cohort.samples)) < rate
    alleles[missing, 0] = MISSING
    alleles[missing & ~haploid, 1] = MISSING
    for alt in range(1, len(site.alts) + 1):
        if (alleles == alt).any():
            continue
        home = int(site.frequencies[alt - 1].argmax())
        candidates = np.flatnonzero(
            (cohort.populations == home) & (alleles[:, 0] == 0) & (alleles[:, 1] <= 0)
        )
        chosen = int(candidates[int(rng.integers(len(candidates)))])
        alleles[chosen, 0 if haploid[chosen] else 1] = alt
    return alleles


def alt_allele_counts(alleles: np.ndarray, alt_count: int) -> list[int]:
    """How many times each ALT (1 .. ``alt_count``) is carried: INFO/AC."""
    return [int((alleles == alt).sum()) for alt in range(1, alt_count + 1)]
