"""The pseudo-reference that gives every synthetic record its REF bases."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from loaders.demo.generator.genetic_code import complement
from loaders.demo.generator.grch38 import CONTIG_LENGTHS
from loaders.demo.generator.transcripts import Transcript

_BACKGROUND_BASES = "AAAATTTTCCCGGG"  # about 43% GC


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
                return base if transcript.gene.strand == "+" else complement(base)
        mixed = _splitmix64((zlib.crc32(chrom.encode()) << 32) ^ pos)
        return _BACKGROUND_BASES[mixed % len(_BACKGROUND_BASES)]

    def sequence(self, chrom: str, pos: int, length: int) -> str:
        return "".join(self.base(chrom, pos + i) for i in range(length))


def _splitmix64(value: int) -> int:
    """SplitMix64's finaliser: background bases look random, yet never change between runs."""
    mask = (1 << 64) - 1
    value = (value + 0x9E3779B97F4A7C15) & mask
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & mask
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & mask
    return value ^ (value >> 31)
