"""The entry types this beacon serves: /map, /entry_types and /configuration derive from it."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MODEL = "beacon-v2-default-model"
SPEC = "Beacon v2.0.1"


@dataclass(frozen=True)
class EntryType:
    id: str  # Beacon entry type id, e.g. "genomicVariation"
    name: str
    path: str  # root URL path segment, e.g. "g_variants"
    model_folder: str  # folder of the default model schema
    ontology_id: str
    ontology_label: str
    description: str
    collection: bool = False  # datasets/cohorts answer with beaconCollectionsResponse
    nested: tuple[tuple[str, str], ...] = ()  # (path under /{path}/{id}/, returned entry type)

    @property
    def schema_reference(self) -> str:
        return f"{DEFAULT_MODEL}/{self.model_folder}/defaultSchema.json"


GENOMIC_VARIATION = EntryType(
    id="genomicVariation",
    name="Genomic Variants",
    path="g_variants",
    model_folder="genomicVariations",
    ontology_id="ENSGLOSSARY:0000092",
    ontology_label="Variant",
    description="The location of a sequence variation and its observations in the datasets.",
)

DATASET = EntryType(
    id="dataset",
    name="Datasets",
    path="datasets",
    model_folder="datasets",
    ontology_id="NCIT:C47824",
    ontology_label="Data set",
    description="A collection of variants and samples released together under one consent.",
    collection=True,
    nested=(("g_variants", "genomicVariation"),),
)

ENTRY_TYPES: tuple[EntryType, ...] = (GENOMIC_VARIATION, DATASET)
