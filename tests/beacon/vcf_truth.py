"""An independent reading of a VCF with pysam, to check the beacon's answers against.

It shares no code with the loader or the query translation: alleles, coordinates and gene
annotation come straight from pysam's parsed records, and matching is written out plainly.
"""

from __future__ import annotations

from dataclasses import dataclass

import pysam


@dataclass(frozen=True)
class TruthAllele:
    chrom: str
    start: int
    end: int
    ref: str
    alt: str
    variant_type: str
    length: int
    genes: frozenset[str]
    ids: frozenset[str]


def _chrom(name: str) -> str:
    plain = name[3:] if name.lower().startswith("chr") else name
    return "MT" if plain.upper() in ("M", "MT") else plain


def _type_and_length(ref: str, alt: str, start: int, end: int, svlen) -> tuple[str, int]:
    if alt.startswith("<"):
        word = alt[1:-1].split(":")[0].upper()
        kind = "CNV" if word.startswith("CN") else word
        length = abs(int(svlen)) if svlen is not None else end - start
        return kind, length
    if "[" in alt or "]" in alt:
        return "BND", end - start
    if len(ref) == len(alt):
        return ("SNP" if len(ref) == 1 else "MNP"), len(ref)
    return "INDEL", abs(len(alt) - len(ref))


def _genes(record: pysam.VariantRecord, alt: str) -> frozenset[str]:
    if "ANN" not in record.header.info or "ANN" not in record.info:
        return frozenset()
    entries = [entry.split("|") for entry in record.info["ANN"]]
    matching = [fields for fields in entries if fields[0] == alt]
    chosen = matching or entries
    return frozenset(fields[3] for fields in chosen if len(fields) > 3 and fields[3])


def read_truth(path: str) -> list[TruthAllele]:
    alleles = []
    with pysam.VariantFile(path) as vcf:
        for record in vcf:
            svlen = record.info.get("SVLEN") if "SVLEN" in record.header.info else None
            if isinstance(svlen, tuple):
                svlen = svlen[0]
            ids = frozenset(record.id.split(";")) if record.id else frozenset()
            for alt in record.alts or ():
                if alt in ("*", "."):
                    continue
                start, end = record.pos - 1, record.stop
                kind, length = _type_and_length(record.ref, alt, start, end, svlen)
                alleles.append(
                    TruthAllele(
                        _chrom(record.chrom),
                        start,
                        end,
                        record.ref.upper(),
                        alt.upper() if not alt.startswith("<") else alt,
                        kind,
                        length,
                        _genes(record, alt),
                        ids,
                    )
                )
    return alleles


def count_matches(alleles: list[TruthAllele], parameters: dict) -> int:
    """How many alleles a Beacon query with these requestParameters should find."""
    return sum(1 for allele in alleles if _matches(allele, parameters))


def _matches(allele: TruthAllele, p: dict) -> bool:
    if "referenceName" in p and _chrom(p["referenceName"]) != allele.chrom:
        return False
    start, end = p.get("start"), p.get("end")
    if start is not None and end is None and allele.start != start[0]:
        return False
    if start is not None and end is not None:
        if len(start) == 1 and not (allele.start < end[0] and allele.end > start[0]):
            return False
        if len(start) == 2 and not (
            start[0] <= allele.start < start[1] and end[0] <= allele.end < end[1]
        ):
            return False
    if "referenceBases" in p and allele.ref != p["referenceBases"]:
        return False
    if "alternateBases" in p and allele.alt != p["alternateBases"]:
        return False
    if "variantType" in p and allele.variant_type != p["variantType"]:
        return False
    if "variantMinLength" in p and allele.length < p["variantMinLength"]:
        return False
    if "variantMaxLength" in p and allele.length > p["variantMaxLength"]:
        return False
    return not ("geneId" in p and p["geneId"] not in allele.genes)
