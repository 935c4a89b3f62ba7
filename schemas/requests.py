"""Beacon v2 request shapes: the POST body and the equivalent GET query string."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_load, validate

from app.query.request import GRANULARITY_ORDER, BeaconRequest, Pagination
from app.query.variants import VariantQuery
from schemas.dumping import compiled_dump
from schemas.fields import (
    BASES_PATTERN,
    BoundedList,
    Coordinates,
    UpperCaseBases,
    WholeNumber,
)
from schemas.filters import FilterField
from schemas.loading import compiled_load

GRANULARITIES = GRANULARITY_ORDER
# The most one request may ask (docs/api.md#limits): each filter may cost a query per dataset
# and a join, and what a request lists is read before anything is refused.
MAX_FILTERS = 16
MAX_REQUEST_PARAMETERS = 32  # keys of requestParameters, flat and inside g_variant together
MAX_DATASET_IDS = 1000
MAX_REQUESTED_SCHEMAS = 16
RESULTSET_INCLUSION = ("HIT", "MISS", "ALL", "NONE")
_bases = validate.Regexp(BASES_PATTERN, error="must contain IUPAC nucleotide codes only")


class VariantParametersSchema(Schema):
    """The variant request parameters (genomicVariations requestParameters.json)."""

    class Meta:
        unknown = RAISE

    # descriptions and examples (one sequence query, rs671) are for the API documentation
    assembly_id = fields.String(
        data_key="assemblyId",
        validate=validate.Length(min=1),
        metadata={"description": "GRCh38, GRCh37 or a synonym", "example": "GRCh38"},
    )
    reference_name = fields.String(
        data_key="referenceName",
        validate=validate.Length(min=1),
        metadata={"description": "chromosome: 12, chr12 or a RefSeq accession", "example": "12"},
    )
    start = Coordinates(
        minimum=0,
        metadata={"description": "0-based; two values are a bracket", "example": [111803961]},
    )
    end = Coordinates(minimum=1, metadata={"description": "0-based, exclusive"})
    reference_bases = UpperCaseBases(
        data_key="referenceBases", validate=_bases, metadata={"example": "G"}
    )
    alternate_bases = UpperCaseBases(
        data_key="alternateBases", validate=_bases, metadata={"example": "A"}
    )
    variant_type = fields.String(
        data_key="variantType",
        validate=validate.Length(min=1),
        metadata={"description": "SNP, MNP, INDEL, DEL, DUP, INS, INV, CNV or BND"},
    )
    variant_min_length = WholeNumber(data_key="variantMinLength")
    variant_max_length = WholeNumber(data_key="variantMaxLength")
    gene_id = fields.String(
        data_key="geneId",
        validate=validate.Length(min=1),
        metadata={"description": "HGNC symbol, in any case"},
    )
    aminoacid_change = fields.String(
        data_key="aminoacidChange",
        validate=validate.Length(min=1),
        metadata={"description": "one-letter protein change, e.g. E504K"},
    )
    genomic_allele_short_form = fields.String(
        data_key="genomicAlleleShortForm",
        validate=validate.Length(min=1),
        metadata={"description": "genomic HGVS, e.g. NC_000012.12:g.111803962G>A"},
    )
    mate_name = fields.String(
        data_key="mateName", metadata={"description": "fusions: not supported (400)"}
    )


class VariantRequestParametersSchema(VariantParametersSchema):
    """``requestParameters`` of a variant query, read into a :class:`VariantQuery`."""

    @post_load
    def _to_query(self, data: dict[str, Any], **kwargs: Any) -> VariantQuery:
        return VariantQuery(**data)


class DatasetSelectionSchema(Schema):
    """``requestParameters.datasets``: restricts a query to some datasets."""

    class Meta:
        unknown = RAISE

    dataset_ids = BoundedList(
        fields.String(validate=validate.Length(min=1)),
        MAX_DATASET_IDS,
        minimum=1,
        data_key="datasetIds",
        required=True,
    )


# The framework groups request parameters by entity; clients also send them flat.
VARIANT_PARAMETERS_KEY = "g_variant"
DATASETS_KEY = "datasets"


class RequestParametersSchema(VariantParametersSchema):
    """``requestParameters`` as a client may write it: the variant parameters flat, or grouped by
    entity. It documents the body (OpenAPI); :func:`variant_query_from_parameters` reads it, and
    also refuses a parameter given both ways."""

    g_variant = fields.Nested(VariantParametersSchema, data_key=VARIANT_PARAMETERS_KEY)
    datasets = fields.Nested(DatasetSelectionSchema, data_key=DATASETS_KEY)


class RequestedSchemaSchema(Schema):
    class Meta:
        unknown = RAISE

    entity_type = fields.String(data_key="entityType")
    schema = fields.String()


class RequestMetaSchema(Schema):
    api_version = fields.String(data_key="apiVersion", load_default=None)
    requested_schemas = BoundedList(
        fields.Nested(RequestedSchemaSchema),
        MAX_REQUESTED_SCHEMAS,
        data_key="requestedSchemas",
        load_default=list,
    )
    schema = fields.String(data_key="$schema")


class PaginationSchema(Schema):
    class Meta:
        unknown = RAISE

    skip = WholeNumber(load_default=0, metadata={"description": "pages of `limit` to skip"})
    limit = WholeNumber(
        load_default=None, metadata={"description": "records per page; 0 asks for the most"}
    )
    current_page = fields.String(data_key="currentPage")
    next_page = fields.String(data_key="nextPage")
    previous_page = fields.String(data_key="previousPage")


def _request_parameters(value: Any) -> None:
    """Kept raw (its keys depend on the entry type), but an object on every endpoint, of at
    most :data:`MAX_REQUEST_PARAMETERS` parameters."""
    if not isinstance(value, dict):
        raise ValidationError("must be an object")
    grouped = value.get(VARIANT_PARAMETERS_KEY)
    count = len(value) + (len(grouped) if isinstance(grouped, dict) else 0)
    if count > MAX_REQUEST_PARAMETERS:
        raise ValidationError(f"at most {MAX_REQUEST_PARAMETERS} parameters, not {count}")


class BeaconQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    request_parameters = fields.Raw(
        data_key="requestParameters",
        load_default=dict,
        validate=_request_parameters,
        metadata={"documented_by": RequestParametersSchema},
    )
    filters = BoundedList(FilterField(), MAX_FILTERS, load_default=list)
    include_resultset_responses = fields.String(
        data_key="includeResultsetResponses",
        validate=validate.OneOf(RESULTSET_INCLUSION),
        load_default="HIT",
    )
    pagination = fields.Nested(PaginationSchema, load_default=dict)
    requested_granularity = fields.String(
        data_key="requestedGranularity", validate=validate.OneOf(GRANULARITIES), load_default=None
    )
    test_mode = fields.Boolean(data_key="testMode", load_default=False)


class BeaconRequestBodySchema(Schema):
    """A POST body: ``{"meta": {...}, "query": {...}}`` (beaconRequestBody.json)."""

    class Meta:
        unknown = RAISE

    meta = fields.Nested(RequestMetaSchema, load_default=dict)
    query = fields.Nested(BeaconQuerySchema, load_default=dict)
    schema = fields.String(data_key="$schema")

    @pre_load
    def _require_object(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            raise ValidationError("the request body must be a JSON object")
        return data

    @post_load
    def _to_request(self, data: dict[str, Any], **kwargs: Any) -> BeaconRequest:
        # Nested defaults ({}) are not loaded through their schema, hence the fallbacks.
        query, meta = data["query"], data["meta"]
        pagination = query.get("pagination", {})
        return BeaconRequest(
            request_parameters=query.get("request_parameters", {}),
            filters=query.get("filters", []),
            requested_granularity=query.get("requested_granularity"),
            include_resultset_responses=query.get("include_resultset_responses", "HIT"),
            pagination=Pagination(pagination.get("skip", 0), pagination.get("limit")),
            api_version=meta.get("api_version"),
            requested_schemas=meta.get("requested_schemas", []),
            test_mode=query.get("test_mode", False),
        )


# Where each framework key of a GET query string goes in the POST body; every other key is a
# request parameter. GET is reshaped into the body form so one schema reads both.
_GET_KEY_PLACES: dict[str, tuple[str, ...]] = {
    "requestedGranularity": ("query", "requestedGranularity"),
    "includeResultsetResponses": ("query", "includeResultsetResponses"),
    "testMode": ("query", "testMode"),
    "skip": ("query", "pagination", "skip"),
    "limit": ("query", "pagination", "limit"),
    "filters": ("query", "filters"),
    "apiVersion": ("meta", "apiVersion"),
    "requestedSchema": ("meta", "requestedSchemas"),
}


def request_from_query_string(args: dict[str, str]) -> BeaconRequest:
    """The same :class:`BeaconRequest` a POST body would give, from GET arguments."""
    body: dict[str, Any] = {"meta": {}, "query": {"requestParameters": {}}}
    for key, value in args.items():
        place = _GET_KEY_PLACES.get(key)
        if place is None:
            body["query"]["requestParameters"][key] = value
            continue
        if key == "filters":
            value = [term.strip() for term in value.split(",") if term.strip()]
        elif key == "requestedSchema":
            value = [{"schema": value}]
        *parents, leaf = place
        target = body
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    try:
        return _LOAD_REQUEST_BODY(body)
    except ValidationError as error:
        raise ValidationError(_messages_by_get_key(error.messages)) from None


# GET writes two framework keys otherwise than the body: filter terms comma-separated, and one
# requested schema.
_GET_VALUES: dict[str, fields.Field] = {
    "filters": fields.List(
        fields.String(),
        metadata={
            "description": "comma-separated terms (ontology ids or field:value); empty "
            "ones are ignored"
        },
    ),
    "requestedSchema": fields.String(),
}


def query_string_fields(variant_parameters: bool) -> dict[str, fields.Field]:
    """Each key a GET query string may hold and the field reading its value: the framework keys,
    and the variant request parameters where the endpoint takes them. Documents GET (OpenAPI)."""
    body = BeaconRequestBodySchema()
    found = {
        key: _GET_VALUES.get(key) or _field_at(body, place)
        for key, place in _GET_KEY_PLACES.items()
    }
    if variant_parameters:
        found.update(_fields_by_key(VariantParametersSchema()))
    return found


def _fields_by_key(schema: Schema) -> dict[str, fields.Field]:
    return {field.data_key or name: field for name, field in schema.fields.items()}


def _field_at(schema: Schema, place: tuple[str, ...]) -> fields.Field:
    first, *rest = place
    field = _fields_by_key(schema)[first]
    return _field_at(field.schema, tuple(rest)) if rest else field


def _messages_by_get_key(messages: Any) -> Any:
    """Name each problem by the query-string key the client wrote, not its place in the body."""
    found = {}
    for key, place in _GET_KEY_PLACES.items():
        node = messages
        for part in place:
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            found[key] = node
    return found or messages


def request_from_body(body: Any) -> BeaconRequest:
    return _LOAD_REQUEST_BODY(body)


def variant_query_from_parameters(parameters: Any) -> tuple[VariantQuery, list[str] | None]:
    """The variant query and the requested dataset ids (None: all) of ``requestParameters``.

    Accepts the framework's grouped form ``{"g_variant": {...}, "datasets": {"datasetIds": [..]}}``
    and the flat form ``{"referenceName": ..., "start": ...}``.
    """
    if not isinstance(parameters, dict):
        raise ValidationError({"requestParameters": ["must be an object"]})
    flat = dict(parameters)
    grouped = flat.pop(VARIANT_PARAMETERS_KEY, {})
    if not isinstance(grouped, dict):
        raise ValidationError({VARIANT_PARAMETERS_KEY: ["must be an object"]})
    dataset_ids = None
    if DATASETS_KEY in flat:
        selection = flat.pop(DATASETS_KEY)
        try:
            dataset_ids = _LOAD_DATASET_SELECTION(selection)["dataset_ids"]
        except ValidationError as error:
            raise ValidationError({DATASETS_KEY: error.messages}) from None
    clash = sorted(set(flat) & set(grouped))
    if clash:
        raise ValidationError({clash[0]: ["given both flat and inside g_variant"]})
    return _LOAD_VARIANT_PARAMETERS({**flat, **grouped}), dataset_ids


def echo_request_parameters(query: VariantQuery, dataset_ids: list[str] | None) -> dict[str, Any]:
    """The parameters as understood, grouped by entity as the framework schema wants them."""
    dumped = _DUMP_VARIANT_PARAMETERS(query)
    echoed: dict[str, Any] = {}
    variant = {key: value for key, value in dumped.items() if value is not None}
    if variant:
        echoed[VARIANT_PARAMETERS_KEY] = variant
    if dataset_ids is not None:
        echoed[DATASETS_KEY] = {"datasetIds": dataset_ids}
    return echoed


# Schemas hold no per-request state: build them once, not on every request.
# (compiled: marshmallow's per-call walk was a tenth of a count request's CPU)
_LOAD_REQUEST_BODY = compiled_load(BeaconRequestBodySchema())
_LOAD_DATASET_SELECTION = compiled_load(DatasetSelectionSchema())
_VARIANT_PARAMETERS = VariantRequestParametersSchema()
_LOAD_VARIANT_PARAMETERS = compiled_load(_VARIANT_PARAMETERS)
_DUMP_VARIANT_PARAMETERS = compiled_dump(_VARIANT_PARAMETERS)
