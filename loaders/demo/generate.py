"""Writes the bundled demo data: a synthetic GRCh38 cohort VCF and the files that describe it.

No real person is in it. Real GRCh38 facts are kept where a user will check them: contig lengths,
approximate gene coordinates, exon counts and protein lengths, and four well-known variants at
their true positions (ALDH2 rs671, CYP2C19*2 rs4244285, NUDT15 rs116855232, MTHFR rs1801133).
Everything else (exon layouts, coding sequences, the other variants, every genotype, the other rs
ids) is drawn from fixed seeds, so the output is byte-identical from run to run and the tests
regenerate it and compare.

    python -m loaders.demo.generate [OUTDIR]      # default: loaders/demo/data
"""

from __future__ import annotations

import bisect
import tempfile
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import click
import numpy as np
import pysam
import yaml

from loaders.demo.load import EXAMPLE_QUERIES

SEED = 20250101
FILE_DATE = "20250101"
TIMESTAMP = "2025-01-01T00:00:00Z"
DATASET_ID = "asia-demo-grch38"
HOSTING_COUNTRY = "TH"
VCF_NAME = "demo.vcf.gz"

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
FLANK = 5_000  # up/downstream_gene_variant reach, as SnpEff's default
MIN_CODING_EXON = 30
MIN_INTRON = 100


@dataclass(frozen=True)
class Population:
    name: str
    prefix: str  # sample ids are <prefix>0001, <prefix>0002, ...
    country: str  # ISO 3166-1 alpha-2
    size: int


POPULATIONS = (
    Population("Thai", "TH", "TH", 80),
    Population("Japanese", "JP", "JP", 60),
    Population("Korean", "KR", "KR", 50),
    Population("Han Chinese", "CN", "CN", 60),
    Population("Malay", "MY", "MY", 50),
)

CONTIG_LENGTHS = {
    "chr1": 248_956_422,
    "chr10": 133_797_422,
    "chr12": 133_275_309,
    "chr13": 114_364_328,
    "chr17": 83_257_441,
    "chrX": 156_040_895,
}
X_NON_PAR = (2_781_480, 155_701_382)  # male chrX calls here are haploid


@dataclass(frozen=True)
class KnownVariant:
    """A real variant at its true GRCh38 position; the frequencies are plausible, not measured."""

    rs_id: str
    pos: int
    ref: str
    alt: str
    cds_pos: int  # HGVS c. position on the transcript
    exon: int  # 1-based exon holding it
    codon: str  # the reference codon it falls in, 5'->3' on the transcript
    frequencies: tuple[float, ...]  # ALT frequency per population, in POPULATIONS order


@dataclass(frozen=True)
class Gene:
    symbol: str
    gene_id: str
    transcript_id: str
    chrom: str
    start: int
    end: int
    strand: str
    exon_count: int
    protein_length: int
    known: KnownVariant | None = None


# Published frequencies guided these (ALDH2*2 is common only in East Asia); they are not measured.
RS1801133 = KnownVariant(
    "rs1801133", 11_796_321, "G", "A", 665, 5, "GCC", (0.15, 0.36, 0.37, 0.40, 0.12)
)
RS4244285 = KnownVariant(
    "rs4244285", 94_781_859, "G", "A", 681, 5, "CCG", (0.29, 0.28, 0.28, 0.31, 0.27)
)
RS671 = KnownVariant(
    "rs671", 111_803_962, "G", "A", 1510, 12, "GAA", (0.07, 0.24, 0.17, 0.18, 0.03)
)
RS116855232 = KnownVariant(
    "rs116855232", 48_045_719, "C", "T", 415, 3, "CGT", (0.11, 0.07, 0.10, 0.10, 0.07)
)
# Approximate GRCh38 spans (NCBI Gene / Ensembl), real exon counts and protein lengths.
GENES = (
    Gene("MTHFR", "ENSG00000177000", "ENST00000376590", "chr1", 11_785_723, 11_806_455, "-",
         12, 656, RS1801133),
    Gene("MUTYH", "ENSG00000132781", "ENST00000372098", "chr1", 45_329_242, 45_340_440, "-",
         16, 546),
    Gene("PCSK9", "ENSG00000169174", "ENST00000302118", "chr1", 55_039_548, 55_064_852, "+",
         12, 692),
    Gene("PTEN", "ENSG00000171862", "ENST00000371953", "chr10", 87_863_113, 87_971_930, "+",
         9, 403),
    Gene("CYP2C19", "ENSG00000165841", "ENST00000371321", "chr10", 94_762_681, 94_855_547, "+",
         9, 490, RS4244285),
    Gene("CYP2C9", "ENSG00000138109", "ENST00000260682", "chr10", 94_938_658, 94_990_091, "+",
         9, 490),
    Gene("KRAS", "ENSG00000133703", "ENST00000256078", "chr12", 25_205_246, 25_250_936, "-",
         6, 189),
    Gene("ALDH2", "ENSG00000111275", "ENST00000261733", "chr12", 111_766_887, 111_817_529, "+",
         13, 517, RS671),
    Gene("BRCA2", "ENSG00000139618", "ENST00000380152", "chr13", 32_315_508, 32_400_268, "+",
         27, 3418),
    Gene("NUDT15", "ENSG00000136159", "ENST00000258662", "chr13", 48_037_726, 48_047_221, "+",
         3, 164, RS116855232),
    Gene("RB1", "ENSG00000139687", "ENST00000267163", "chr13", 48_303_747, 48_481_890, "+",
         27, 928),
    Gene("TP53", "ENSG00000141510", "ENST00000269305", "chr17", 7_661_779, 7_687_538, "-",
         11, 393),
    Gene("BRCA1", "ENSG00000012048", "ENST00000357654", "chr17", 43_044_295, 43_125_483, "-",
         23, 1863),
    Gene("DMD", "ENSG00000198947", "ENST00000357033", "chrX", 31_097_677, 33_339_441, "-",
         79, 3685),
    Gene("G6PD", "ENSG00000160211", "ENST00000393562", "chrX", 154_531_390, 154_547_572, "-",
         13, 515),
)  # fmt: skip

ANN_FIELDS = (
    "Allele", "Annotation", "Annotation_Impact", "Gene_Name", "Gene_ID", "Feature_Type",
    "Feature_ID", "Transcript_BioType", "Rank", "HGVS.c", "HGVS.p", "cDNA.pos / cDNA.length",
    "CDS.pos / CDS.length", "AA.pos / AA.length", "Distance", "ERRORS / WARNINGS / INFO",
)  # fmt: skip
ANN_DESCRIPTION = "Functional annotations: '" + " | ".join(ANN_FIELDS) + "' "

_CODON_BASES = "TCAG"
_CODON_AMINO_ACIDS = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
CODON_TABLE = {
    first + second + third: _CODON_AMINO_ACIDS[16 * i + 4 * j + k]
    for i, first in enumerate(_CODON_BASES)
    for j, second in enumerate(_CODON_BASES)
    for k, third in enumerate(_CODON_BASES)
}
SENSE_CODONS = tuple(sorted(codon for codon, amino in CODON_TABLE.items() if amino != "*"))
STOP_CODONS = ("TAA", "TAG", "TGA")
THREE_LETTER = {
    "A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu",
    "G": "Gly", "H": "His", "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe",
    "P": "Pro", "S": "Ser", "T": "Thr", "W": "Trp", "Y": "Tyr", "V": "Val", "*": "Ter",
}  # fmt: skip
_COMPLEMENT = str.maketrans("ACGT", "TGCA")
_TRANSITION = {"A": "G", "G": "A", "C": "T", "T": "C"}
_BACKGROUND_BASES = "AAAATTTTCCCGGG"  # about 43% GC


def reverse_complement(bases: str) -> str:
    return bases.translate(_COMPLEMENT)[::-1]


def translate(coding: str) -> str:
    return "".join(CODON_TABLE[coding[i : i + 3]] for i in range(0, len(coding) - 2, 3))


# --- synthetic transcripts and reference -------------------------------------------------------


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


def _split(total: int, parts: int, rng: np.random.Generator, minimum: int) -> list[int]:
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
    count, cds_length = gene.exon_count, 3 * (gene.protein_length + 1)
    span = gene.end - gene.start + 1
    utr5 = int(rng.integers(60, 300))
    known = gene.known
    if known is None:
        coding = _split(cds_length, count, rng, MIN_CODING_EXON)
        utr3 = int(rng.integers(200, 1500))
        exons = [coding[0] + utr5, *coding[1:-1], coding[-1] + utr3]
        introns = _split(span - sum(exons), count - 1, rng, MIN_INTRON)
    else:
        # Lay the exons out around the known variant: its exon, CDS position and genomic offset.
        k, before, after = known.exon, known.cds_pos - 1, cds_length - known.cds_pos
        lead = before if k == 1 else int(rng.integers(0, min(60, before - 30 * (k - 1)) + 1))
        tail = after if k == count else int(rng.integers(0, min(60, after - 30 * (count - k)) + 1))
        coding = [
            *_split(before - lead, k - 1, rng, MIN_CODING_EXON),
            lead + 1 + tail,
            *_split(after - tail, count - k, rng, MIN_CODING_EXON),
        ]
        anchor = known.pos - gene.start if gene.strand == "+" else gene.end - known.pos
        introns_before = anchor - (utr5 + before)
        utr3 = span - introns_before - utr5 - cds_length if k == count else 0
        utr3 = utr3 or int(rng.integers(200, 1500))
        exons = [coding[0] + utr5, *coding[1:-1], coding[-1] + utr3]
        introns = [
            *_split(introns_before, k - 1, rng, MIN_INTRON),
            *_split(span - sum(exons) - introns_before, count - k, rng, MIN_INTRON),
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


class PseudoReference:
    """Reference bases without a FASTA: coding bases from the transcripts, the rest hashed.

    A position always gets the same base, so overlapping records agree on REF.
    """

    def __init__(self, transcripts: Sequence[Transcript]) -> None:
        self.transcripts: dict[str, list[Transcript]] = {chrom: [] for chrom in CONTIG_LENGTHS}
        for transcript in transcripts:
            self.transcripts[transcript.gene.chrom].append(transcript)

    def base(self, chrom: str, pos: int) -> str:
        for transcript in self.transcripts[chrom]:
            index = transcript.cds_index(transcript.offset(pos))
            if index is not None:
                base = transcript.cds[index]
                return base if transcript.gene.strand == "+" else base.translate(_COMPLEMENT)
        mixed = _splitmix64((zlib.crc32(chrom.encode()) << 32) ^ pos)
        return _BACKGROUND_BASES[mixed % len(_BACKGROUND_BASES)]

    def sequence(self, chrom: str, pos: int, length: int) -> str:
        return "".join(self.base(chrom, pos + i) for i in range(length))


def _splitmix64(value: int) -> int:
    mask = (1 << 64) - 1
    value = (value + 0x9E3779B97F4A7C15) & mask
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & mask
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & mask
    return value ^ (value >> 31)


# --- SnpEff-style functional annotation ------------------------------------------------------


def _ann_entry(allele: str, effect: str, impact: str, transcript: Transcript, *fields: str) -> str:
    """One ANN entry; ``fields`` fill Rank .. Distance in ANN_FIELDS order, the rest stay empty."""
    gene = transcript.gene
    values = [allele, effect, impact, gene.symbol, gene.gene_id, "transcript"]
    values += [gene.transcript_id, "protein_coding", *fields]
    return "|".join(values + [""] * (len(ANN_FIELDS) - len(values)))


def trimmed_change(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """The change without shared trailing, then leading, bases: an insertion has empty REF and
    goes between ``pos - 1`` and ``pos``."""
    while ref and alt and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while ref and alt and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return pos, ref, alt


def annotate_allele(
    transcript: Transcript, allele: str, pos: int, ref: str, alt: str
) -> str | None:
    """The ANN entry of one sequence ALT on one transcript, or None beyond the flanks."""
    pos, ref, alt = trimmed_change(pos, ref, alt)
    positions = range(pos, pos + len(ref)) if ref else (pos - 1, pos)
    offsets = sorted(transcript.offset(p) for p in positions)
    forward = transcript.gene.strand == "+"
    ref_t, alt_t = (ref, alt) if forward else (reverse_complement(ref), reverse_complement(alt))
    hgvs_c = _hgvs_c(transcript, offsets, ref_t, alt_t)
    inside = [offset for offset in offsets if 0 <= offset < transcript.span]
    if not inside:
        upstream = offsets[-1] < 0
        distance = -offsets[-1] if upstream else offsets[0] - transcript.span + 1
        if distance > FLANK:
            return None
        effect = "upstream_gene_variant" if upstream else "downstream_gene_variant"
        return _ann_entry(
            allele, effect, "MODIFIER", transcript, "", hgvs_c, "", "", "", "", str(distance)
        )
    exon = transcript.exon_index(inside[0])
    if exon is None:
        return _intron_entry(transcript, allele, inside, hgvs_c)
    rank = f"{exon + 1}/{transcript.gene.exon_count}"
    exonic = transcript.exonic_offset(inside[0])
    cdna = f"{exonic + 1}/{transcript.exonic_length}"
    coding = exonic - transcript.utr5
    if coding < 0 or coding >= len(transcript.cds):
        effect = "5_prime_UTR_variant" if coding < 0 else "3_prime_UTR_variant"
        return _ann_entry(allele, effect, "MODIFIER", transcript, rank, hgvs_c, "", cdna)
    effect, impact, hgvs_p = _coding_effect(transcript, inside, ref_t, alt_t, coding)
    cds = f"{coding + 1}/{len(transcript.cds)}"
    protein = f"{coding // 3 + 1}/{transcript.gene.protein_length}"
    return _ann_entry(allele, effect, impact, transcript, rank, hgvs_c, hgvs_p, cdna, cds, protein)


def _hgvs_c(transcript: Transcript, offsets: list[int], ref_t: str, alt_t: str) -> str:
    first, last = transcript.c_position(offsets[0]), transcript.c_position(offsets[-1])
    if not ref_t:
        return f"c.{first}_{last}ins{alt_t}"
    where = first if len(offsets) == 1 else f"{first}_{last}"
    if not alt_t:
        return f"c.{where}del{ref_t}"
    if len(ref_t) == len(alt_t) == 1:
        return f"c.{first}{ref_t}>{alt_t}"
    return f"c.{where}del{ref_t}ins{alt_t}"


def _intron_entry(transcript: Transcript, allele: str, inside: list[int], hgvs_c: str) -> str:
    i = bisect.bisect_right(transcript.exon_starts, inside[0]) - 1
    nearest, side = FLANK, "donor"
    for offset in inside:
        if transcript.exon_index(offset) is not None:
            continue
        j = bisect.bisect_right(transcript.exon_starts, offset) - 1
        donor = offset - (transcript.exon_starts[j] + transcript.exon_lengths[j] - 1)
        acceptor = transcript.exon_starts[j + 1] - offset
        if min(donor, acceptor) < nearest:
            nearest, side = min(donor, acceptor), "donor" if donor <= acceptor else "acceptor"
    if nearest <= 2:
        effect, impact = f"splice_{side}_variant&intron_variant", "HIGH"
    elif nearest <= 8:
        effect, impact = "splice_region_variant&intron_variant", "LOW"
    else:
        effect, impact = "intron_variant", "MODIFIER"
    rank = f"{i + 1}/{transcript.gene.exon_count - 1}"
    return _ann_entry(allele, effect, impact, transcript, rank, hgvs_c)


def _three(amino_acids: str) -> str:
    return "".join(THREE_LETTER[amino] for amino in amino_acids)


def _coding_effect(
    transcript: Transcript, inside: list[int], ref_t: str, alt_t: str, coding: int
) -> tuple[str, str, str]:
    """Sequence Ontology effect, impact and HGVS.p (3-letter) of a change starting in the CDS."""
    cds, length = transcript.cds, transcript.gene.protein_length
    codon = coding // 3
    amino = CODON_TABLE[cds[3 * codon : 3 * codon + 3]]
    if len(ref_t) != len(alt_t):
        if codon >= length:
            return "stop_lost", "HIGH", f"p.Ter{codon + 1}ext*?"
        change = abs(len(alt_t) - len(ref_t))
        if change % 3:
            return "frameshift_variant", "HIGH", f"p.{_three(amino)}{codon + 1}fs"
        if not alt_t:
            last = min(codon + change // 3, length) - 1
            last_amino = CODON_TABLE[cds[3 * last : 3 * last + 3]]
            where = f"{_three(amino)}{codon + 1}" + (
                f"_{_three(last_amino)}{last + 1}" if last > codon else ""
            )
            return "inframe_deletion", "MODERATE", f"p.{where}del"
        if not ref_t:
            following = CODON_TABLE[cds[3 * codon + 3 : 3 * codon + 6]]
            inserted = _three(translate(alt_t))
            where = f"{_three(amino)}{codon + 1}_{_three(following)}{codon + 2}"
            return "inframe_insertion", "MODERATE", f"p.{where}ins{inserted}"
        return "protein_altering_variant", "MODERATE", ""
    mutated = list(cds)
    changed = []
    for offset, base in zip(inside, alt_t, strict=False):
        index = transcript.cds_index(offset)
        if index is not None:
            mutated[index] = base
            changed.append(index // 3)
    first, last = min(changed), max(changed)
    before = translate(cds[3 * first : 3 * last + 3])
    after = translate("".join(mutated[3 * first : 3 * last + 3]))
    where = f"{_three(before[0])}{first + 1}"
    if before == after:
        effect = "stop_retained_variant" if before[-1] == "*" else "synonymous_variant"
        return effect, "LOW", f"p.{where}{_three(before[0])}"
    if first == 0 and after[0] != "M":
        return "start_lost", "HIGH", "p.Met1?"
    if before[-1] == "*" and after[-1] != "*":
        return "stop_lost", "HIGH", f"p.Ter{last + 1}{_three(after[-1])}ext*?"
    if "*" in after:
        return "stop_gained", "HIGH", f"p.{where}*"
    if first == last:
        return "missense_variant", "MODERATE", f"p.{where}{_three(after)}"
    span = f"{where}_{_three(before[-1])}{last + 1}"
    return "missense_variant", "MODERATE", f"p.{span}delins{_three(after)}"


_SV_EXON_EFFECTS = {
    "DEL": "exon_loss_variant",
    "DUP": "duplication",
    "INV": "inversion",
    "CNV": "copy_number_change",
}


def annotate_structural(
    transcript: Transcript, allele: str, svtype: str, pos: int, end: int, svlen: int
) -> str | None:
    """An ANN entry for a symbolic ALT overlapping the gene; None when it does not."""
    gene = transcript.gene
    first, last = (pos, pos) if svtype == "INS" else (pos + 1, end)
    if last < gene.start or first > gene.end:
        return None
    exons = [
        i
        for i in range(gene.exon_count)
        if transcript.exon_span(i)[0] <= last and transcript.exon_span(i)[1] >= first
    ]
    if svtype == "DEL" and first <= gene.start and last >= gene.end:
        return _ann_entry(allele, "transcript_ablation", "HIGH", transcript)
    if not exons:
        return _ann_entry(allele, "intron_variant", "MODIFIER", transcript)
    rank = f"{min(exons) + 1}/{gene.exon_count}"
    if svtype == "INS":
        effect, impact = (
            ("frameshift_variant", "HIGH") if svlen % 3 else ("inframe_insertion", "MODERATE")
        )
        return _ann_entry(allele, effect, impact, transcript, rank)
    return _ann_entry(allele, _SV_EXON_EFFECTS[svtype], "HIGH", transcript, rank)


# --- sites: where the variants are and what they change ---------------------------------------


@dataclass
class Site:
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


# --- samples and genotypes ---------------------------------------------------------------------


@dataclass(frozen=True)
class Cohort:
    samples: tuple[str, ...]
    populations: np.ndarray  # index into POPULATIONS, per sample
    males: np.ndarray  # bool per sample


def make_cohort(rng: np.random.Generator) -> Cohort:
    samples = [f"{p.prefix}{n:04d}" for p in POPULATIONS for n in range(1, p.size + 1)]
    populations = np.repeat(np.arange(len(POPULATIONS)), [p.size for p in POPULATIONS])
    return Cohort(tuple(samples), populations, rng.random(len(samples)) < 0.5)


ABSENT, MISSING = -2, -1  # second allele of a haploid call; a missing allele


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


def genotype_text(alleles: np.ndarray, phased: bool) -> list[str]:
    texts = []
    for first, second in alleles.tolist():
        if second == ABSENT:
            texts.append("." if first == MISSING else str(first))
        elif first == MISSING:
            texts.append("./.")
        elif phased:
            texts.append(f"{first}|{second}")
        else:
            texts.append(f"{min(first, second)}/{max(first, second)}")
    return texts


# --- the whole demo: records, then the files ---------------------------------------------------


@dataclass
class Record:
    site: Site
    alleles: np.ndarray
    annotations: list[list[str]]  # ANN entries per ALT
    line: str

    def allele_counts(self) -> list[int]:
        return [int((self.alleles == alt).sum()) for alt in range(1, len(self.site.alts) + 1)]

    def genes(self, alt_index: int) -> set[str]:
        return {entry.split("|")[3] for entry in self.annotations[alt_index]}


def build_records(seed: int = SEED) -> tuple[Cohort, list[Record]]:
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
            _annotations(reference.transcripts[site.chrom], site, alt) for alt in site.alts
        ]
        record = Record(site, alleles, annotations, "")
        quality = 30 + sum(record.allele_counts()) * genotype_rng.uniform(20, 60)
        record.line = _vcf_line(record, genotype_text(alleles, phased), quality)
        records.append(record)
    return cohort, records


def _annotations(transcripts: Sequence[Transcript], site: Site, alt: str) -> list[str]:
    entries = []
    for transcript in transcripts:
        if site.structural:
            entry = annotate_structural(transcript, alt, site.kind, site.pos, site.end, site.svlen)
        else:
            entry = annotate_allele(transcript, alt, site.pos, site.ref, alt)
        if entry is not None:
            entries.append(entry)
    return entries


def _vcf_line(record: Record, genotypes: list[str], quality: float) -> str:
    site, counts = record.site, record.allele_counts()
    number = int((record.alleles >= 0).sum())
    info = [
        f"AC={','.join(map(str, counts))}",
        f"AF={','.join(f'{count / number:.4g}' for count in counts)}",
        f"AN={number}",
    ]
    if site.structural:
        info += [f"SVTYPE={site.kind}", f"SVLEN={site.svlen}", f"END={site.end}"]
    entries = [entry for entries in record.annotations for entry in entries]
    if entries:
        info.append("ANN=" + ",".join(entries))
    columns = [site.chrom, str(site.pos), site.rs_id, site.ref, ",".join(site.alts)]
    columns += [f"{quality:.2f}", "PASS", ";".join(info), "GT", *genotypes]
    return "\t".join(columns)


def vcf_header(samples: Sequence[str]) -> list[str]:
    lines = [
        "##fileformat=VCFv4.2",
        f"##fileDate={FILE_DATE}",
        f"##source=asia-beacon loaders/demo/generate.py (synthetic data, seed {SEED})",
        "##reference=GRCh38",
        *(f"##contig=<ID={c},length={n},assembly=GRCh38>" for c, n in CONTIG_LENGTHS.items()),
        '##ALT=<ID=DEL,Description="Deletion relative to the reference">',
        '##ALT=<ID=DUP,Description="Region of elevated copy number relative to the reference">',
        '##ALT=<ID=INS,Description="Insertion of novel sequence relative to the reference">',
        '##ALT=<ID=CNV,Description="Copy number variable region">',
        '##ALT=<ID=INV,Description="Inversion of reference sequence">',
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##INFO=<ID=AC,Number=A,Type=Integer,Description="Allele count in genotypes, for each '
        'ALT allele, in the same order as listed">',
        '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency, for each ALT allele, '
        'in the same order as listed (AC/AN)">',
        '##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles in called '
        'genotypes">',
        '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">',
        '##INFO=<ID=SVLEN,Number=.,Type=Integer,Description="Difference in length between REF '
        'and ALT alleles">',
        '##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the variant '
        'described in this record">',
        f'##INFO=<ID=ANN,Number=.,Type=String,Description="{ANN_DESCRIPTION}">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "\t".join(
            ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples]
        ),
    ]
    return lines


def write_vcf(path: Path, cohort: Cohort, records: Sequence[Record]) -> None:
    """bgzip with htslib (via pysam) and index with tabix; the plain text never stays around."""
    text = "\n".join([*vcf_header(cohort.samples), *(r.line for r in records)]) + "\n"
    with tempfile.TemporaryDirectory() as scratch:
        plain = Path(scratch) / "demo.vcf"
        plain.write_text(text, encoding="ascii")
        pysam.tabix_compress(str(plain), str(path), force=True)
    pysam.tabix_index(str(path), preset="vcf", force=True)


def populations_tsv(cohort: Cohort) -> str:
    lines = ["sample\tpopulation\tcountry"]
    for sample, index in zip(cohort.samples, cohort.populations.tolist(), strict=True):
        population = POPULATIONS[index]
        lines.append(f"{sample}\t{population.name}\t{population.country}")
    return "\n".join(lines) + "\n"


def dataset_record(cohort: Cohort, records: Sequence[Record]) -> dict:
    """The Beacon v2 dataset record (default model) plus our ``country`` and ``populations``."""
    names = ", ".join(population.name for population in POPULATIONS)
    return {
        "id": DATASET_ID,
        "name": "asia-beacon demo: synthetic Asian cohort (GRCh38)",
        "description": (
            "Synthetic demo data generated by asia-beacon (loaders/demo/generate.py): "
            f"{len(records)} GRCh38 variant records and {len(cohort.samples)} made-up samples "
            f"from five Asian populations ({names}). No real people; not for research."
        ),
        "version": "1.0.0",
        "createDateTime": TIMESTAMP,
        "updateDateTime": TIMESTAMP,
        "dataUseConditions": {
            "duoDataUse": [
                {"id": "DUO:0000042", "label": "general research use", "version": "2022-03-23"}
            ]
        },
        "country": HOSTING_COUNTRY,
        "populations": [population.name for population in POPULATIONS],
    }


def datasets_yaml(cohort: Cohort, records: Sequence[Record]) -> str:
    body = yaml.safe_dump([dataset_record(cohort, records)], sort_keys=False, width=100)
    return "# Written by loaders/demo/generate.py; edit the generator, not this file.\n" + body


def example_query_parameters(path_and_query: str) -> dict[str, str]:
    """The request parameters of one of the demo's example GET queries."""
    return dict(parse_qsl(urlsplit(path_and_query).query))


def matching_alleles(
    records: Sequence[Record], parameters: dict[str, str]
) -> list[tuple[int, int]]:
    """(record, ALT) pairs a Beacon query matches: exact start, or overlap when ``end`` is given."""
    found = []
    for number, record in enumerate(records):
        site = record.site
        chrom = site.chrom.removeprefix("chr")
        if parameters.get("referenceName", chrom) != chrom:
            continue
        start, end = site.pos - 1, site.allele_end()
        if "start" in parameters:
            low = int(parameters["start"])
            if "end" in parameters:
                if not (start < int(parameters["end"]) and end > low):
                    continue
            elif start != low:
                continue
        if parameters.get("referenceBases", site.ref) != site.ref:
            continue
        for alt_index, alt in enumerate(site.alts):
            if parameters.get("alternateBases", alt) != alt:
                continue
            if "geneId" in parameters and parameters["geneId"] not in record.genes(alt_index):
                continue
            found.append((number, alt_index))
    return found


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
    return README.format(
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


README = """\
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
  (the hosting country) and `populations` fields.

## Samples

{samples} made-up samples, {males} male and {females} female: males have haploid calls on chrX
outside the pseudo-autosomal regions (sex is not listed anywhere else).

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


def default_data_dir() -> Path:
    return Path(__file__).resolve().parent / "data"


def write_demo_data(outdir: Path) -> tuple[Cohort, list[Record]]:
    """Write all five demo files (VCF, its index, TSV, YAML, README) into ``outdir``."""
    cohort, records = build_records()
    outdir.mkdir(parents=True, exist_ok=True)
    write_vcf(outdir / VCF_NAME, cohort, records)
    (outdir / "populations.tsv").write_text(populations_tsv(cohort), encoding="utf-8")
    (outdir / "datasets.yaml").write_text(datasets_yaml(cohort, records), encoding="utf-8")
    (outdir / "README.md").write_text(demo_readme(cohort, records), encoding="utf-8")
    return cohort, records


@click.command()
@click.argument("outdir", required=False, type=click.Path(file_okay=False, path_type=Path))
def main(outdir: Path | None) -> None:
    """Write the demo VCF, its tabix index, populations.tsv, datasets.yaml and README.md."""
    target = outdir or default_data_dir()
    cohort, records = write_demo_data(target)
    click.echo(f"{target}: {len(records)} records, {len(cohort.samples)} samples")


if __name__ == "__main__":
    main()
