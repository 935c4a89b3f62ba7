"""Beacon v2 response shapes (framework/json/responses), dumped from snake_case Python data."""

from __future__ import annotations

from marshmallow import Schema, fields

from schemas.privacy_law import PrivacyLawSchema


class SchemaReferenceSchema(Schema):
    entity_type = fields.String(data_key="entityType")
    schema = fields.String()


class PaginationSummarySchema(Schema):
    skip = fields.Integer()
    limit = fields.Integer()


class ReceivedRequestSummarySchema(Schema):
    api_version = fields.String(data_key="apiVersion")
    requested_schemas = fields.List(
        fields.Nested(SchemaReferenceSchema), data_key="requestedSchemas"
    )
    filters = fields.List(fields.String())
    request_parameters = fields.Dict(data_key="requestParameters")
    include_resultset_responses = fields.String(data_key="includeResultsetResponses")
    pagination = fields.Nested(PaginationSummarySchema)
    requested_granularity = fields.String(data_key="requestedGranularity")
    test_mode = fields.Boolean(data_key="testMode")


class ResponseMetaSchema(Schema):
    beacon_id = fields.String(data_key="beaconId")
    api_version = fields.String(data_key="apiVersion")
    returned_granularity = fields.String(data_key="returnedGranularity")
    received_request_summary = fields.Nested(
        ReceivedRequestSummarySchema, data_key="receivedRequestSummary"
    )
    returned_schemas = fields.List(fields.Nested(SchemaReferenceSchema), data_key="returnedSchemas")
    test_mode = fields.Boolean(data_key="testMode")


class InformationalMetaSchema(Schema):
    beacon_id = fields.String(data_key="beaconId")
    api_version = fields.String(data_key="apiVersion")
    returned_schemas = fields.List(fields.Nested(SchemaReferenceSchema), data_key="returnedSchemas")


class SummarySchema(Schema):
    exists = fields.Boolean()
    num_total_results = fields.Integer(data_key="numTotalResults")


class CountBandSchema(Schema):
    """The range a reported count stands for (small-count protection)."""

    min = fields.Integer()
    max = fields.Integer()


class ResultSetInfoSchema(Schema):
    count_band = fields.Nested(CountBandSchema, data_key="countBand")


class ResultSetSchema(Schema):
    id = fields.String()
    set_type = fields.String(data_key="setType")
    exists = fields.Boolean()
    results_count = fields.Integer(data_key="resultsCount")
    results = fields.List(fields.Dict())
    info = fields.Nested(ResultSetInfoSchema)


class ResponseInfoSchema(Schema):
    warnings = fields.List(fields.String())


class ResultSetsSchema(Schema):
    result_sets = fields.List(fields.Nested(ResultSetSchema), data_key="resultSets")


class ResultsetsResponseSchema(Schema):
    """beaconResultsetsResponse, and at lower granularity beaconCountResponse /
    beaconBooleanResponse (which carry no ``response`` at boolean level)."""

    meta = fields.Nested(ResponseMetaSchema, required=True)
    response_summary = fields.Nested(SummarySchema, data_key="responseSummary", required=True)
    info = fields.Nested(ResponseInfoSchema)
    response = fields.Nested(ResultSetsSchema)


class CollectionsSchema(Schema):
    collections = fields.List(fields.Dict())


class CollectionsResponseSchema(Schema):
    """beaconCollectionsResponse (datasets, cohorts)."""

    meta = fields.Nested(ResponseMetaSchema, required=True)
    response_summary = fields.Nested(SummarySchema, data_key="responseSummary", required=True)
    info = fields.Nested(ResponseInfoSchema)
    response = fields.Nested(CollectionsSchema)


class BeaconErrorSchema(Schema):
    error_code = fields.Integer(data_key="errorCode", required=True)
    error_message = fields.String(data_key="errorMessage")


class ErrorResponseSchema(Schema):
    """beaconErrorResponse: every Beacon error, whatever its status."""

    meta = fields.Nested(ResponseMetaSchema, required=True)
    error = fields.Nested(BeaconErrorSchema, required=True)


class OrganizationSchema(Schema):
    id = fields.String()
    name = fields.String()
    welcome_url = fields.String(data_key="welcomeUrl")
    contact_url = fields.String(data_key="contactUrl")


class InfoResultsSchema(Schema):
    id = fields.String()
    name = fields.String()
    api_version = fields.String(data_key="apiVersion")
    environment = fields.String()
    organization = fields.Nested(OrganizationSchema)
    description = fields.String()
    version = fields.String()
    welcome_url = fields.String(data_key="welcomeUrl")
    create_date_time = fields.String(data_key="createDateTime")
    update_date_time = fields.String(data_key="updateDateTime")
    info = fields.Dict()


class InfoResponseSchema(Schema):
    meta = fields.Nested(InformationalMetaSchema)
    response = fields.Nested(InfoResultsSchema)


class ServiceTypeSchema(Schema):
    group = fields.String()
    artifact = fields.String()
    version = fields.String()


class ServiceOrganizationSchema(Schema):
    name = fields.String()
    url = fields.String()


class ServiceInfoSchema(Schema):
    """GA4GH service-info 1.0.0."""

    id = fields.String()
    name = fields.String()
    type = fields.Nested(ServiceTypeSchema)
    description = fields.String()
    organization = fields.Nested(ServiceOrganizationSchema)
    contact_url = fields.String(data_key="contactUrl")
    documentation_url = fields.String(data_key="documentationUrl")
    created_at = fields.String(data_key="createdAt")
    updated_at = fields.String(data_key="updatedAt")
    environment = fields.String()
    version = fields.String()


class OntologyTermSchema(Schema):
    id = fields.String()
    label = fields.String()


class EntryTypeDefinitionSchema(Schema):
    id = fields.String()
    name = fields.String()
    description = fields.String()
    ontology_term_for_this_type = fields.Nested(
        OntologyTermSchema, data_key="ontologyTermForThisType"
    )
    part_of_specification = fields.String(data_key="partOfSpecification")
    default_schema = fields.Dict(data_key="defaultSchema")
    non_filtered_queries_allowed = fields.Boolean(data_key="nonFilteredQueriesAllowed")


class EntryTypesSchema(Schema):
    entry_types = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(EntryTypeDefinitionSchema),
        data_key="entryTypes",
    )


class EntryTypesResponseSchema(Schema):
    meta = fields.Nested(InformationalMetaSchema)
    response = fields.Nested(EntryTypesSchema)


class MaturitySchema(Schema):
    production_status = fields.String(data_key="productionStatus")


class SecuritySchema(Schema):
    default_granularity = fields.String(data_key="defaultGranularity")
    security_levels = fields.List(fields.String(), data_key="securityLevels")


class ConfigurationSchema(Schema):
    schema = fields.String(data_key="$schema")
    maturity_attributes = fields.Nested(MaturitySchema, data_key="maturityAttributes")
    security_attributes = fields.Nested(SecuritySchema, data_key="securityAttributes")
    entry_types = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(EntryTypeDefinitionSchema),
        data_key="entryTypes",
    )


class ConfigurationResponseSchema(Schema):
    meta = fields.Nested(InformationalMetaSchema)
    response = fields.Nested(ConfigurationSchema)


class RelatedEndpointSchema(Schema):
    returned_entry_type = fields.String(data_key="returnedEntryType")
    url = fields.String()


class EndpointSetSchema(Schema):
    entry_type = fields.String(data_key="entryType")
    root_url = fields.String(data_key="rootUrl")
    single_entry_url = fields.String(data_key="singleEntryUrl")
    filtering_terms_url = fields.String(data_key="filteringTermsUrl")
    endpoints = fields.Dict(keys=fields.String(), values=fields.Nested(RelatedEndpointSchema))


class MapSchema(Schema):
    schema = fields.String(data_key="$schema")
    endpoint_sets = fields.Dict(
        keys=fields.String(), values=fields.Nested(EndpointSetSchema), data_key="endpointSets"
    )


class MapResponseSchema(Schema):
    meta = fields.Nested(InformationalMetaSchema)
    response = fields.Nested(MapSchema)


class FilteringTermSchema(Schema):
    type = fields.String()
    id = fields.String()
    label = fields.String()
    scopes = fields.List(fields.String())
    # not "values": a dict's attribute of that name is its method
    known_values = fields.List(fields.String(), data_key="values")


class FilteringTermsSchema(Schema):
    filtering_terms = fields.List(fields.Nested(FilteringTermSchema), data_key="filteringTerms")
    resources = fields.List(fields.Dict())


class FilteringTermsResponseSchema(Schema):
    meta = fields.Nested(InformationalMetaSchema)
    response = fields.Nested(FilteringTermsSchema)


class PrivacyLawsSchema(Schema):
    version = fields.String()
    reviewed = fields.String()
    entries = fields.List(fields.Nested(PrivacyLawSchema))


class PrivacyLawsResponseSchema(Schema):
    """Our extension: the privacy-law registry, in the informational envelope."""

    meta = fields.Nested(InformationalMetaSchema)
    response = fields.Nested(PrivacyLawsSchema)
