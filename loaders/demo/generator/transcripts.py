"""The synthetic transcripts: exon layout, coding sequence, and the coordinate arithmetic
(genomic <-> transcript <-> CDS, HGVS c.) that the pseudo-reference and the annotation read."""

from __future__ import annotations

import bisect

import numpy as np

from loaders.demo.generator.genetic_code import SENSE_CODONS, STOP_CODONS, reverse_complement
from loaders.demo.generator.grch38 import Gene

MIN_CODING_EXON = 30
MIN_INTRON = 100


class Transcript:
    """One synthetic transcript per gene, in transcript coordinates (0 = the gene's 5' end).

    Only the span, strand, exon count and protein length are real; exon sizes and the coding
    sequence are drawn, except that a gene's known variant sits where the literature puts it.
    """

    def __init__(self, gene: Gene, exons: list[int], introns: list[int], utr5: int, cds: str):
        self.gene = gene
        self.exon_lengths = tuple(exons)
        starts, exonic, offset = [], [], 0
        for i, length in enumerate(exons):
            starts.append(offset)
            exonic.append(sum(exons[:i]))
            offset += length + (introns[i] if i < len(introns) else 0)
        self.exon_starts = tuple(starts)
        self.exonic_before = tuple(exonic)
        self.span = gene.end - gene.start + 1
        if offset != self.span:
            raise ValueError(f"{gene.symbol}: exons and introns cover {offset}, not {self.span}")
        self.utr5 = utr5
        self.cds = cds
        self.exonic_length = sum(exons)
        self.utr3 = self.exonic_length - utr5 - len(cds)

    def offset(self, pos: int) -> int:
        return pos - self.gene.start if self.gene.strand == "+" else self.gene.end - pos

    def position(self, offset: int) -> int:
        return self.gene.start + offset if self.gene.strand == "+" else self.gene.end - offset

    def exon_index(self, offset: int) -> int | None:
        i = bisect.bisect_right(self.exon_starts, offset) - 1
        inside = 0 <= offset < self.span and offset < self.exon_starts[i] + self.exon_lengths[i]
        return i if i >= 0 and inside else None

    def exonic_offset(self, offset: int) -> int | None:
        i = self.exon_index(offset)
        return None if i is None else self.exonic_before[i] + offset - self.exon_starts[i]

    def cds_index(self, offset: int) -> int | None:
        exonic = self.exonic_offset(offset)
        if exonic is None or not 0 <= exonic - self.utr5 < len(self.cds):
            return None
        return exonic - self.utr5

    def exon_span(self, i: int) -> tuple[int, int]:
        """Genomic first and last base of exon ``i``."""
        ends = (
            self.position(self.exon_starts[i]),
            self.position(self.exon_starts[i] + self.exon_lengths[i] - 1),
        )
        return min(ends), max(ends)

    def c_position(self, offset: int) -> str:
        """The HGVS c. coordinate of a transcript offset: 123, -45, *67, 123+4, 124-5."""
        if offset < 0:
            return f"-{self.utr5 - offset}"
        if offset >= self.span:
            return f"*{self.utr3 + offset - self.span + 1}"
        exonic = self.exonic_offset(offset)
        if exonic is not None:
            return self._c_exonic(exonic)
        i = bisect.bisect_right(self.exon_starts, offset) - 1
        donor = offset - (self.exon_starts[i] + self.exon_lengths[i] - 1)
        acceptor = self.exon_starts[i + 1] - offset
        if donor <= acceptor:
            return f"{self._c_exonic(self.exonic_before[i] + self.exon_lengths[i] - 1)}+{donor}"
        return f"{self._c_exonic(self.exonic_before[i + 1])}-{acceptor}"

    def _c_exonic(self, exonic: int) -> str:
        coding = exonic - self.utr5
        if coding < 0:
            return f"-{-coding}"
        if coding < len(self.cds):
            return str(coding + 1)
        return f"*{coding - len(self.cds) + 1}"


def _random_lengths(total: int, parts: int, rng: np.random.Generator, minimum: int) -> list[int]:
    """``parts`` random integers of at least ``minimum`` that sum to ``total``."""
    if parts == 0:
        if total:
            raise ValueError(f"{total} bases left over with nothing to put them in")
        return []
    spare = total - minimum * parts
    if spare < 0:
        raise ValueError(f"{total} bases cannot make {parts} pieces of at least {minimum}")
    weights = rng.random(parts) + 0.3
    pieces = [minimum + int(spare * w / weights.sum()) for w in weights]
    pieces[-1] += total - sum(pieces)
    return pieces


def build_transcript(gene: Gene, rng: np.random.Generator) -> Transcript:
    """Draw exon sizes and a coding sequence that fit the gene's span, exon count and protein
    length; around a known variant, lay them out so that it lands on its published c. position
    and codon (checked, since a wrong layout would silently misannotate it)."""
    count, cds_length = gene.exon_count, 3 * (gene.protein_length + 1)
    span = gene.end - gene.start + 1
    utr5 = int(rng.integers(60, 300))
    known = gene.known
    if known is None:
        coding = _random_lengths(cds_length, count, rng, MIN_CODING_EXON)
        utr3 = int(rng.integers(200, 1500))
        exons = [coding[0] + utr5, *coding[1:-1], coding[-1] + utr3]
        introns = _random_lengths(span - sum(exons), count - 1, rng, MIN_INTRON)
    else:
        # Lay the exons out around the known variant: its exon, CDS position and genomic offset.
        k, before, after = known.exon, known.cds_pos - 1, cds_length - known.cds_pos
        lead = before if k == 1 else int(rng.integers(0, min(60, before - 30 * (k - 1)) + 1))
        tail = after if k == count else int(rng.integers(0, min(60, after - 30 * (count - k)) + 1))
        coding = [
            *_random_lengths(before - lead, k - 1, rng, MIN_CODING_EXON),
            lead + 1 + tail,
            *_random_lengths(after - tail, count - k, rng, MIN_CODING_EXON),
        ]
        anchor = known.pos - gene.start if gene.strand == "+" else gene.end - known.pos
        introns_before = anchor - (utr5 + before)
        utr3 = span - introns_before - utr5 - cds_length if k == count else 0
        utr3 = utr3 or int(rng.integers(200, 1500))
        exons = [coding[0] + utr5, *coding[1:-1], coding[-1] + utr3]
        introns = [
            *_random_lengths(introns_before, k - 1, rng, MIN_INTRON),
            *_random_lengths(span - sum(exons) - introns_before, count - k, rng, MIN_INTRON),
        ]
    codons = [SENSE_CODONS[i] for i in rng.integers(0, len(SENSE_CODONS), gene.protein_length)]
    codons[0] = "ATG"
    codons.append(STOP_CODONS[int(rng.integers(0, len(STOP_CODONS)))])
    if known is not None:
        codons[(known.cds_pos - 1) // 3] = known.codon
    transcript = Transcript(gene, exons, introns, utr5, "".join(codons))
    if known is not None:
        index = transcript.cds_index(transcript.offset(known.pos))
        base = known.ref if gene.strand == "+" else reverse_complement(known.ref)
        if index != known.cds_pos - 1 or transcript.cds[index] != base:
            raise ValueError(f"{gene.symbol}: {known.rs_id} is not at c.{known.cds_pos}")
    return transcript
