"""The standard genetic code and strand arithmetic, to build and read synthetic transcripts."""

from __future__ import annotations

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


def complement(bases: str) -> str:
    return bases.translate(_COMPLEMENT)


def reverse_complement(bases: str) -> str:
    return complement(bases)[::-1]


def translate(coding: str) -> str:
    """One-letter amino acids of a coding sequence read in frame from its first base."""
    return "".join(CODON_TABLE[coding[i : i + 3]] for i in range(0, len(coding) - 2, 3))


def three_letter(amino_acids: str) -> str:
    """One-letter amino acids spelled as HGVS.p wants them: ``MK*`` -> ``MetLysTer``."""
    return "".join(THREE_LETTER[amino] for amino in amino_acids)
