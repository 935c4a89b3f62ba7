"""The OpenAPI 3 document of the whole application, served at ``GET /openapi.json``.

apispec builds it from the Flask URL map and the marshmallow schemas of ``schemas/``, once, when
the application starts. Every route needs a description in ``_route_docs``: a route without one
stops the application at start, so no test run can miss it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from http import HTTPStatus
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Blueprint, Flask, Response, current_app, jsonify
from marshmallow import Schema, fields
from werkzeug.routing import Map

from app.beacon import entries, info
from app.catalog import routes as catalog_laws
from app.dataconnect import routes as dataconnect
from app.entry_types import BY_ID, ENTRY_TYPES
from app.network import catalog_page as network_catalog
from app.network import routes as network_routes
from app.ops import health
from app.settings import BeaconSettings
from app.web import routes as web
from schemas import dataconnect as dataconnect_shapes
from schemas import network as network_shapes
from schemas import ops as ops_shapes
from schemas import responses as beacon_shapes
from schemas.fields import INT64_MAX, Coordinates, UpperCaseBases, WholeNumber
from schemas.filters import FilterField, FilterObjectSchema
from schemas.requests import BeaconRequestBodySchema, query_string_fields

OPENAPI_VERSION = "3.0.3"
DOCUMENT_KEY = "asia_beacon.openapi"
AUTOMATIC_METHODS = frozenset({"HEAD", "OPTIONS"})  # Flask answers them on every route
BEARER = "bearerToken"
STATUS_MEANINGS = {
    400: "The request breaks the specification, or asks for what this server cannot serve.",
    401: "A bearer token was sent and is not valid (a request without one is anonymous).",
    404: "Nothing of that id or name, or no such path.",
    413: "The request body is larger than this server accepts.",
    429: "The caller's budget of answers about rare variants is spent (see Retry-After).",
    503: "The database does not answer.",
    # a hub's query answers, when no node could answer (docs/guides/network.md)
    403: "Every node the hub asked refused the query with 403: the hub relays their refusal.",
    502: "No node could answer the hub's query: each node and its reason are in the message.",
    504: "Every node the hub asked timed out.",
}
# a hub relays the nodes' common 4xx, or says that no node could answer
_HUB_QUERY_ERRORS = (HTTPStatus.FORBIDDEN, HTTPStatus.BAD_GATEWAY, HTTPStatus.GATEWAY_TIMEOUT)
# Component names: the class name without "Schema", prefixed by the API surface it belongs to.
_SURFACE_PREFIXES = {
    "schemas.requests": "Beacon",
    "schemas.responses": "Beacon",
    "schemas.filters": "Beacon",
    "schemas.dataconnect": "DataConnect",
    "schemas.network": "Network",
}
# a hub's blueprint -> the node blueprint whose routes it answers for the whole network
HUB_COUNTERPARTS = {
    "network_info": info.blueprint.name,
    "network_entries": entries.blueprint.name,
    "network_catalog": web.blueprint.name,
}
_SHARED_SHAPES = ("ServiceInfo", "ServiceType", "ServiceOrganization")  # GA4GH service-info

blueprint = Blueprint("openapi", __name__)


@blueprint.get("/openapi.json")
def openapi_document() -> Response:
    return jsonify(current_app.extensions[DOCUMENT_KEY])


def install_openapi(app: Flask, settings: BeaconSettings) -> None:
    """Serve the document of every route; call it once all other blueprints are registered."""
    app.register_blueprint(blueprint)
    app.extensions[DOCUMENT_KEY] = build_document(
        routes_of(app.url_map), settings.name, settings.version, settings.base_url
    )


@dataclass(frozen=True)
class Route:
    rule: str  # as Flask writes it, e.g. ``/g_variants/<path:entry_id>``
    endpoint: str
    methods: tuple[str, ...]  # those the document describes

    @property
    def path(self) -> str:
        """The path as OpenAPI writes it, e.g. ``/g_variants/{entry_id}``."""
        return _RULE_ARGUMENT.sub(r"{\2}", self.rule)


def routes_of(url_map: Map) -> tuple[Route, ...]:
    """Every route but static files, with the methods Flask does not add by itself."""
    return tuple(
        Route(rule.rule, rule.endpoint, tuple(sorted((rule.methods or set()) - AUTOMATIC_METHODS)))
        for rule in sorted(url_map.iter_rules(), key=lambda rule: rule.rule)
        if rule.endpoint.split(".")[-1] != "static"
    )


@dataclass(frozen=True)
class RouteDoc:
    """What the document says of one endpoint, for each of its methods."""

    summary: str
    answer: type[Schema] | Schema | None  # the JSON body of a 200 (an instance: many=True)
    errors: tuple[int, ...] = ()  # besides 401 (any route) and 404 (a route with a path id)
    query: Mapping[str, fields.Field] = field(default_factory=dict)  # of GET
    body: type[Schema] | None = None  # of POST
    body_required: bool = False
    html: bool = False  # a 200 may be a text/html page
    other: Mapping[int, type[Schema]] = field(default_factory=dict)  # non-error bodies


@lru_cache(maxsize=4)
def build_document(
    routes: tuple[Route, ...], title: str, version: str, base_url: str
) -> dict[str, Any]:
    """The document (a pure function of its arguments, so every application of a test run
    shares one: building it takes longer than the rest of ``create_app``). Read-only."""
    plugin = MarshmallowPlugin(schema_name_resolver=component_name)
    spec = APISpec(
        title=title,
        version=version,
        openapi_version=OPENAPI_VERSION,
        plugins=[plugin],
        info={"description": _DESCRIPTION},
        security=[{}, {BEARER: []}],
        **({"servers": [{"url": base_url}]} if base_url else {}),
    )
    plugin.converter.add_attribute_function(custom_field_properties)
    spec.components.security_scheme(BEARER, _BEARER_SCHEME)
    docs = _route_docs()
    tags = _tags()
    for route in routes:
        doc = docs.get(route.endpoint) or _counterpart_doc(docs, route.endpoint)
        if doc is None:
            raise LookupError(f"{route.rule} ({route.endpoint}) has no description in {__name__}")
        tag = tags[route.endpoint.split(".")[0]]
        operations = {
            method.lower(): _operation(route, method, doc, tag, plugin) for method in route.methods
        }
        spec.path(path=route.path, operations=operations)
    return spec.to_dict()


def component_name(schema: Any) -> str:
    cls = resolve_schema_cls(schema)
    name = cls.__name__.removesuffix("Schema")
    prefix = "" if name in _SHARED_SHAPES else _SURFACE_PREFIXES.get(cls.__module__, "")
    return name if name.startswith(prefix) else prefix + name


def custom_field_properties(self: Any, field: fields.Field, **kwargs: Any) -> dict[str, Any]:
    """OpenAPI properties of this project's own field types, which apispec cannot know."""
    if isinstance(field, WholeNumber):
        return _whole_number(field.minimum)
    if isinstance(field, Coordinates):
        one = _whole_number(field.minimum)
        return {"oneOf": [one, {"type": "array", "items": one, "minItems": 1, "maxItems": 2}]}
    if isinstance(field, UpperCaseBases):
        return {"pattern": UpperCaseBases.SENT_PATTERN}
    if isinstance(field, FilterField):
        term = {"type": "string", "pattern": r"\S", "description": "an ontology id or field:value"}
        return {"oneOf": [term, self.resolve_nested_schema(FilterObjectSchema)]}
    if documented_by := field.metadata.get("documented_by"):
        return self.resolve_nested_schema(documented_by)
    return {}


def _operation(
    route: Route, method: str, doc: RouteDoc, tag: str, plugin: MarshmallowPlugin
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": f"{method.lower()}_{route.endpoint.replace('.', '_')}",
        "summary": doc.summary,
        "tags": [tag],
        "parameters": _path_parameters(route),
        "responses": _responses(route, doc, takes_body=method == "POST" and doc.body is not None),
    }
    if method == "GET":
        operation["parameters"] += [
            _query_parameter(name, field, plugin) for name, field in doc.query.items()
        ]
    if method == "POST" and doc.body is not None:
        operation["requestBody"] = {
            "required": doc.body_required,
            "content": {"application/json": {"schema": doc.body}},
        }
    return operation


def _responses(route: Route, doc: RouteDoc, takes_body: bool) -> dict[str, Any]:
    ok: dict[str, Any] = {}
    if doc.answer is not None:
        ok["application/json"] = {"schema": doc.answer}
    if doc.html:
        ok["text/html"] = {"schema": {"type": "string"}}
    responses: dict[str, Any] = {"200": {"description": doc.summary, "content": ok}}
    error = (
        dataconnect_shapes.ErrorResponseSchema
        if route.rule.startswith(dataconnect.PREFIX)
        else beacon_shapes.ErrorResponseSchema
    )
    statuses = {*doc.errors, HTTPStatus.UNAUTHORIZED}
    if _RULE_ARGUMENT.search(route.rule):
        statuses.add(HTTPStatus.NOT_FOUND)
    if takes_body:
        statuses.add(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    for status in sorted(statuses):
        responses[str(status)] = _json_response(status, error)
    for status, schema in doc.other.items():
        responses[str(status)] = _json_response(status, schema)
    return responses


def _json_response(status: int, schema: type[Schema]) -> dict[str, Any]:
    return {
        "description": STATUS_MEANINGS[status],
        "content": {"application/json": {"schema": schema}},
    }


def _path_parameters(route: Route) -> list[dict[str, Any]]:
    parameters = []
    for converter, name in _RULE_ARGUMENT.findall(route.rule):
        parameter = {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string", "minLength": 1},
        }
        if converter == "path:":
            parameter["description"] = "may contain slashes"
        parameters.append(parameter)
    return parameters


def _query_parameter(name: str, field: fields.Field, plugin: MarshmallowPlugin) -> dict[str, Any]:
    """A GET parameter; a list or a pair of coordinates is written comma-separated."""
    if isinstance(field, Coordinates):
        one = _whole_number(field.minimum)
        schema = {"type": "array", "items": one, "minItems": 1, "maxItems": 2}
    elif isinstance(field, fields.List):
        schema = {"type": "array", "items": plugin.converter.field2property(field.inner)}
    else:
        schema = plugin.converter.field2property(field)
    # a query string cannot hold null
    schema = {key: value for key, value in schema.items() if value is not None}
    schema.pop("nullable", None)
    if "enum" in schema:
        schema["enum"] = [value for value in schema["enum"] if value is not None]
    if "example" in field.metadata:
        schema["example"] = field.metadata["example"]
    parameter = {"name": name, "in": "query", "required": field.required, "schema": schema}
    if description := schema.pop("description", field.metadata.get("description")):
        parameter["description"] = description
    if schema.get("type") == "array":
        parameter.update(style="form", explode=False)
    return parameter


def _whole_number(minimum: int) -> dict[str, Any]:
    return {"type": "integer", "format": "int64", "minimum": minimum, "maximum": INT64_MAX}


def _route_docs() -> dict[str, RouteDoc]:
    """The description of every endpoint, by Flask endpoint name."""
    shapes = beacon_shapes
    terms = shapes.FilteringTermsResponseSchema
    docs = {
        _endpoint(info.blueprint, info.root): RouteDoc(
            "Beacon information; a browser preferring HTML gets the catalog page",
            shapes.InfoResponseSchema,
            html=True,
        ),
        _endpoint(info.blueprint, info.info): RouteDoc(
            "Beacon information", shapes.InfoResponseSchema
        ),
        _endpoint(info.blueprint, info.service_info): RouteDoc(
            "GA4GH service-info of the beacon", shapes.ServiceInfoSchema
        ),
        _endpoint(info.blueprint, info.configuration): RouteDoc(
            "Beacon configuration", shapes.ConfigurationResponseSchema
        ),
        _endpoint(info.blueprint, info.beacon_map): RouteDoc(
            "Beacon map: every endpoint served", shapes.MapResponseSchema
        ),
        _endpoint(info.blueprint, info.entry_types): RouteDoc(
            "The entry types served", shapes.EntryTypesResponseSchema
        ),
        _endpoint(info.blueprint, info.filtering_terms): RouteDoc(
            "Filtering terms present in the data the caller may see", terms
        ),
        _endpoint(info.blueprint, info.individual_filtering_terms): RouteDoc(
            "Filtering terms of individuals", terms
        ),
        _endpoint(info.blueprint, info.dataset_filtering_terms): RouteDoc(
            "Filtering terms of one dataset", terms
        ),
        _endpoint(info.blueprint, info.cohort_filtering_terms): RouteDoc(
            "Filtering terms of the datasets a cohort belongs to", terms
        ),
        **_entry_docs(),
        **_data_connect_docs(),
        _endpoint(catalog_laws.blueprint, catalog_laws.privacy_laws): RouteDoc(
            "The privacy-law registry", shapes.PrivacyLawsResponseSchema
        ),
        _endpoint(catalog_laws.blueprint, catalog_laws.privacy_law): RouteDoc(
            "One entry of the privacy-law registry", shapes.PrivacyLawsResponseSchema
        ),
        _endpoint(web.blueprint, web.catalog): RouteDoc("The catalog page (HTML)", None, html=True),
        _endpoint(health.blueprint, health.liveness): RouteDoc(
            "Liveness: the process answers", ops_shapes.HealthStatusSchema
        ),
        _endpoint(health.blueprint, health.readiness): RouteDoc(
            "Readiness: the database answers",
            ops_shapes.HealthStatusSchema,
            other={HTTPStatus.SERVICE_UNAVAILABLE: ops_shapes.HealthStatusSchema},
        ),
        _endpoint(blueprint, openapi_document): RouteDoc(
            "This document", ops_shapes.OpenApiDocumentSchema
        ),
        **_hub_docs(),
    }
    return docs


def _hub_docs() -> dict[str, RouteDoc]:
    """A hub's own routes; the routes it shares with a node have the node route's description
    (``HUB_COUNTERPARTS``), except that query answers carry the hub's result sets."""
    services = network_routes.services_blueprint
    listed = network_shapes.RegisteredServiceSchema
    return {
        _endpoint(services, network_routes.services): RouteDoc(
            "GA4GH Service Registry: every node of this network", listed(many=True)
        ),
        _endpoint(services, network_routes.service_types): RouteDoc(
            "GA4GH Service Registry: the types of service the nodes are",
            beacon_shapes.ServiceTypeSchema(many=True),
        ),
        _endpoint(services, network_routes.service): RouteDoc(
            "GA4GH Service Registry: one node, by registry id or service id", listed
        ),
    }


def _counterpart_doc(docs: Mapping[str, RouteDoc], endpoint: str) -> RouteDoc | None:
    """A hub route's description: that of the node route it stands for."""
    owner, _, name = endpoint.partition(".")
    counterpart = HUB_COUNTERPARTS.get(owner)
    doc = docs.get(f"{counterpart}.{name}") if counterpart else None
    if doc is None or counterpart != entries.blueprint.name:
        return doc
    doc = replace(doc, errors=(*doc.errors, *_HUB_QUERY_ERRORS))
    if doc.answer is beacon_shapes.ResultsetsResponseSchema:
        return replace(doc, answer=network_shapes.NetworkResultsetsResponseSchema)
    return doc


def _entry_docs() -> dict[str, RouteDoc]:
    """Every entry-type endpoint, from the entry-type registry as the routes are."""
    docs = {}
    for entry in ENTRY_TYPES:
        name = entry.name.lower()
        if entry.collection:
            answer, errors = beacon_shapes.CollectionsResponseSchema, (HTTPStatus.BAD_REQUEST,)
        else:
            answer = beacon_shapes.ResultsetsResponseSchema
            errors = (HTTPStatus.BAD_REQUEST, HTTPStatus.TOO_MANY_REQUESTS)
        docs[_entry_endpoint(entries.root_endpoint(entry))] = _entry_doc(
            f"Query {name}", answer, errors, variant_parameters=not entry.collection
        )
        docs[_entry_endpoint(entries.single_endpoint(entry))] = _entry_doc(
            f"One of the {name}, by id", answer, errors, variant_parameters=False
        )
        for target_id in entry.nested:
            target = BY_ID[target_id]
            docs[_entry_endpoint(entries.nested_endpoint(entry, target))] = _entry_doc(
                f"{target.name} linked to one of the {name}",
                beacon_shapes.ResultsetsResponseSchema,
                (HTTPStatus.BAD_REQUEST, HTTPStatus.TOO_MANY_REQUESTS),
                variant_parameters=True,
            )
    return docs


def _entry_doc(
    summary: str, answer: type[Schema], errors: tuple[int, ...], variant_parameters: bool
) -> RouteDoc:
    return RouteDoc(
        summary,
        answer,
        errors,
        query=query_string_fields(variant_parameters),
        body=BeaconRequestBodySchema,
    )


def _data_connect_docs() -> dict[str, RouteDoc]:
    shapes = dataconnect_shapes
    bad = (HTTPStatus.BAD_REQUEST,)
    return {
        _endpoint(dataconnect.blueprint, dataconnect.tables): RouteDoc(
            "Data Connect: the tables", shapes.ListTablesResponseSchema
        ),
        _endpoint(dataconnect.blueprint, dataconnect.table_info): RouteDoc(
            "Data Connect: a table's description and data model", shapes.TableSchema
        ),
        _endpoint(dataconnect.blueprint, dataconnect.table_data): RouteDoc(
            "Data Connect: a page of a table's rows",
            shapes.TableDataSchema,
            bad,
            query=shapes.TablePageQuerySchema().fields,
        ),
        _endpoint(dataconnect.blueprint, dataconnect.search): RouteDoc(
            "Data Connect: an SQL query, first page",
            shapes.TableDataSchema,
            bad,
            body=shapes.SearchRequestSchema,
            body_required=True,
        ),
        _endpoint(dataconnect.blueprint, dataconnect.search_page): RouteDoc(
            "Data Connect: a later page of an SQL query",
            shapes.TableDataSchema,
            bad,
            query=shapes.SearchPageQuerySchema().fields,
        ),
        _endpoint(dataconnect.blueprint, dataconnect.service_info): RouteDoc(
            "GA4GH service-info of Data Connect", beacon_shapes.ServiceInfoSchema
        ),
    }


def _tags() -> dict[str, str]:
    """The document's tag for each blueprint."""
    return {
        info.blueprint.name: "Beacon informational",
        entries.blueprint.name: "Beacon entry types",
        dataconnect.blueprint.name: "Data Connect",
        catalog_laws.blueprint.name: "Catalog",
        web.blueprint.name: "Catalog",
        health.blueprint.name: "Operations",
        blueprint.name: "Operations",
        network_routes.info_blueprint.name: "Beacon informational",
        network_routes.entries_blueprint.name: "Beacon entry types",
        network_routes.services_blueprint.name: "Network",
        network_catalog.blueprint.name: "Catalog",
    }


def _endpoint(owner: Blueprint, view: Any) -> str:
    return f"{owner.name}.{view.__name__}"


def _entry_endpoint(name: str) -> str:
    return f"{entries.blueprint.name}.{name}"


_RULE_ARGUMENT = re.compile(r"<([a-z]+:)?([A-Za-z_][A-Za-z0-9_]*)>")
_DESCRIPTION = (
    "GA4GH Beacon v2 (framework and default model) and GA4GH Data Connect (under "
    "/data-connect), with health checks and the privacy-law catalog. Errors carry the body "
    "of their surface: beaconErrorResponse, or Data Connect's errors list."
)
_BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": (
        "Optional: a token (or GA4GH Passport) from a trusted issuer opens the REGISTERED and "
        "granted CONTROLLED datasets; without one the caller is anonymous. An invalid token "
        "gets 401; 503 when the server cannot fetch its signing keys."
    ),
}
