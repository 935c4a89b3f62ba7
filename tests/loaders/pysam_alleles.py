"""An independent reading of a VCF's alleles and genotypes with pysam, for the loader tests.

It shares no code with the loader: it walks pysam's parsed records and asks every sample for
its GT (slow, which is why the loader does not do it), then counts plainly.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

import pysam

SKIPPED_ALTS = ("*", ".")


@dataclass(frozen=True)
class ExpectedAllele:
    chrom: str
    pos: int
    ref: str
    alt: str
    stop: int  # pysam's end of the record (htslib's rlen from END, SVLEN or REF)
    allele_count: int | None
    allele_number: int | None
    carriers: tuple[tuple[str, str], ...]  # (sample, zygosity label), in sample order
    ids: tuple[str, ...] = ()  # the ID column's identifiers


def _zygosity(gt: tuple, alt_index: int) -> str:
    if len(gt) == 1:
        return "hemizygous"
    if all(allele == alt_index for allele in gt):
        return "homozygous"
    return "heterozygous"


def _info_counts(record: pysam.VariantRecord) -> tuple[tuple | None, int | None]:
    """INFO AC (all ALTs, read once: pysam decodes the whole list on every access) and AN."""
    counts = record.info.get("AC") if "AC" in record.header.info else None
    number = record.info.get("AN") if "AN" in record.header.info else None
    return counts, number


def expected_alleles(path: str, max_records: int | None = None) -> list[ExpectedAllele]:
    """One entry per ALT allele in file order; ``*``, ``.`` and alleles known to be carried by
    no one (no called genotype holds them, or INFO AC=0) are skipped."""
    found = []
    with pysam.VariantFile(path) as vcf:
        for record in islice(vcf, max_records):
            genotypes = None
            info_counts, info_number = _info_counts(record)
            if "GT" in record.format:
                genotypes = [(name, sample["GT"]) for name, sample in record.samples.items()]
            for alt_index, alt in enumerate(record.alts or (), 1):
                if alt in SKIPPED_ALTS:
                    continue
                if genotypes is None:
                    count = info_counts[alt_index - 1] if info_counts is not None else None
                    number = info_number
                    carriers: tuple[tuple[str, str], ...] = ()
                else:
                    count = sum(gt.count(alt_index) for _, gt in genotypes)
                    number = sum(allele is not None for _, gt in genotypes for allele in gt)
                    carriers = tuple(
                        (name, _zygosity(gt, alt_index))
                        for name, gt in genotypes
                        if alt_index in gt
                    )
                if count == 0 and (number or genotypes is None):
                    continue
                found.append(
                    ExpectedAllele(
                        record.chrom,
                        record.pos,
                        record.ref,
                        alt,
                        record.stop,
                        count,
                        number,
                        carriers,
                        tuple(i for i in (record.id or "").split(";") if i and i != "."),
                    )
                )
    return found


def alt_allele_count(path: str) -> int:
    """How many documents a load must write: the alleles :func:`expected_alleles` lists."""
    return len(expected_alleles(path))
