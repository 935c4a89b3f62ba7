"""``GET /openapi.json``: a valid OpenAPI 3 document of every route, whose declared shapes the
real answers fit."""

from __future__ import annotations

import re

import pytest
from jsonschema import ValidationError
from openapi_document import declared_schema, surface_of, validate_against, validate_error_body
from openapi_spec_validator import validate as validate_openapi

from app.dataconnect.sql import MAX_PARAMETERS
from app.ops.openapi import Route, build_document
from schemas.requests import MAX_DATASET_IDS, MAX_FILTERS

# The entry-type GET parameters of the Beacon v2 framework, with the JSON type each must have.
FRAMEWORK_PARAMETERS = {
    "requestedGranularity": "string",
    "includeResultsetResponses": "string",
    "skip": "integer",
    "limit": "integer",
    "filters": "array",
    "testMode": "boolean",
}
VARIANT_PARAMETERS = {
    "assemblyId": "string",
    "referenceName": "string",
    "start": "array",
    "end": "array",
    "referenceBases": "string",
    "alternateBases": "string",
    "variantType": "string",
    "variantMinLength": "integer",
    "variantMaxLength": "integer",
    "geneId": "string",
    "aminoacidChange": "string",
    "genomicAlleleShortForm": "string",
}
ENTRY_ROOTS = ("/g_variants", "/individuals", "/biosamples", "/runs", "/analyses")
COLLECTION_ROOTS = ("/cohorts", "/datasets")
SNV = "assemblyId=GRCh38&referenceName=12&start=111803961&referenceBases=G&alternateBases=A"
DATASET = "asia-demo-grch38"
COHORT = "asia-demo-cohort"
INDIVIDUAL = "IND-CN0001"
LAWS_TABLE = "asia_beacon.catalog.privacy_laws"  # small: the variants take seconds to read


@pytest.fixture
def document(client) -> dict:
    answer = client.get("/openapi.json")
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    return answer.json


def test_the_document_is_valid_openapi_3(document):
    assert document["openapi"].startswith("3.")
    validate_openapi(document)


def test_every_route_is_documented_with_its_methods_and_nothing_else(app, document):
    served: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.endswith("static"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        methods = {method.lower() for method in rule.methods - {"HEAD", "OPTIONS"}}
        served.setdefault(path, set()).update(methods)
    documented = {
        path: {method for method in item if method != "parameters"}
        for path, item in document["paths"].items()
    }
    assert documented == served
    for required in ("/openapi.json", "/healthz", "/readyz", "/catalog/privacy_laws"):
        assert required in documented


def test_entry_type_get_parameters_are_declared_with_types(document):
    for root in ENTRY_ROOTS:
        expected = {**FRAMEWORK_PARAMETERS, **VARIANT_PARAMETERS}
        _assert_query_parameters(document, root, expected)
        _assert_query_parameters(document, f"{root}/{{entry_id}}", FRAMEWORK_PARAMETERS)
    for root in COLLECTION_ROOTS:
        _assert_query_parameters(document, root, FRAMEWORK_PARAMETERS)
    _assert_query_parameters(
        document, "/datasets/{entry_id}/g_variants", {**FRAMEWORK_PARAMETERS, **VARIANT_PARAMETERS}
    )
    granularity = _parameter(document, "/g_variants", "requestedGranularity")
    assert set(granularity["schema"]["enum"]) == {"boolean", "count", "record"}
    start = _parameter(document, "/g_variants", "start")
    assert start["schema"]["items"]["type"] == "integer"
    assert (start["style"], start["explode"], start["schema"]["maxItems"]) == ("form", False, 2)


def test_path_parameters_are_declared(document):
    for path, item in document["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for operation in _operations(item):
            declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert declared == names, path
            assert all(p["required"] for p in operation["parameters"] if p["in"] == "path")


def test_post_bodies_reference_the_request_schemas(document):
    for path, item in document["paths"].items():
        if "post" not in item or "filtering_terms" in path:
            continue
        body = item["post"]["requestBody"]["content"]["application/json"]["schema"]
        expected = (
            "DataConnectSearchRequest"
            if surface_of(path) == "data connect"
            else "BeaconRequestBody"
        )
        assert body == {"$ref": f"#/components/schemas/{expected}"}, path
    assert document["paths"]["/data-connect/search"]["post"]["requestBody"]["required"]


def test_operations_taking_a_body_declare_the_413_of_a_body_over_the_limit(document):
    for item in document["paths"].values():
        for operation in _operations(item):
            declared = "413" in operation["responses"]
            assert declared == ("requestBody" in operation), operation["operationId"]


def test_request_lists_declare_their_bounds(document):
    schemas = document["components"]["schemas"]
    assert schemas["BeaconQuery"]["properties"]["filters"]["maxItems"] == MAX_FILTERS
    selection = schemas["BeaconDatasetSelection"]["properties"]["datasetIds"]
    assert (selection["minItems"], selection["maxItems"]) == (1, MAX_DATASET_IDS)
    parameters = schemas["DataConnectSearchRequest"]["properties"]["parameters"]
    assert parameters["maxItems"] == MAX_PARAMETERS


def test_client_errors_declare_the_error_body_of_their_surface(document):
    expected = {
        "beacon": "#/components/schemas/BeaconErrorResponse",
        "data connect": "#/components/schemas/DataConnectErrorResponse",
    }
    for path, item in document["paths"].items():
        for operation in _operations(item):
            errors = {s: r for s, r in operation["responses"].items() if s.startswith("4")}
            assert "401" in errors, path  # a bad bearer token, on any route
            for response in errors.values():
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": expected[surface_of(path)]}, path


ANSWERS = [
    # (method, template, url, body, status)
    ("get", "/info", "/info", None, 200),
    ("get", "/", "/", None, 200),
    ("get", "/service-info", "/service-info", None, 200),
    ("get", "/map", "/map", None, 200),
    ("get", "/configuration", "/configuration", None, 200),
    ("get", "/entry_types", "/entry_types", None, 200),
    ("get", "/filtering_terms", "/filtering_terms", None, 200),
    ("get", "/g_variants", f"/g_variants?{SNV}&requestedGranularity=record", None, 200),
    ("get", "/g_variants", f"/g_variants?{SNV}&requestedGranularity=boolean", None, 200),
    (
        "post",
        "/individuals",
        "/individuals",
        {"query": {"filters": ["HP:0000822"], "requestedGranularity": "count"}},
        200,
    ),
    (
        "get",
        "/individuals/{entry_id}/biosamples",
        f"/individuals/{INDIVIDUAL}/biosamples?requestedGranularity=record",
        None,
        200,
    ),
    ("get", "/datasets", "/datasets", None, 200),
    ("post", "/cohorts/{entry_id}", f"/cohorts/{COHORT}", {}, 200),
    (
        "get",
        "/datasets/{dataset_id}/filtering_terms",
        f"/datasets/{DATASET}/filtering_terms",
        None,
        200,
    ),
    ("get", "/catalog/privacy_laws", "/catalog/privacy_laws", None, 200),
    ("get", "/healthz", "/healthz", None, 200),
    ("get", "/readyz", "/readyz", None, 200),
    ("get", "/openapi.json", "/openapi.json", None, 200),
    ("get", "/data-connect/tables", "/data-connect/tables", None, 200),
    (
        "get",
        "/data-connect/table/{name}/info",
        f"/data-connect/table/{LAWS_TABLE}/info",
        None,
        200,
    ),
    (
        "get",
        "/data-connect/table/{name}/data",
        f"/data-connect/table/{LAWS_TABLE}/data",
        None,
        200,
    ),
    (
        "post",
        "/data-connect/search",
        "/data-connect/search",
        {
            "query": f"SELECT country, COUNT(*) AS n FROM {LAWS_TABLE} WHERE country <> ? "
            "GROUP BY country",
            "parameters": ["EU"],
        },
        200,
    ),
    ("get", "/data-connect/service-info", "/data-connect/service-info", None, 200),
    # errors
    ("get", "/g_variants", "/g_variants?referenceName=1&start=abc&alternateBases=A", None, 400),
    ("post", "/g_variants", "/g_variants", {"query": {"pagination": {"skip": "many"}}}, 400),
    ("get", "/datasets/{entry_id}/g_variants", "/datasets/nope/g_variants", None, 404),
    ("get", "/catalog/privacy_laws/{law_id}", "/catalog/privacy_laws/xx-none", None, 404),
    ("post", "/data-connect/search", "/data-connect/search", {"query": "DROP TABLE x"}, 400),
    ("get", "/data-connect/search", "/data-connect/search", None, 400),
    ("post", "/individuals", "/individuals", {"query": {"filters": ["x" * (1 << 20)]}}, 413),
    ("post", "/data-connect/search", "/data-connect/search", {"query": "S" * (1 << 20)}, 413),
    ("get", "/data-connect/table/{name}/info", "/data-connect/table/no.such.table/info", None, 404),
    (
        "get",
        "/data-connect/table/{name}/data",
        f"/data-connect/table/{LAWS_TABLE}/data?page_token=x",
        None,
        400,
    ),
]


@pytest.mark.parametrize(("method", "template", "url", "body", "status"), ANSWERS)
def test_real_answers_fit_the_schema_declared_for_them(
    client, document, method, template, url, body, status
):
    answer = client.open(url, method=method.upper(), json=body)
    assert answer.status_code == status, answer.get_data(as_text=True)[:300]
    assert answer.mimetype == "application/json"
    validate_against(document, declared_schema(document, template, method, status), answer.json)


@pytest.mark.parametrize("url", ["/g_variants?geneId=ALDH2", "/data-connect/tables", "/healthz"])
def test_an_invalid_token_gets_the_declared_401_body(client, document, url):
    answer = client.get(url, headers={"Authorization": "Bearer not-a-token"})
    assert answer.status_code == 401
    template = url.split("?")[0]
    validate_against(document, declared_schema(document, template, "get", 401), answer.json)


def test_the_error_schemas_refuse_the_other_surfaces_body(client, document):
    """The check the robustness run relies on can fail: each surface's error body is refused
    by the other surface's schema."""
    beacon_error = client.get("/g_variants?start=abc").json
    data_connect_error = client.get("/data-connect/search").json
    validate_error_body(document, "/g_variants", beacon_error)
    validate_error_body(document, "/data-connect/search", data_connect_error)
    with pytest.raises(ValidationError):
        validate_error_body(document, "/data-connect/search", beacon_error)
    with pytest.raises(ValidationError):
        validate_error_body(document, "/g_variants", data_connect_error)


def test_a_route_without_a_description_stops_the_build():
    undocumented = (Route("/new_thing", "beacon_info.new_thing", ("GET",)),)
    with pytest.raises(LookupError, match="/new_thing"):
        build_document(undocumented, "beacon", "1.0", "")


def test_the_configured_public_url_is_the_server(app):
    routes = (Route("/healthz", "health.liveness", ("GET",)),)
    document = build_document(routes, "beacon", "1.0", "https://beacon.example.org")
    assert document["servers"] == [{"url": "https://beacon.example.org"}]
    assert "servers" not in build_document(routes, "beacon", "1.0", "")


def _operations(item: dict) -> list[dict]:
    return [operation for method, operation in item.items() if method in ("get", "post")]


def _parameter(document: dict, path: str, name: str) -> dict:
    parameters = document["paths"][path]["get"]["parameters"]
    return next(parameter for parameter in parameters if parameter["name"] == name)


def _assert_query_parameters(document: dict, path: str, expected: dict[str, str]) -> None:
    parameters = {
        parameter["name"]: parameter
        for parameter in document["paths"][path]["get"]["parameters"]
        if parameter["in"] == "query"
    }
    for name, json_type in expected.items():
        assert name in parameters, f"{path}: {name}"
        assert parameters[name]["schema"]["type"] == json_type, f"{path}: {name}"
        assert not parameters[name]["required"], f"{path}: {name}"
    if path.endswith("{entry_id}") or path in COLLECTION_ROOTS:
        assert not set(VARIANT_PARAMETERS) & set(parameters), path
