"""The entry types this beacon serves: routes, /map, /entry_types, /configuration, filter scopes
and joins all derive from this one registry."""

from __future__ import annotations

from dataclasses import dataclass

from app.store.collections import (
    ANALYSES,
    BIOSAMPLES,
    COHORTS,
    DATASETS,
    INDIVIDUALS,
    RUNS,
    VARIANTS,
)

DEFAULT_MODEL = "beacon-v2-default-model"
SPEC = "Beacon v2.0.1"


@dataclass(frozen=True)
class EntryType:
    id: str  # Beacon entry type id, also the filter scope, e.g. "genomicVariation"
    name: str
    path: str  # root URL path segment, e.g. "g_variants"
    store_collection: str  # where its documents live
    model_folder: str  # folder of the default model schema
    ontology_id: str
    ontology_label: str
    description: str
    collection: bool = False  # datasets/cohorts answer with beaconCollectionsResponse
    nested: tuple[str, ...] = ()  # ids of the entry types served under /{path}/{id}/
    filtering_terms_url: bool = False  # serves /{path}/filtering_terms or /{path}/{id}/...

    @property
    def schema_reference(self) -> str:
        return f"{DEFAULT_MODEL}/{self.model_folder}/defaultSchema.json"


GENOMIC_VARIATION = EntryType(
    id="genomicVariation",
    name="Genomic Variants",
    path="g_variants",
    store_collection=VARIANTS,
    model_folder="genomicVariations",
    ontology_id="ENSGLOSSARY:0000092",
    ontology_label="Variant",
    description="The location of a sequence variation and its observations in the datasets.",
    nested=("biosample", "individual"),
)

INDIVIDUAL = EntryType(
    id="individual",
    name="Individuals",
    path="individuals",
    store_collection=INDIVIDUALS,
    model_folder="individuals",
    ontology_id="NCIT:C25190",
    ontology_label="Person",
    description="A person who took part in a study: sex, ancestry, diseases and phenotypes.",
    nested=("biosample", "genomicVariation"),
    filtering_terms_url=True,
)

BIOSAMPLE = EntryType(
    id="biosample",
    name="Biosamples",
    path="biosamples",
    store_collection=BIOSAMPLES,
    model_folder="biosamples",
    ontology_id="NCIT:C70699",
    ontology_label="Biospecimen",
    description="A sample taken from an individual; VCF sample columns name biosamples.",
    nested=("analysis", "genomicVariation", "run"),
)

RUN = EntryType(
    id="run",
    name="Sequencing runs",
    path="runs",
    store_collection=RUNS,
    model_folder="runs",
    ontology_id="NCIT:C148088",
    ontology_label="Sequencing run",
    description="One sequencing of a biosample: platform, library and date.",
    nested=("analysis", "genomicVariation"),
)

ANALYSIS = EntryType(
    id="analysis",
    name="Bioinformatics analyses",
    path="analyses",
    store_collection=ANALYSES,
    model_folder="analyses",
    ontology_id="edam:operation_2945",
    ontology_label="Analysis",
    description="The pipeline that turned a run into variant calls.",
    nested=("genomicVariation",),
)

COHORT = EntryType(
    id="cohort",
    name="Cohorts",
    path="cohorts",
    store_collection=COHORTS,
    model_folder="cohorts",
    ontology_id="NCIT:C61512",
    ontology_label="Cohort",
    description="A group of individuals studied together; its members are its dataset's.",
    collection=True,
    nested=("individual",),
    filtering_terms_url=True,
)

DATASET = EntryType(
    id="dataset",
    name="Datasets",
    path="datasets",
    store_collection=DATASETS,
    model_folder="datasets",
    ontology_id="NCIT:C47824",
    ontology_label="Data set",
    description="A collection of variants and samples released together under one consent.",
    collection=True,
    nested=("biosample", "genomicVariation", "individual"),
    filtering_terms_url=True,
)

ENTRY_TYPES: tuple[EntryType, ...] = (
    GENOMIC_VARIATION,
    INDIVIDUAL,
    BIOSAMPLE,
    RUN,
    ANALYSIS,
    COHORT,
    DATASET,
)
BY_ID = {entry.id: entry for entry in ENTRY_TYPES}
# Entry types whose records are joined through sample links (cohorts/datasets are collections).
RECORD_ENTRY_TYPES = tuple(entry for entry in ENTRY_TYPES if not entry.collection)


def entry_type_for_scope(scope: str) -> EntryType | None:
    """A filter scope names an entry type by id ("individual") or by path ("individuals")."""
    for entry in ENTRY_TYPES:
        if scope in (entry.id, entry.path, entry.store_collection):
            return entry
    return None
