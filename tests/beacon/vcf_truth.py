"""An independent reading of a VCF with pysam, to check the beacon's answers against.

It shares no code with the loader or the query translation: alleles, coordinates and gene
annotation come straight from pysam's parsed records, and matching is written out plainly.
"""

from __future__ import annotations

import random
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
            for number, alt in enumerate(record.alts or (), 1):
                if alt in ("*", ".") or _carried_by_no_one(record, number):
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


def _carried_by_no_one(record: pysam.VariantRecord, number: int) -> bool:
    """No called genotype holds the allele (or, without genotypes, INFO AC says 0): a beacon
    must not report it."""
    if "GT" in record.format:
        calls = [allele for sample in record.samples.values() for allele in sample["GT"] or ()]
        return number not in calls and any(call is not None for call in calls)
    counts = record.info.get("AC") if "AC" in record.header.info else None
    return counts is not None and counts[number - 1] == 0


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
    # HGNC symbols are matched without regard to case (C9orf72, c9orf72 and C9ORF72 alike)
    return not (
        "geneId" in p and p["geneId"].casefold() not in {gene.casefold() for gene in allele.genes}
    )


def generated_queries(alleles: list[TruthAllele], per_kind: int = 20) -> list[dict]:
    """Sequence, off-by-one, range, bracket and gene queries drawn around real alleles."""
    rng = random.Random(20261124)
    short = [a for a in alleles if not a.alt.startswith("<")]
    structural = [a for a in alleles if a.alt.startswith("<")]
    queries: list[dict] = []
    for allele in rng.sample(short, per_kind):
        query = {
            "referenceName": allele.chrom,
            "start": [allele.start],
            "alternateBases": allele.alt,
        }
        if rng.random() < 0.5:
            query["referenceBases"] = allele.ref
        if rng.random() < 0.3:
            query["referenceName"] = "chr" + allele.chrom
        queries.append(query)
    # sequence queries one base off, or with another ALT: mostly misses
    for allele in rng.sample(short, 5):
        queries.append(
            {"referenceName": allele.chrom, "start": [allele.start + 1], "alternateBases": "T"}
        )
    for allele in rng.sample(alleles, per_kind):
        width = rng.choice([1, 50, 2_000, 100_000, 5_000_000])
        low = max(0, allele.start - rng.randrange(width + 1))
        query = {"referenceName": allele.chrom, "start": [low], "end": [low + width]}
        extra = rng.random()
        if extra < 0.2:
            query["variantType"] = rng.choice(["SNP", "INDEL", "DEL", "DUP"])
        elif extra < 0.35:
            query["variantMinLength"] = rng.choice([1, 2, 100])
        elif extra < 0.5:
            query["variantMaxLength"] = rng.choice([1, 5, 10_000])
        queries.append(query)
    for allele in rng.sample(structural, min(10, len(structural))):
        slack = rng.choice([1, 100, 10_000])
        queries.append(
            {
                "referenceName": allele.chrom,
                "start": [max(0, allele.start - slack), allele.start + slack],
                "end": [max(1, allele.end - slack), allele.end + slack],
            }
        )
    genes = sorted({gene for allele in alleles for gene in allele.genes})
    queries.extend({"geneId": gene} for gene in rng.sample(genes, min(25, len(genes))))
    queries.append({"geneId": "NOT_A_GENE"})
    for gene in genes[:5]:
        queries.append({"geneId": gene, "variantType": "SNP"})
    # the same symbols as a user may type them
    for gene in rng.sample(genes, min(8, len(genes))):
        queries.append({"geneId": rng.choice([gene.lower(), gene.capitalize(), gene.swapcase()])})
    return queries


def carried_alleles(
    path: str, samples: list[str] | None = None
) -> dict[str, set[tuple[str, int, str, str]]]:
    """Per sample (all, or those named), the alleles its genotype carries: (chromosome,
    0-based start, REF, ALT).

    ``*`` and ``.`` are not alleles a beacon reports; a missing or reference call carries none.
    """
    carried: dict[str, set[tuple[str, int, str, str]]] = {}
    with pysam.VariantFile(path) as vcf:
        names = list(vcf.header.samples) if samples is None else samples
        for name in names:
            carried[name] = set()
        for record in vcf:
            alts = record.alts or ()
            for name in names:
                for index in set(record.samples[name]["GT"] or ()):
                    if index is None or index == 0 or alts[index - 1] in ("*", "."):
                        continue
                    alt = alts[index - 1]
                    plain = alt if alt.startswith("<") or "[" in alt or "]" in alt else alt.upper()
                    key = (_chrom(record.chrom), record.start, record.ref.upper(), plain)
                    carried[name].add(key)
    return carried
