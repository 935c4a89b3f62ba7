"""A parsed VCF record -> one ``genomicVariations`` document per ALT allele (``docs/storage.md``).

Top-level fields are what queries match on; ``record`` is the Beacon v2 ``genomicVariation``
(default model) served at record granularity.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from app.genome import (
    GENE_IDS,
    GENE_KEYS,
    REFSEQ_ACCESSIONS,
    gene_key,
    normalize_reference_name,
    sequence_id,
)
from app.store.collections import ALLELE_FREQUENCY
from loaders.vcf.alleles import (
    NO_ALTERNATE,
    SEQUENCE,
    SPANNING_DELETION,
    AlleleSpan,
    allele_span,
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


def alternative_ids(ids: list[str]) -> list[dict[str, str]]:
    """Beacon ``variantAlternativeIds`` from the ID column: dbSNP ids become linked CURIEs."""
    found = []
    for identifier in ids:
        if identifier.startswith("rs") and identifier[2:].isdigit():
            found.append({"id": f"dbSNP:{identifier}", "reference": DBSNP_URL + identifier})
        else:
            found.append({"id": identifier})
    return found


class VariantDocumentBuilder:
    """Builds the documents of one dataset; caches per-chromosome names and sequence ids."""

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
        keys = [layout.key for layout in annotations] + list(_GENE_KEYS)
        self._annotated = re.compile("|".join(f"(?:^|;){key}=" for key in keys)).search
        self._frequency_source = {"source": dataset_id, "sourceReference": f"datasets/{dataset_id}"}

    def documents(self, record: VcfRecord, counts: GenotypeCounts | None) -> list[dict[str, Any]]:
        """One document per ALT allele, skipping ``*``, ``.`` and alleles no sample carries.

        ``counts`` are the genotype counts of the record; without them (no samples, no GT)
        the frequencies come from INFO AC/AN. An allele whose count is known to be 0 (every
        genotype without it, or INFO AC=0) is not in the dataset: the beacon must not answer
        that it exists. One of unknown count is kept.

        ``frequencyInPopulations`` lists the frequency among all samples (``ALL``) first, then,
        when the counts have them, one per population with a called allele at the site.
        """
        name, sequence, accession = chromosome_names(self.assembly, record.chrom)
        ref = record.ref.upper()
        info = record.info
        annotated = self._annotated(info) is not None
        documents = []
        for number, (alt, kind) in enumerate(zip(record.alts, record.kinds, strict=True), 1):
            if kind in SKIPPED_KINDS:
                continue
            span = allele_span(
                record.pos, ref, alt, kind, record.info_end, record.svlens[number - 1]
            )
            type_of_variant = variant_type(ref, alt)
            alternate = alt.upper() if kind == SEQUENCE else alt
            genes, changes = (
                allele_annotation(info, alt, number, self.annotations) if annotated else ([], [])
            )
            internal_id = variant_internal_id(
                self.assembly, name, record.pos, ref, alternate, span.end
            )
            beacon = {
                "variantInternalId": internal_id,
                "variation": _legacy_variation(
                    type_of_variant, ref, alternate if kind == SEQUENCE else "N", sequence, span
                ),
            }
            identifiers = _beacon_identifiers(
                record.ids,
                f"{accession}:g.{record.pos}{ref}>{alternate}"
                if accession and type_of_variant == "SNP"
                else None,
            )
            if identifiers:
                beacon["identifiers"] = identifiers
            if genes or changes:
                beacon["molecularAttributes"] = _molecular_attributes(genes, changes)
            carriers = []
            if counts is None:
                allele_count = record.info_allele_counts[number - 1]
                called = record.info_allele_number
            else:
                allele_count, called = counts.allele_counts[number - 1], counts.allele_number
                if carriers := counts.carriers.get(number, []):
                    beacon["caseLevelData"] = carriers
            if allele_count == 0 and (called or counts is None):
                continue  # known to be carried by no one: not in this dataset
            frequency = None
            if called and allele_count is not None:
                frequencies = [_frequency(ALL_SAMPLES, allele_count, called)]
                if counts is not None and counts.population_allele_numbers is not None:
                    frequencies += self._population_frequencies(counts, number)
                beacon["frequencyInPopulations"] = [
                    {**self._frequency_source, "frequencies": frequencies}
                ]
                frequency = allele_count / called
            documents.append(
                {
                    "datasetId": self.dataset_id,
                    "assemblyId": self.assembly,
                    "referenceName": name,
                    "start": span.start,
                    "end": span.end,
                    "referenceBases": ref,
                    "alternateBases": alternate,
                    "variantType": type_of_variant,
                    "variantLength": span.length,
                    GENE_IDS: genes,
                    # what gene queries match on: every symbol whatever its case
                    GENE_KEYS: list(dict.fromkeys(gene_key(gene) for gene in genes)),
                    "aminoacidChanges": changes,
                    "identifiers": list(record.ids),
                    "variantInternalId": internal_id,
                    # carriers' sample names: the link to biosamples, indexed for joins
                    "biosampleIds": [case["biosampleId"] for case in carriers],
                    # the dataset's own frequency, for the rare-allele protection
                    ALLELE_FREQUENCY: frequency,
                    "record": beacon,
                }
            )
        return documents

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


def _frequency(population: str, allele_count: int, allele_number: int) -> dict[str, Any]:
    """A Beacon ``PopulationFrequency``, with the counts it was computed from."""
    return {
        "population": population,
        "alleleFrequency": allele_count / allele_number,
        "alleleCount": allele_count,
        "alleleNumber": allele_number,
    }


def _legacy_variation(
    type_of_variant: str, ref: str, alternate: str, sequence: str, span: AlleleSpan
) -> dict[str, Any]:
    """A Beacon ``LegacyVariation`` with a VRS 1.3 ``SequenceLocation``."""
    return {
        "variantType": type_of_variant,
        "referenceBases": ref,
        "alternateBases": alternate,
        "location": {
            "type": "SequenceLocation",
            "sequence_id": sequence,
            "interval": {
                "type": "SequenceInterval",
                "start": {"type": "Number", "value": span.start},
                "end": {"type": "Number", "value": span.end},
            },
        },
    }


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
