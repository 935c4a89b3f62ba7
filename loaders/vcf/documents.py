"""A parsed VCF record -> one ``genomicVariations`` document per ALT allele (``docs/storage.md``).

Top-level fields are what queries match on; ``record`` is the Beacon v2 ``genomicVariation``
(default model) served at record granularity.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

from app.genome import (
    GENE_IDS,
    GENE_KEYS,
    REFSEQ_ACCESSIONS,
    gene_key,
    normalize_reference_name,
    sequence_id,
)
from app.store.collections import ALLELE_FREQUENCY, DATASET_ID
from loaders.vcf.alleles import (
    NO_ALTERNATE,
    SEQUENCE,
    SPANNING_DELETION,
    allele_span,
    readable_allele_key,
    variant_internal_id,
    variant_type,
)
from loaders.vcf.annotation import AnnotationLayout, allele_annotation
from loaders.vcf.genotypes import GenotypeCounts
from loaders.vcf.populations import ALL_SAMPLES
from loaders.vcf.records import VcfRecord

DBSNP_URL = "https://www.ncbi.nlm.nih.gov/snp/"
SKIPPED_KINDS = (SPANNING_DELETION, NO_ALTERNATE)
_GENE_KEYS = ("GENE", "GENEINFO")
_CACHED_ALLELES_LENGTH, _CACHED_FORMS = 48, 10_000


def alternative_ids(ids: list[str]) -> list[dict[str, str]]:
    """Beacon ``variantAlternativeIds`` from the ID column: dbSNP ids become linked CURIEs."""
    found = []
    for identifier in ids:
        if identifier.startswith("rs") and identifier[2:].isdigit():
            found.append({"id": f"dbSNP:{identifier}", "reference": DBSNP_URL + identifier})
        else:
            found.append({"id": identifier})
    return found


class _AlleleForm(NamedTuple):
    """What a REF/ALT pair gives each of its documents wherever it lies: worked out once."""

    ref: str  # upper case
    alternate: str  # as stored: upper case for sequences
    variant_type: str
    legacy_alternate: str  # the LegacyVariation's alternateBases ("N" for symbols, breakends)
    readable: str | None  # ``readable_allele_key``, None when the id takes a digest
    # a sequence allele's end and length as offsets from its start; None: from INFO, per record
    end_offset: int | None
    length: int | None
    snv: bool  # a SNP, named by a genomic HGVS id where the chromosome has a RefSeq accession


class VariantDocumentBuilder:
    """Builds the documents of one dataset; caches per-chromosome names and sequence ids, and
    what each short REF/ALT pair gives its documents."""

    def __init__(
        self,
        dataset_id: str,
        assembly: str,
        annotations: tuple[AnnotationLayout, ...],
        population_names: tuple[str, ...] = (),
    ) -> None:
        """``population_names`` index the per-population counts of ``GenotypeCounts`` (sorted)."""
        self.dataset_id = dataset_id
        self.assembly = assembly
        self.annotations = annotations
        self.population_names = population_names
        # what may announce an annotation: a cheap test first, the exact one in INFO's parse
        self._annotation_marks = tuple(f"{key}=" for key in (*(a.key for a in annotations),
                                                            *_GENE_KEYS))  # fmt: skip
        self._forms: dict[tuple[str, str], _AlleleForm] = {}
        self._source_reference = f"datasets/{dataset_id}"

    def documents(self, record: VcfRecord, counts: GenotypeCounts | None) -> list[dict[str, Any]]:
        """One document per ALT allele, skipping ``*``, ``.`` and alleles no sample carries.

        ``counts`` are the genotype counts of the record; without them (no samples, no GT)
        the frequencies come from INFO AC/AN. An allele whose count is known to be 0 (every
        genotype without it, or INFO AC=0) is not in the dataset: the beacon must not answer
        that it exists. One of unknown count is kept.

        ``frequencyInPopulations`` lists the frequency among all samples (``ALL``) first, then,
        when the counts have them, one per population with a called allele at the site.
        """
        dataset_id, assembly = self.dataset_id, self.assembly
        name, sequence, accession = chromosome_names(assembly, record.chrom)
        pos, info, ids = record.pos, record.info, record.ids
        start = pos - 1
        annotated = False
        for mark in self._annotation_marks:
            if mark in info:
                annotated = True
                break
        forms, source_reference = self._forms, self._source_reference
        documents = []
        for number, (alt, kind) in enumerate(zip(record.alts, record.kinds, strict=True), 1):
            if kind in SKIPPED_KINDS:
                continue
            if counts is None:
                allele_count = record.info_allele_counts[number - 1]
                called = record.info_allele_number
                carriers = []
            else:
                allele_count, called = counts.allele_counts[number - 1], counts.allele_number
                carriers = counts.carriers.get(number, [])
            if allele_count == 0 and (called or counts is None):
                continue  # known to be carried by no one: not in this dataset
            (ref, alternate, type_of_variant, legacy_alternate, readable, end_offset, length,
             snv) = forms.get((record.ref, alt)) or self._form(record.ref, alt, kind)  # fmt: skip
            if end_offset is not None:
                end = start + end_offset
            else:
                span = allele_span(pos, ref, alt, kind, record.info_end, record.svlens[number - 1])
                end, length = span.end, span.length
            if readable is not None:  # variant_internal_id's readable form
                internal_id = f"{assembly}:{name}:{pos}:{readable}"
            else:
                internal_id = variant_internal_id(assembly, name, pos, ref, alternate, end)
            genes, changes = (
                allele_annotation(info, alt, number, self.annotations) if annotated else ([], [])
            )
            beacon: dict[str, Any] = {
                "variantInternalId": internal_id,
                # a Beacon LegacyVariation with a VRS 1.3 SequenceLocation
                "variation": {
                    "variantType": type_of_variant,
                    "referenceBases": ref,
                    "alternateBases": legacy_alternate,
                    "location": {
                        "type": "SequenceLocation",
                        "sequence_id": sequence,
                        "interval": {
                            "type": "SequenceInterval",
                            "start": {"type": "Number", "value": start},
                            "end": {"type": "Number", "value": end},
                        },
                    },
                },
            }
            genomic_hgvs = None
            if accession and snv:
                genomic_hgvs = f"{accession}:g.{pos}{ref}>{alternate}"
            if ids:
                beacon["identifiers"] = _beacon_identifiers(ids, genomic_hgvs)
            elif genomic_hgvs:
                beacon["identifiers"] = {"genomicHGVSId": genomic_hgvs}
            if genes or changes:
                beacon["molecularAttributes"] = _molecular_attributes(genes, changes)
            if carriers:
                beacon["caseLevelData"] = carriers
            frequency = None
            if called and allele_count is not None:
                frequency = allele_count / called
                frequencies = [
                    {
                        "population": ALL_SAMPLES,
                        "alleleFrequency": frequency,
                        "alleleCount": allele_count,
                        "alleleNumber": called,
                    }
                ]
                if counts is not None and counts.population_allele_numbers is not None:
                    frequencies += self._population_frequencies(counts, number)
                beacon["frequencyInPopulations"] = [
                    {
                        "source": dataset_id,
                        "sourceReference": source_reference,
                        "frequencies": frequencies,
                    }
                ]
            documents.append(
                {
                    DATASET_ID: dataset_id,
                    "assemblyId": assembly,
                    "referenceName": name,
                    "start": start,
                    "end": end,
                    "referenceBases": ref,
                    "alternateBases": alternate,
                    "variantType": type_of_variant,
                    "variantLength": length,
                    GENE_IDS: genes,
                    # what gene queries match on: every symbol whatever its case
                    GENE_KEYS: list(dict.fromkeys(map(gene_key, genes))) if genes else [],
                    "aminoacidChanges": changes,
                    "identifiers": list(ids),
                    "variantInternalId": internal_id,
                    # carriers' sample names: the link to biosamples, indexed for joins
                    "biosampleIds": (
                        counts.carrier_names.get(number, []) if counts is not None else []
                    ),
                    # the dataset's own frequency, for the rare-allele protection
                    ALLELE_FREQUENCY: frequency,
                    "record": beacon,
                }
            )
        return documents

    def _form(self, raw_ref: str, alt: str, kind: str) -> _AlleleForm:
        """What the REF/ALT pair gives its documents; kept for short pairs, which repeat."""
        ref = raw_ref.upper()
        sequence = kind == SEQUENCE
        alternate = alt.upper() if sequence else alt
        type_of_variant = variant_type(ref, alt)
        end_offset = length = None
        if sequence:  # its span only moves with its position
            _, end_offset, length = allele_span(1, ref, alt, kind, None, None)
        form = _AlleleForm(
            ref,
            alternate,
            type_of_variant,
            alternate if sequence else "N",
            readable_allele_key(ref, alternate),
            end_offset,
            length,
            type_of_variant == "SNP",
        )
        if len(raw_ref) + len(alt) <= _CACHED_ALLELES_LENGTH and len(self._forms) < _CACHED_FORMS:
            self._forms[(raw_ref, alt)] = form
        return form

    def _population_frequencies(self, counts: GenotypeCounts, alt: int) -> list[dict[str, Any]]:
        """One entry per population with a called allele at the site, in name order."""
        allele_numbers = counts.population_allele_numbers or []
        first = (alt - 1) * len(allele_numbers)
        allele_counts = (counts.population_allele_counts or [])[first : first + len(allele_numbers)]
        return [
            {
                "population": name,
                "alleleFrequency": allele_count / allele_number,
                "alleleCount": allele_count,
                "alleleNumber": allele_number,
            }
            for name, allele_count, allele_number in zip(
                self.population_names, allele_counts, allele_numbers, strict=True
            )
            if allele_number
        ]


def _beacon_identifiers(ids: list[str], genomic_hgvs: str | None) -> dict[str, Any]:
    identifiers: dict[str, Any] = {}
    if ids:
        identifiers["variantAlternativeIds"] = alternative_ids(ids)
    if genomic_hgvs:
        identifiers["genomicHGVSId"] = genomic_hgvs
    return identifiers


def _molecular_attributes(genes: list[str], changes: list[str]) -> dict[str, list[str]]:
    """Copies, so the record never shares a list with the top-level query fields."""
    attributes = {}
    if genes:
        attributes["geneIds"] = list(genes)
    if changes:
        attributes["aminoacidChanges"] = list(changes)
    return attributes


@lru_cache(maxsize=4096)
def chromosome_names(assembly: str, chrom: str) -> tuple[str, str, str | None]:
    """A VCF chromosome's normalised reference name, sequence id and RefSeq accession (if
    known), worked out once per chromosome: every record of it needs them."""
    name = normalize_reference_name(chrom)
    return name, sequence_id(assembly, name), REFSEQ_ACCESSIONS.get((assembly, name))
