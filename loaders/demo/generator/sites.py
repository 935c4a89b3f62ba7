"""Where the demo's variants are and what they change: non-overlapping sites in and around the
genes or anywhere on the contigs, their alleles, rs ids and per-population ALT frequencies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from loaders.demo.generator.annotation import FLANK
from loaders.demo.generator.grch38 import CONTIG_LENGTHS, GENES, X_NON_PAR
from loaders.demo.generator.populations import POPULATIONS
from loaders.demo.generator.reference import PseudoReference
from loaders.demo.generator.transcripts import Transcript

SHORT_SITES = 2_950
MULTIALLELIC_SHARE = 0.05
SHORT_KINDS = {"snv": 0.84, "mnv": 0.03, "deletion": 0.07, "insertion": 0.06}
IN_GENE_SHARE = 0.45  # of short sites, placed in or near one of GENES
PRIVATE_SHARE = 0.15  # of ALT alleles, seen in one population only
FST = 0.02  # Balding-Nichols divergence of each population from the shared frequency
SV_LENGTHS = {
    "DEL": (50, 100_000),
    "DUP": (500, 200_000),
    "INS": (50, 6_000),
    "CNV": (5_000, 500_000),
    "INV": (500, 50_000),
}
SV_PER_TYPE = 8
_TRANSITION = {"A": "G", "G": "A", "C": "T", "T": "C"}


@dataclass
class Site:
    """One VCF record before its genotypes: position, alleles, id and ALT frequencies."""

    chrom: str
    pos: int
    ref: str
    alts: tuple[str, ...]
    kind: str  # snv, mnv, deletion, insertion, multiallelic, known, or an SV type
    frequencies: np.ndarray  # ALT frequency per population: (len(alts), len(POPULATIONS))
    rs_id: str = "."
    end: int | None = None  # INFO END, structural variants only
    svlen: int | None = None

    @property
    def structural(self) -> bool:
        return self.end is not None

    def allele_end(self) -> int:
        """0-based exclusive end of every ALT of this record, as Beacon and htslib count it."""
        return self.end if self.end is not None else self.pos - 1 + len(self.ref)


class SitePlanner:
    """Draws non-overlapping sites: in and around GENES or anywhere on the chosen contigs."""

    def __init__(self, reference: PseudoReference, rng: np.random.Generator) -> None:
        self.reference = reference
        self.transcripts = [
            t for transcripts in reference.transcripts.values() for t in transcripts
        ]
        self.rng = rng
        self.taken: dict[str, set[int]] = {chrom: set() for chrom in CONTIG_LENGTHS}
        self.rs_ids: set[str] = {gene.known.rs_id for gene in GENES if gene.known}
        weights = np.array([CONTIG_LENGTHS[chrom] for chrom in CONTIG_LENGTHS], dtype=float)
        weights[list(CONTIG_LENGTHS).index("chrX")] *= 0.5  # fewer chrX calls, as usual
        self.contig_weights = weights / weights.sum()

    def reserve(self, chrom: str, first: int, last: int) -> bool:
        """Claim positions first..last (plus one base either side) if all are free."""
        wanted = range(first - 1, last + 2)
        if any(p in self.taken[chrom] for p in wanted):
            return False
        self.taken[chrom].update(wanted)
        return True

    def anywhere(self, chrom: str | None = None) -> tuple[str, int]:
        """A position on ``chrom`` or on a contig drawn by length, away from telomeres and PARs."""
        if chrom is None:
            chrom = list(CONTIG_LENGTHS)[
                int(self.rng.choice(len(CONTIG_LENGTHS), p=self.contig_weights))
            ]
        low, high = X_NON_PAR if chrom == "chrX" else (1_000_000, CONTIG_LENGTHS[chrom] - 1_000_000)
        return chrom, int(self.rng.integers(low, high))

    def in_gene(self, transcript: Transcript | None = None) -> tuple[str, int]:
        """A position in an exon, next to a splice site, in an intron or in a flank."""
        if transcript is None:
            transcript = self.transcripts[int(self.rng.integers(len(self.transcripts)))]
        count, draw = transcript.gene.exon_count, self.rng.random()
        if draw < 0.40:
            i = int(self.rng.integers(count))
            offset = transcript.exon_starts[i] + int(self.rng.integers(transcript.exon_lengths[i]))
        elif draw < 0.46:
            i = int(self.rng.integers(count - 1))
            distance = int(self.rng.integers(1, 9))
            if self.rng.random() < 0.5:
                offset = transcript.exon_starts[i] + transcript.exon_lengths[i] - 1 + distance
            else:
                offset = transcript.exon_starts[i + 1] - distance
        elif draw < 0.85:
            offset = int(self.rng.integers(transcript.span))
        elif draw < 0.925:
            offset = -int(self.rng.integers(1, FLANK + 1))
        else:
            offset = transcript.span - 1 + int(self.rng.integers(1, FLANK + 1))
        return transcript.gene.chrom, transcript.position(offset)

    def short_site(self, kind: str) -> Site:
        while True:
            chrom, pos = self.in_gene() if self.rng.random() < IN_GENE_SHARE else self.anywhere()
            ref, alts = self._alleles(kind, chrom, pos)
            if self.reserve(chrom, pos, pos + len(ref) - 1):
                break
        snv_like = kind == "snv" or (kind == "multiallelic" and len(ref) == 1)
        rs_id = self.new_rs_id() if self.rng.random() < (0.5 if snv_like else 0.25) else "."
        frequencies = population_frequencies(self.rng, len(alts))
        return Site(chrom, pos, ref, alts, kind, frequencies, rs_id)

    def structural_site(
        self, svtype: str, gene: Transcript | None = None, chrom: str | None = None
    ) -> Site:
        """A symbolic-ALT site starting in or near ``gene``, else anywhere (on ``chrom``)."""
        low, high = SV_LENGTHS[svtype]
        while True:
            chrom, pos = self.in_gene(gene) if gene else self.anywhere(chrom)
            length = round(10 ** self.rng.uniform(np.log10(low), np.log10(high)))
            end = pos if svtype == "INS" else pos + length
            clear = all(
                not (pos <= gene.known.pos <= end)
                for gene in GENES
                if gene.known and gene.chrom == chrom
            )
            if chrom == "chrX":
                clear = clear and X_NON_PAR[0] <= pos and end <= X_NON_PAR[1]
            if clear and self.reserve(chrom, pos, pos):
                break
        svlen = -length if svtype == "DEL" else length
        frequencies = population_frequencies(self.rng, 1)
        base = self.reference.base(chrom, pos)
        return Site(chrom, pos, base, (f"<{svtype}>",), svtype, frequencies, ".", end, svlen)

    def new_rs_id(self) -> str:
        """A made-up, well-formed, unique dbSNP-style id."""
        while True:
            rs_id = f"rs{int(self.rng.integers(1_000_000, 1_000_000_000))}"
            if rs_id not in self.rs_ids:
                self.rs_ids.add(rs_id)
                return rs_id

    def _alleles(self, kind: str, chrom: str, pos: int) -> tuple[str, tuple[str, ...]]:
        rng, reference = self.rng, self.reference
        if kind == "snv":
            ref = reference.base(chrom, pos)
            return ref, (_substitute(rng, ref),)
        if kind == "mnv":
            ref = reference.sequence(chrom, pos, int(rng.integers(2, 4)))
            return ref, ("".join(_substitute(rng, base) for base in ref),)
        if kind == "deletion":
            ref = reference.sequence(chrom, pos, 1 + _indel_length(rng))
            return ref, (ref[0],)
        if kind == "insertion":
            ref = reference.base(chrom, pos)
            return ref, (ref + _inserted_bases(rng, ref),)
        if rng.random() < 0.6:  # multi-allelic SNV: two or three different bases
            ref = reference.base(chrom, pos)
            others = [base for base in "ACGT" if base != ref]
            chosen = rng.permutation(len(others))[: 2 if rng.random() < 0.7 else 3]
            return ref, tuple(others[i] for i in sorted(chosen))
        ref = reference.sequence(chrom, pos, 1 + _indel_length(rng))
        alts = [ref[0], ref[0] + _inserted_bases(rng, ref[0]) + ref[1:]]
        if rng.random() < 0.3:
            alts.append(_substitute(rng, ref[0]) + ref[1:])
        return ref, tuple(alts)


def _substitute(rng: np.random.Generator, base: str) -> str:
    """Another base; transitions twice as likely as each transversion (Ti/Tv about 2)."""
    if rng.random() < 0.5:
        return _TRANSITION[base]
    transversions = [b for b in "ACGT" if b not in (base, _TRANSITION[base])]
    return transversions[int(rng.integers(2))]


def _indel_length(rng: np.random.Generator) -> int:
    return int(min(rng.geometric(0.45), 25))


def _inserted_bases(rng: np.random.Generator, anchor: str) -> str:
    length = _indel_length(rng)
    if rng.random() < 0.3:
        return anchor * length  # homopolymer run
    return "".join("ACGT"[i] for i in rng.integers(0, 4, length))


def population_frequencies(rng: np.random.Generator, alt_count: int) -> np.ndarray:
    """ALT frequencies per population: a shared frequency (mostly rare), drifted per population
    (Balding-Nichols), sometimes private to one population."""
    sizes = np.array([population.size for population in POPULATIONS], dtype=float)
    rows = []
    for _ in range(alt_count):
        draw = rng.random()
        if draw < 0.55:
            shared = 10 ** rng.uniform(-3, -2)
        elif draw < 0.8:
            shared = 10 ** rng.uniform(-2, -1.3)
        else:
            shared = rng.uniform(0.05, 0.5)
        scale = (1 - FST) / FST
        row = rng.beta(shared * scale, (1 - shared) * scale, size=len(POPULATIONS))
        if rng.random() < PRIVATE_SHARE:
            keep = int(rng.choice(len(POPULATIONS), p=sizes / sizes.sum()))
            row = np.where(np.arange(len(POPULATIONS)) == keep, max(row[keep], shared), 0.0)
        rows.append(row)
    frequencies = np.array(rows)
    total = frequencies.sum(axis=0)
    return frequencies * np.minimum(1.0, 0.95 / np.maximum(total, 1e-12))


def plan_sites(
    reference: PseudoReference, transcripts: Sequence[Transcript], rng: np.random.Generator
) -> list[Site]:
    """Every record of the VCF, sorted by contig and position."""
    planner = SitePlanner(reference, rng)
    sites = []
    for gene in GENES:
        if (known := gene.known) is not None:
            planner.reserve(gene.chrom, known.pos - 50, known.pos + 50)
            alts, frequencies = (known.alt,), np.array([known.frequencies])
            sites.append(
                Site(gene.chrom, known.pos, known.ref, alts, "known", frequencies, known.rs_id)
            )
    multiallelic = round(SHORT_SITES * MULTIALLELIC_SHARE)
    kinds = list(SHORT_KINDS)
    shares = np.array(list(SHORT_KINDS.values()))
    for i in range(SHORT_SITES):
        kind = "multiallelic" if i < multiallelic else kinds[int(rng.choice(len(kinds), p=shares))]
        sites.append(planner.short_site(kind))
    # Each SV type once on chr1, twice in or near a gene (a different gene each time).
    genes = [transcripts[int(i)] for i in rng.permutation(len(transcripts))]
    for svtype in SV_LENGTHS:
        sites.append(planner.structural_site(svtype, chrom="chr1"))
        sites.extend(planner.structural_site(svtype, gene=genes.pop()) for _ in range(2))
        sites.extend(planner.structural_site(svtype) for _ in range(SV_PER_TYPE - 3))
    order = list(CONTIG_LENGTHS)
    return sorted(sites, key=lambda site: (order.index(site.chrom), site.pos))
