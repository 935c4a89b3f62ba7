"""An independent build of the loader's documents from pysam's reading of a VCF, field by field
as ``docs/storage.md`` defines them, for the differential tests of the loader.

It shares no parsing with the loader: records, alleles, INFO values, IDs and genotypes come
from pysam's parsed records (the end of an allele from htslib's ``stop``), counts and carriers
are counted plainly per sample. From the project it takes only what names things, not what
reads the file: the chromosome names and RefSeq accessions of ``app.genome``, the header's
annotation layouts and the one-letter protein notation (``loaders.vcf.annotation``, pure
functions tested on their own).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pysam

from app.genome import (
    REFSEQ_ACCESSIONS,
    canonical_assembly,
    gene_key,
    normalize_reference_name,
    sequence_id,
)
from loaders.vcf.annotation import annotation_layout, one_letter_protein_change

_IUPAC = set("ACGTUNRYSWKMBDHVacgtunryswkmbdhv")
_ZYGOSITY_IDS = {
    "hemizygous": "GENO:0000134",
    "heterozygous": "GENO:0000135",
    "homozygous": "GENO:0000136",
}


def reference_documents(
    path: str | Path, dataset_id: str, assembly_id: str, max_records: int | None = None
) -> Iterator[dict[str, Any]]:
    """The documents a load of the VCF must give, in file order (of its first ``max_records``
    records)."""
    assembly = canonical_assembly(assembly_id)
    with Path(path).open("rb") as raw, pysam.VariantFile(raw) as vcf:
        layouts = [
            layout
            for key in ("ANN", "CSQ")
            if key in vcf.header.info
            and (layout := annotation_layout(key, vcf.header.info[key].description or ""))
        ]
        for record in islice(vcf, max_records):
            yield from _record_documents(record, dataset_id, assembly, layouts)


def _record_documents(
    record: pysam.VariantRecord, dataset_id: str, assembly: str, layouts: list
) -> Iterator[dict[str, Any]]:
    name = normalize_reference_name(record.chrom)
    accession = REFSEQ_ACCESSIONS.get((assembly, name))
    ref = record.ref.upper()
    ids = [i for i in (record.id or "").split(";") if i and i != "."]
    genotypes = None
    if "GT" in record.format:
        genotypes = [(sample, call["GT"]) for sample, call in record.samples.items()]
    info_counts = _info(record, "AC")
    info_number = _info(record, "AN")
    svlens = _info(record, "SVLEN")
    for number, alt in enumerate(record.alts or (), 1):
        if alt in ("*", "."):
            continue
        if genotypes is None:
            count = info_counts[number - 1] if info_counts is not None else None
            called, carriers = info_number, []
        else:
            count = sum(gt.count(number) for _, gt in genotypes)
            called = sum(allele is not None for _, gt in genotypes for allele in gt)
            carriers = [(sample, _zygosity(gt, number)) for sample, gt in genotypes if number in gt]
        if count == 0 and (called or genotypes is None):
            continue  # carried by no one
        sequence = set(alt) <= _IUPAC
        alternate = alt.upper() if sequence else alt
        kind = _variant_type(ref, alt, sequence)
        start = record.pos - 1
        svlen = None
        if svlens is not None and not sequence:
            svlen = svlens[number - 1] if len(svlens) == len(record.alts) else svlens[0]
        end = _end(record, start, ref, alt, kind, svlen)
        if sequence:
            length = len(ref) if len(ref) == len(alt) else abs(len(alt) - len(ref))
        elif alt.startswith("<") and svlen is not None:
            length = abs(svlen)
        else:
            length = end - start
        internal_id = _internal_id(assembly, name, record.pos, ref, alternate, end)
        genes, changes = _annotation(record, alt, number, layouts)
        beacon: dict[str, Any] = {
            "variantInternalId": internal_id,
            "variation": {
                "variantType": kind,
                "referenceBases": ref,
                "alternateBases": alternate if sequence else "N",
                "location": {
                    "type": "SequenceLocation",
                    "sequence_id": sequence_id(assembly, name),
                    "interval": {
                        "type": "SequenceInterval",
                        "start": {"type": "Number", "value": start},
                        "end": {"type": "Number", "value": end},
                    },
                },
            },
        }
        identifiers: dict[str, Any] = {}
        if ids:
            identifiers["variantAlternativeIds"] = [
                {"id": f"dbSNP:{i}", "reference": f"https://www.ncbi.nlm.nih.gov/snp/{i}"}
                if i.startswith("rs") and i[2:].isdigit()
                else {"id": i}
                for i in ids
            ]
        if accession and kind == "SNP":
            identifiers["genomicHGVSId"] = f"{accession}:g.{record.pos}{ref}>{alternate}"
        if identifiers:
            beacon["identifiers"] = identifiers
        attributes = {"geneIds": genes, "aminoacidChanges": changes}
        if genes or changes:
            beacon["molecularAttributes"] = {k: list(v) for k, v in attributes.items() if v}
        if carriers:
            beacon["caseLevelData"] = [
                {"biosampleId": sample, "zygosity": {"id": _ZYGOSITY_IDS[label], "label": label}}
                for sample, label in carriers
            ]
        frequency = None
        if called and count is not None:
            frequency = count / called
            beacon["frequencyInPopulations"] = [
                {
                    "source": dataset_id,
                    "sourceReference": f"datasets/{dataset_id}",
                    "frequencies": [
                        {
                            "population": "ALL",
                            "alleleFrequency": frequency,
                            "alleleCount": count,
                            "alleleNumber": called,
                        }
                    ],
                }
            ]
        yield {
            "datasetId": dataset_id,
            "assemblyId": assembly,
            "referenceName": name,
            "start": start,
            "end": end,
            "referenceBases": ref,
            "alternateBases": alternate,
            "variantType": kind,
            "variantLength": length,
            "geneIds": genes,
            "geneKeys": list(dict.fromkeys(gene_key(gene) for gene in genes)),
            "aminoacidChanges": changes,
            "identifiers": ids,
            "variantInternalId": internal_id,
            "biosampleIds": [sample for sample, _ in carriers],
            "alleleFrequency": frequency,
            "record": beacon,
        }


def _info(record: pysam.VariantRecord, key: str) -> Any:
    """An INFO value as a tuple (or a single value for Number=1 keys), None when absent."""
    if key not in record.header.info or key not in record.info:
        return None
    value = record.info[key]
    if isinstance(value, tuple) or key == "AN":
        return value
    return (value,)


def _end(
    record: pysam.VariantRecord, start: int, ref: str, alt: str, kind: str, svlen: int | None
) -> int:
    """INFO/END, else for a symbolic allele other than an insertion its start + 1 + |SVLEN|,
    else the end of REF. htslib keeps one end per record (from END or the first SVLEN): the
    two agree wherever it has only one ALT."""
    info = str(record).split("\t", 8)[7]  # pysam keeps END out of record.info
    if any(item.startswith("END=") for item in info.split(";")):
        end = record.stop  # htslib's end is END's
    elif alt.startswith("<") and svlen is not None and kind != "INS":
        end = start + 1 + abs(svlen)
    else:
        end = start + len(ref)
    if len(record.alts) == 1:
        assert end == record.stop, (record.chrom, record.pos, end, record.stop)
    return end


def _zygosity(gt: tuple, alt: int) -> str:
    if len(gt) == 1:
        return "hemizygous"
    return "homozygous" if all(allele == alt for allele in gt) else "heterozygous"


def _variant_type(ref: str, alt: str, sequence: bool) -> str:
    if alt.startswith("<") and alt.endswith(">"):
        word = alt[1:-1].split(":")[0].upper()
        if word == "CNV" or (word.startswith("CN") and word[2:].isdigit()):
            return "CNV"
        return word  # DEL, DUP, INS, INV, or the word of another symbolic allele
    if not sequence:
        return "BND"
    if len(ref) == len(alt):
        return "SNP" if len(ref) == 1 else "MNP"
    return "INDEL"


def _internal_id(assembly: str, name: str, pos: int, ref: str, alt: str, end: int) -> str:
    if len(ref) + len(alt) <= 64 and set(ref + alt) <= set("ACGTN"):
        return f"{assembly}:{name}:{pos}:{ref}:{alt}"
    digest = hashlib.sha1(f"{ref}>{alt}>{end}".encode()).hexdigest()[:16]
    return f"{assembly}:{name}:{pos}:{digest}"


def _annotation(
    record: pysam.VariantRecord, alt: str, number: int, layouts: list
) -> tuple[list[str], list[str]]:
    """Gene symbols and amino-acid changes of one ALT: ANN, CSQ, then GENE and GENEINFO."""
    genes: dict[str, None] = {}
    changes: dict[str, None] = {}
    for layout in layouts:
        value = _info(record, layout.key)
        if not value:
            continue
        entries = [entry.split("|") for entry in value if entry is not None]
        if layout.key == "ANN" and layout.allele is not None:  # this ALT's, else all
            index = layout.allele
            entries = [e for e in entries if len(e) > index and e[index] == alt] or entries
        elif layout.allele_number is not None:
            index = layout.allele_number
            entries = [e for e in entries if len(e) > index and e[index] == str(number)]
        for fields in entries:
            if layout.gene is not None and len(fields) > layout.gene and fields[layout.gene]:
                genes[fields[layout.gene]] = None
            if layout.protein is not None and len(fields) > layout.protein:
                change = fields[layout.protein] and one_letter_protein_change(
                    fields[layout.protein]
                )
                if change:
                    changes[change] = None
    for key in ("GENE", "GENEINFO"):
        for value in _info(record, key) or ():
            for item in str(value).replace(",", "|").split("|"):
                symbol = item.split(":", 1)[0].strip()
                if symbol and symbol != ".":
                    genes[symbol] = None
    return list(genes), list(changes)
