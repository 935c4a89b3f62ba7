"""The tables Data Connect serves: each is a stored collection seen through a base pipeline that
turns its documents into flat rows, described by a row schema in :mod:`schemas.dataconnect`.

The base pipelines use only stages and operators both MongoDB and the embedded store answer
(``$lookup`` on a field, ``$unwind``, ``$project`` of paths). Names follow the specification's
``catalog.schema.table`` convention.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from marshmallow import Schema, fields

from app.dataconnect.sql import Column
from app.store.collections import (
    BIOSAMPLES,
    DATASET_ID,
    DATASETS,
    INDIVIDUALS,
    METADATA_STATS,
    NETWORK_DATASETS,
    PRIVACY_LAWS,
    VARIANT_STATS,
    VARIANTS,
)
from schemas.dataconnect import (
    BiosampleRowSchema,
    DatasetRowSchema,
    IndividualRowSchema,
    NetworkDatasetRowSchema,
    PopulationFrequencyRowSchema,
    PrivacyLawRowSchema,
    VariantRowSchema,
    json_type,
    row_data_model,
)

CATALOG = "asia_beacon"
FREQUENCIES = "record.frequencyInPopulations"
FREQUENCY = f"{FREQUENCIES}.frequencies"
# Hidden row fields (no column starts with "_"): the stored document's _id, and the positions
# in the arrays a table unwinds. Together they tell every row of a table apart.
ROW_ID = "_row_id"
UNWOUND_POSITIONS = ("_row_i", "_row_j")


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    collection: str
    row_schema: type[Schema]
    base_pipeline: tuple[dict[str, Any], ...] = field(default=())
    # columns that are plain copies of one document field (no array on the way): a filter on
    # them means the same on the stored documents, which can then filter first
    sources: Mapping[str, str] = field(default_factory=dict)
    # hidden fields of every row that together are unique in the table (see sql_pipeline)
    row_key: tuple[str, ...] = (ROW_ID,)
    # the stored documents' dataset id, which access rules select on (None: not dataset data)
    dataset_field: str | None = DATASET_ID
    catalog: bool = False  # one row per dataset, rather than rows of records

    @property
    def variant_rows(self) -> bool:
        return self.collection == VARIANTS

    @property
    def columns(self) -> tuple[Column, ...]:
        return tuple(
            Column(name, json_type(column), _element_type(column))
            for name, column in self.row_schema().fields.items()
        )

    @property
    def data_model(self) -> dict[str, Any]:
        return row_data_model(self.row_schema(), self.title, self.description)


def _element_type(column: fields.Field) -> str | None:
    return json_type(column.inner) if isinstance(column, fields.List) else None


def _first(path: str, default: Any = None) -> dict[str, Any]:
    """The first value of an array path (a looked-up document's field), else ``default``."""
    return {"$ifNull": [{"$arrayElemAt": [path, 0]}, default]}


def _lookup(collection: str, local: str, into: str) -> dict[str, Any]:
    return {"$lookup": {"from": collection, "localField": local, "foreignField": "_id", "as": into}}


DATASETS_TABLE = Table(
    name=f"{CATALOG}.catalog.datasets",
    title="Dataset",
    description="The dataset catalog: one row per dataset, with its consent codes and counts.",
    collection=DATASETS,
    row_schema=DatasetRowSchema,
    dataset_field="_id",
    catalog=True,
    base_pipeline=(
        _lookup(VARIANT_STATS, "_id", "variantStats"),
        _lookup(METADATA_STATS, "_id", "metadataStats"),
        {
            "$project": {
                "_id": 0,
                ROW_ID: "$_id",
                "id": "$_id",
                "name": "$name",
                "description": "$description",
                "version": "$version",
                "country": "$country",
                "organization": "$organization",
                "populations": "$populations",
                "duo_codes": "$dataUseConditions.duoDataUse.id",
                "duo_labels": "$dataUseConditions.duoDataUse.label",
                "privacy_laws": "$privacyLaws",
                "create_date_time": "$createDateTime",
                "update_date_time": "$updateDateTime",
                "variant_count": _first("$variantStats.variantCount", 0),
                "sample_count": _first("$variantStats.sampleCount", 0),
                "individual_count": _first("$metadataStats.individualCount", 0),
                "biosample_count": _first("$metadataStats.biosampleCount", 0),
            }
        },
    ),
)


def _projection(
    sources: Mapping[str, str], row_key: tuple[str, ...] = (ROW_ID,), **computed: Any
) -> dict[str, Any]:
    """The row: its hidden key, each plain column copied from its field, the computed ones."""
    key = {ROW_ID: "$_id", **{name: f"${name}" for name in row_key if name != ROW_ID}}
    columns = {column: f"${path}" for column, path in sources.items()}
    return {"$project": {"_id": 0, **key, **columns, **computed}}


_INDIVIDUAL_SOURCES = {
    "dataset_id": DATASET_ID,
    "id": "id",
    "sex_id": "record.sex.id",
    "sex_label": "record.sex.label",
    "ethnicity_id": "record.ethnicity.id",
    "ethnicity_label": "record.ethnicity.label",
    "geographic_origin_id": "record.geographicOrigin.id",
    "geographic_origin_label": "record.geographicOrigin.label",
    "karyotypic_sex": "record.karyotypicSex",
    "ontology_terms": "ontologyTerms",
}

INDIVIDUALS_TABLE = Table(
    name=f"{CATALOG}.beacon.individuals",
    title="Individual",
    description="Individuals of every dataset, their main attributes flattened.",
    collection=INDIVIDUALS,
    row_schema=IndividualRowSchema,
    sources=_INDIVIDUAL_SOURCES,
    # disease ids come through a list of objects: not a plain copy, never filtered early
    base_pipeline=(
        _projection(_INDIVIDUAL_SOURCES, disease_ids="$record.diseases.diseaseCode.id"),
    ),
)

_BIOSAMPLE_SOURCES = {
    "dataset_id": DATASET_ID,
    "id": "id",
    "individual_id": "individualId",
    "biosample_status_id": "record.biosampleStatus.id",
    "sample_origin_type_id": "record.sampleOriginType.id",
    "sample_origin_type_label": "record.sampleOriginType.label",
    "collection_date": "record.collectionDate",
    "collection_moment": "record.collectionMoment",
}

BIOSAMPLES_TABLE = Table(
    name=f"{CATALOG}.beacon.biosamples",
    title="Biosample",
    description="Biosamples of every dataset; a biosample id is its VCF sample name.",
    collection=BIOSAMPLES,
    row_schema=BiosampleRowSchema,
    sources=_BIOSAMPLE_SOURCES,
    base_pipeline=(_projection(_BIOSAMPLE_SOURCES),),
)

_VARIANT_KEY_SOURCES = {
    "dataset_id": DATASET_ID,
    "variant_id": "variantInternalId",
    "chromosome": "referenceName",
    "start": "start",
    "ref": "referenceBases",
    "alt": "alternateBases",
}
_VARIANT_SOURCES = {
    **_VARIANT_KEY_SOURCES,
    "assembly_id": "assemblyId",
    "end": "end",
    "variant_type": "variantType",
    "gene_ids": "geneIds",
}
_FREQUENCY_COLUMNS = {
    "allele_count": f"${FREQUENCY}.alleleCount",
    "allele_number": f"${FREQUENCY}.alleleNumber",
    "allele_frequency": f"${FREQUENCY}.alleleFrequency",
}


_UNWOUND_ROW_KEY = (ROW_ID, *UNWOUND_POSITIONS)


def _unwind_frequencies(
    sources: Mapping[str, str], keep_variants_without: bool
) -> tuple[dict[str, Any], ...]:
    """One row per frequency entry, each knowing its positions in the two arrays. Only the
    fields the rows read are carried into the unwinding, not the whole variant record (its
    carriers), which every unwound row would otherwise copy."""
    carried = {"$project": {**dict.fromkeys(sources.values(), 1), FREQUENCIES: 1}}
    unwinds = [
        {
            "$unwind": {
                "path": f"${path}",
                "includeArrayIndex": position,
                "preserveNullAndEmptyArrays": keep_variants_without,
            }
        }
        for path, position in zip((FREQUENCIES, FREQUENCY), UNWOUND_POSITIONS, strict=True)
    ]
    return (carried, *unwinds)


VARIANTS_TABLE = Table(
    name=f"{CATALOG}.beacon.variants",
    title="Variant",
    description=(
        "Variant alleles of every dataset, one row per (dataset, allele), with the dataset's "
        "own allele count, number and frequency."
    ),
    collection=VARIANTS,
    row_schema=VariantRowSchema,
    sources=_VARIANT_SOURCES,
    row_key=_UNWOUND_ROW_KEY,
    base_pipeline=(
        *_unwind_frequencies(_VARIANT_SOURCES, keep_variants_without=True),
        # the dataset's own frequency: every sample of its VCF (population ALL)
        {"$match": {f"{FREQUENCY}.population": {"$in": ["ALL", None]}}},
        _projection(_VARIANT_SOURCES, _UNWOUND_ROW_KEY, **_FREQUENCY_COLUMNS),
    ),
)

POPULATION_FREQUENCIES_TABLE = Table(
    name=f"{CATALOG}.beacon.population_frequencies",
    title="Population allele frequency",
    description="Allele frequencies per variant and population, one row per pair.",
    collection=VARIANTS,
    row_schema=PopulationFrequencyRowSchema,
    sources=_VARIANT_KEY_SOURCES,
    row_key=_UNWOUND_ROW_KEY,
    base_pipeline=(
        *_unwind_frequencies(_VARIANT_KEY_SOURCES, keep_variants_without=False),
        _projection(
            _VARIANT_KEY_SOURCES,
            _UNWOUND_ROW_KEY,
            source=f"${FREQUENCIES}.source",
            population=f"${FREQUENCY}.population",
            **_FREQUENCY_COLUMNS,
        ),
    ),
)

_LAW_SOURCES = {
    name: name for name in PrivacyLawRowSchema().fields if not name.startswith("source_")
}

PRIVACY_LAWS_TABLE = Table(
    name=f"{CATALOG}.catalog.privacy_laws",
    title="Privacy law",
    description=(
        "The privacy-law registry: per jurisdiction, how its main personal-data law treats "
        "genetic and health data, research, and transfers abroad, with sources."
    ),
    collection=PRIVACY_LAWS,
    row_schema=PrivacyLawRowSchema,
    sources=_LAW_SOURCES,
    dataset_field=None,
    base_pipeline=(
        _projection(_LAW_SOURCES, source_titles="$sources.title", source_urls="$sources.url"),
    ),
)

_NETWORK_SOURCES = {name: name for name in NetworkDatasetRowSchema().fields}

NETWORK_DATASETS_TABLE = Table(
    name=f"{CATALOG}.network.datasets",
    title="Dataset of the network",
    description=(
        "A hub's catalog of its network: one row per dataset of every node in its registry, "
        "as the node's /datasets last described it (to an anonymous caller), with the node's "
        "status now. A node that is down keeps the datasets the hub read before, marked by "
        "node_status. A node the hub knows no dataset of (never read, or describing none) "
        "has one row with null dataset columns, so every node appears: count datasets with "
        "WHERE dataset_id IS NOT NULL."
    ),
    collection=NETWORK_DATASETS,
    row_schema=NetworkDatasetRowSchema,
    sources=_NETWORK_SOURCES,
    dataset_field=None,  # the nodes' descriptions, no dataset's data: read whole
    base_pipeline=(_projection(_NETWORK_SOURCES),),
)


@dataclass(frozen=True)
class TableSet:
    """The tables one application serves: a node's own data, or a hub's network catalog.

    ``prepare``, when given, brings the stored rows up to date before a read (a hub writes
    its network's rows from what it knows of its nodes).
    """

    tables: tuple[Table, ...]
    prepare: Callable[[], None] | None = None

    @cached_property
    def by_name(self) -> dict[str, Table]:
        return {table.name: table for table in self.tables}


TABLES: tuple[Table, ...] = (
    DATASETS_TABLE,
    PRIVACY_LAWS_TABLE,
    INDIVIDUALS_TABLE,
    BIOSAMPLES_TABLE,
    VARIANTS_TABLE,
    POPULATION_FREQUENCIES_TABLE,
)
BY_NAME = {table.name: table for table in TABLES}
NODE_TABLES = TableSet(TABLES)


def hub_tables(refresh_rows: Callable[[], None]) -> TableSet:
    """A hub holds no data: it serves its network's catalog, whose rows ``refresh_rows``
    writes, and the privacy-law registry."""
    return TableSet((NETWORK_DATASETS_TABLE, PRIVACY_LAWS_TABLE), prepare=refresh_rows)
