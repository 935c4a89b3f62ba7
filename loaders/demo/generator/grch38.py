"""The real GRCh38 facts the demo keeps, because a user will check them: contig lengths, the chrX
pseudo-autosomal boundaries, approximate gene spans with their real exon counts and protein
lengths, and four well-known variants at their true positions.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    """A gene as the demo annotates it: one transcript, and the real variant in it, if any."""

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
