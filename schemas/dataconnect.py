"""Data Connect shapes: one row schema per table (its columns, types and descriptions, from which
the table's ``data_model`` JSON Schema and the SQL layer's column list are both generated), and
the response bodies (tables, table data, errors, service-info)."""

from __future__ import annotations

import copy
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate

from app.dataconnect.sql import MAX_PARAMETERS
from schemas.fields import BoundedList
from schemas.privacy_law import PrivacyLawSchema

JSON_SCHEMA_DRAFT = "http://json-schema.org/draft-07/schema#"  # what the spec's data_model uses


def _text(description: str) -> fields.String:
    return fields.String(allow_none=True, metadata={"description": description})


def _whole(description: str) -> fields.Integer:
    return fields.Integer(allow_none=True, metadata={"description": description})


def _number(description: str) -> fields.Float:
    return fields.Float(allow_none=True, metadata={"description": description})


def _texts(description: str) -> fields.List:
    return fields.List(fields.String(), allow_none=True, metadata={"description": description})


class DatasetRowSchema(Schema):
    id = _text("Dataset id, as in Beacon `/datasets/{id}` and every entry's `datasetId`.")
    name = _text("Dataset name.")
    description = _text("What the dataset holds.")
    version = _text("Release of the dataset.")
    country = _text("ISO 3166-1 alpha-2 code of the country hosting the dataset.")
    organization = _text("Organization holding the dataset.")
    populations = _texts("Populations the dataset's samples come from.")
    duo_codes = _texts("GA4GH DUO data use terms of the dataset, e.g. DUO:0000042.")
    duo_labels = _texts("Labels of the DUO terms, in the same order, e.g. general research use.")
    privacy_laws = _texts(
        "Ids of the privacy-law registry entries governing the dataset "
        "(asia_beacon.catalog.privacy_laws)."
    )
    access_level = _text(
        "Beacon security level of the dataset: PUBLIC, REGISTERED (any trusted token) or "
        "CONTROLLED (a grant for the dataset)."
    )
    create_date_time = _text("When the dataset was created (ISO 8601).")
    update_date_time = _text("When the dataset was last updated (ISO 8601).")
    variant_count = _whole("Variant alleles loaded from the dataset's VCF.")
    sample_count = _whole("Samples (VCF columns) of the dataset's VCF.")
    individual_count = _whole("Individuals loaded from the dataset's metadata.")
    biosample_count = _whole("Biosamples loaded from the dataset's metadata.")


def _catalog_column(name: str) -> fields.Field:
    """A column of the dataset catalog, with its type and description, for another table."""
    return copy.deepcopy(DatasetRowSchema._declared_fields[name])


class NetworkDatasetRowSchema(Schema):
    """A hub's catalog of its network: each dataset a node described, with that node's state."""

    beacon_id = _text(
        "Beacon holding the dataset (its /info id); on a node's row without a dataset, the "
        "node's own, null when the hub never read it."
    )
    node_id = _text(
        "Node of the hub's registry the dataset was read from (for a dataset another hub "
        "relays, that hub)."
    )
    node_name = _text("Name of the node in the hub's registry.")
    node_url = _text("Base URL of the node's Beacon API.")
    node_status = _text(
        "What the hub makes of the node now: healthy (asked), failing (skipped for a while "
        "after failures in a row), unavailable (its metadata is not read yet or cannot be "
        "read), sharedBeaconId (asked, but another node or the hub presents its beacon id) or "
        "self (the hub)."
    )
    node_problem = _text(
        "What is wrong with the node (why it is down, a beacon id it shares), with the fix; "
        "null when nothing is."
    )
    metadata_read_at = _text(
        "When the hub last read the node's metadata, datasets included (ISO 8601); null: never."
    )
    country = _text(
        "ISO 3166-1 alpha-2 code of the country hosting the dataset (its own, else the node's)."
    )
    dataset_id = _text("Dataset id at its beacon (unique with beacon_id); null: no dataset.")
    name = _catalog_column("name")
    description = _catalog_column("description")
    organization = _catalog_column("organization")
    populations = _catalog_column("populations")
    duo_codes = _catalog_column("duo_codes")
    duo_labels = _catalog_column("duo_labels")
    privacy_laws = _catalog_column("privacy_laws")
    access_level = _text(
        "Beacon security level of the dataset as its node declares it (PUBLIC, REGISTERED, "
        "CONTROLLED); the hub itself holds no data and grants nothing."
    )


def _law_columns() -> dict[str, fields.Field]:
    """The registry's fields as columns: each scalar or list of text as it is, and the sources
    (a list of objects) as two lists of text, titles and URLs, in the same order."""
    columns: dict[str, fields.Field] = {}
    for name, field in PrivacyLawSchema().fields.items():
        description = field.metadata.get("description", "")
        if isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
            for part, inner in field.inner.schema.fields.items():
                columns[f"source_{part}s"] = _texts(
                    f"{description} {inner.metadata.get('description', '')}".strip()
                )
        elif isinstance(field, fields.List):
            columns[name] = _texts(description)
        elif isinstance(field, fields.Integer):
            columns[name] = _whole(description)
        else:
            columns[name] = _text(description)
    return columns


PrivacyLawRowSchema = Schema.from_dict(_law_columns(), name="PrivacyLawRowSchema")


class IndividualRowSchema(Schema):
    dataset_id = _text("Dataset the individual belongs to.")
    id = _text("Individual id, as in Beacon `/individuals/{id}`.")
    sex_id = _text("Sex, an NCIT term id (NCIT:C16576 female, NCIT:C20197 male).")
    sex_label = _text("Label of the sex term.")
    ethnicity_id = _text("Ethnic group, an NCIT term id.")
    ethnicity_label = _text("Label of the ethnicity term.")
    geographic_origin_id = _text("Country or place of origin: ISO3166:<alpha-2> or a GAZ id.")
    geographic_origin_label = _text("Label of the origin.")
    karyotypic_sex = _text("Chromosomal sex (XX, XY, ...).")
    disease_ids = _texts("Disease codes (ICD-10, MONDO, NCIT, ...) of the individual.")
    ontology_terms = _texts(
        "Every ontology term the individual's record holds (observed phenotypes, diseases, sex, "
        "ancestry...); the terms Beacon ontology filters match."
    )


class BiosampleRowSchema(Schema):
    dataset_id = _text("Dataset the biosample belongs to.")
    id = _text("Biosample id: the sample's column name in the dataset's VCF.")
    individual_id = _text("Individual the biosample was taken from.")
    biosample_status_id = _text("Reference or abnormal sample, an EFO term id.")
    sample_origin_type_id = _text("Sample type, an UBERON (or NCIT, OBI) term id.")
    sample_origin_type_label = _text("Label of the sample type.")
    collection_date = _text("Date of collection (ISO 8601).")
    collection_moment = _text("Age at collection (ISO 8601 duration).")


class VariantRowSchema(Schema):
    dataset_id = _text("Dataset the variant was loaded into.")
    variant_id = _text("Beacon variantInternalId of the allele.")
    assembly_id = _text("Genome assembly (GRCh38, GRCh37).")
    chromosome = _text("Chromosome, without 'chr' (1-22, X, Y, MT).")
    start = _whole("0-based start of the allele (VCF POS - 1).")
    end = _whole("0-based exclusive end of the allele.")
    ref = _text("Reference bases, as in the VCF.")
    alt = _text("Alternate bases, as in the VCF (symbolic alleles kept: <DEL>, <CN0>).")
    variant_type = _text("SNP, MNP, INDEL, DEL, DUP, INS, CNV, INV or BND.")
    gene_ids = _texts("Gene symbols annotated on the allele.")
    allele_count = _whole("Allele count of the alternate allele in the dataset.")
    allele_number = _whole("Called alleles at the site in the dataset.")
    allele_frequency = _number("Alternate allele frequency in the dataset.")


class PopulationFrequencyRowSchema(Schema):
    dataset_id = _text("Dataset the variant was loaded into.")
    variant_id = _text("Beacon variantInternalId of the allele.")
    chromosome = _text("Chromosome, without 'chr'.")
    start = _whole("0-based start of the allele.")
    ref = _text("Reference bases.")
    alt = _text("Alternate bases.")
    source = _text("Where the frequency comes from (a dataset id).")
    population = _text("Population the frequency is for (ALL: every sample of the dataset).")
    allele_count = _whole("Allele count in the population.")
    allele_number = _whole("Called alleles in the population.")
    allele_frequency = _number("Alternate allele frequency in the population.")


def json_type(field: fields.Field) -> str:
    """The JSON Schema type of a column; the SQL layer compares values by it."""
    if isinstance(field, fields.List):
        return "array"
    if isinstance(field, fields.Integer):
        return "integer"
    if isinstance(field, fields.Float):
        return "number"
    if isinstance(field, fields.Boolean):
        return "boolean"
    return "string"


def column_json_schema(field: fields.Field) -> dict[str, Any]:
    kind = json_type(field)
    shape: dict[str, Any] = {"type": [kind, "null"] if field.allow_none else kind}
    if kind == "array":
        shape["items"] = {"type": json_type(field.inner)}
    if description := field.metadata.get("description"):
        shape["description"] = description
    return shape


def row_data_model(schema: Schema, title: str, description: str) -> dict[str, Any]:
    """The ``data_model`` of a table: a JSON Schema with every column, in column order."""
    return {
        "$schema": JSON_SCHEMA_DRAFT,
        "title": title,
        "description": description,
        "type": "object",
        "properties": {name: column_json_schema(field) for name, field in schema.fields.items()},
        "additionalProperties": False,
    }


class PaginationSchema(Schema):
    next_page_url = fields.String()


class DataConnectErrorSchema(Schema):
    title = fields.String(required=True)
    detail = fields.String()
    source = fields.String()


class TableSchema(Schema):
    name = fields.String(required=True)
    description = fields.String()
    data_model = fields.Dict(required=True)


class ListTablesResponseSchema(Schema):
    tables = fields.List(fields.Nested(TableSchema), required=True)
    pagination = fields.Nested(PaginationSchema)


class TableDataSchema(Schema):
    data_model = fields.Dict()
    data = fields.List(fields.Dict(), required=True)
    pagination = fields.Nested(PaginationSchema)


class ErrorResponseSchema(Schema):
    """Every Data Connect error, whatever its status."""

    errors = fields.List(
        fields.Nested(DataConnectErrorSchema), required=True, validate=validate.Length(min=1)
    )


class TablePageQuerySchema(Schema):
    """The query string of ``/table/{name}/data``."""

    page_token = fields.String(metadata={"description": "a later page (from next_page_url)"})


class SearchPageQuerySchema(Schema):
    """The query string of ``GET /search``, which only continues a search."""

    page_token = fields.String(
        required=True, metadata={"description": "the page (from next_page_url)"}
    )


class SearchRequestSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # the specification's SearchRequest does not forbid other properties

    query = fields.String(
        required=True,
        metadata={
            "description": "SQL (Trino dialect), one table; ? marks a parameter",
            "example": "SELECT id, country, access_level FROM asia_beacon.catalog.datasets",
        },
    )
    parameters = BoundedList(
        fields.Raw(allow_none=True),
        MAX_PARAMETERS,
        load_default=list,
        metadata={"description": "values of the ? parameters, in order"},
    )
