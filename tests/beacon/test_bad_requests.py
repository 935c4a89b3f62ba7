"""Requests that break the specification get HTTP 400 (or 404) with a beaconErrorResponse."""

from __future__ import annotations

import pytest
from beacon_schemas import validate_framework

from schemas.requests import (
    MAX_DATASET_IDS,
    MAX_FILTERS,
    MAX_REQUEST_PARAMETERS,
    MAX_REQUESTED_SCHEMAS,
)

BAD_GETS = [
    ("/g_variants?referenceName=1&start=abc&alternateBases=A", "start"),
    ("/g_variants?referenceName=1&start=5&end=xyz", "end"),
    ("/g_variants?referenceName=1&start=100&end=50", "lower than end"),
    ("/g_variants?referenceName=1&start=1,2,3&end=5", "start"),
    ("/g_variants?referenceName=1&start=-4&alternateBases=A", "start"),
    ("/g_variants?referenceName=1&start=5&end=10,20", "one value"),
    ("/g_variants?referenceName=1&end=5", "without start"),
    ("/g_variants?start=5&alternateBases=A", "referenceName"),
    ("/g_variants?referenceName=1&start=5", "alternateBases"),
    ("/g_variants?assemblyId=GRCh99&referenceName=1&start=5&alternateBases=A", "GRCh99"),
    ("/g_variants?referenceName=1&start=5&alternateBases=XYZ", "alternateBases"),
    ("/g_variants?chromosome=1", "chromosome"),
    ("/g_variants?geneId=BRCA2&requestedGranularity=full", "requestedGranularity"),
    ("/g_variants?geneId=BRCA2&includeResultsetResponses=SOME", "includeResultsetResponses"),
    ("/g_variants?geneId=BRCA2&limit=-1", "limit"),
    ("/g_variants?geneId=BRCA2&variantMinLength=9&variantMaxLength=2", "variantMinLength"),
    ("/g_variants?geneId=BRCA2&filters=asian", "neither an ontology term"),
    ("/g_variants?mateName=chr2&referenceName=1&start=5&end=10", "mateName"),
    ("/g_variants/rs671?geneId=ALDH2", "no request parameters"),
    ("/datasets?geneId=ALDH2", "no request parameters"),
    ("/g_variants?referenceName=1&start=--1&alternateBases=A", "start"),
    ("/g_variants?referenceName=1&start=%C2%B2&alternateBases=A", "start"),
    ("/g_variants?referenceName=1&start=99999999999999999999&alternateBases=A", "out of range"),
    ("/g_variants?geneId=BRCA2&variantMinLength=1.5", "variantMinLength"),
    ("/g_variants?geneId=BRCA2&skip=1.5", "skip"),
    ("/g_variants?referenceName=1&referenceName=2&start=5&alternateBases=A", "more than once"),
]


@pytest.mark.parametrize(("path", "named"), BAD_GETS)
def test_bad_get_requests_get_a_400_error_body(client, path, named):
    response = client.get(path)
    assert response.status_code == 400, response.json
    validate_framework(response.json, "responses/beaconErrorResponse.json")
    assert response.json["error"]["errorCode"] == 400
    assert named in response.json["error"]["errorMessage"]


@pytest.mark.parametrize(
    "body",
    [
        [1, 2],
        "text",
        {"meta": {}, "query": {"requestParameters": {"start": "x"}}},
        {"meta": {}, "query": {"requestParameters": ["referenceName"]}},
        {"meta": {}, "query": {"pagination": {"skip": "many"}}},
        {"meta": {}, "query": {"requestedGranularity": 3}},
        {"meta": {}, "query": {"requestParameters": {"start": [True]}}},
        {"meta": {"apiVersion": 2}, "query": {}},
        {"meta": {"requestedSchemas": [{"foo": 1}]}, "query": {}},
        {"meta": {}, "query": {"requestParameters": {"start": [1e300]}}},
        {"meta": {}, "query": {"requestParameters": {"variantMaxLength": 2**64}}},
    ],
)
def test_bad_post_bodies_get_a_400_error_body(client, body):
    response = client.post("/g_variants", json=body)
    assert response.status_code == 400, response.json
    validate_framework(response.json, "responses/beaconErrorResponse.json")


def test_invalid_json_is_a_400(client):
    response = client.post("/g_variants", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert "not valid JSON" in response.json["error"]["errorMessage"]


@pytest.mark.parametrize("path", ["/datasets/nope", "/datasets/nope/g_variants", "/no_such_path"])
def test_unknown_resources_are_404_with_an_error_body(client, path):
    response = client.get(path)
    assert response.status_code == 404
    validate_framework(response.json, "responses/beaconErrorResponse.json")


def test_wrong_method_is_405_with_an_error_body(client):
    response = client.delete("/g_variants")
    assert response.status_code == 405
    validate_framework(response.json, "responses/beaconErrorResponse.json")


def _refused(client, method: str, path: str, body=None) -> str:
    response = client.open(path, method=method, json=body)
    assert response.status_code == 400, response.json
    validate_framework(response.json, "responses/beaconErrorResponse.json")
    return response.json["error"]["errorMessage"]


def test_a_request_of_more_filters_than_allowed_is_a_400(client):
    filters = [{"id": "variantInternalId", "operator": "=", "value": "GRCh38:1:1992070:C:A"}]
    body = {"query": {"filters": filters * (MAX_FILTERS + 1), "requestedGranularity": "count"}}
    message = _refused(client, "POST", "/individuals", body)
    assert f"filters: at most {MAX_FILTERS} items, not {MAX_FILTERS + 1}" in message
    terms = ",".join(f"HP:{number:07d}" for number in range(MAX_FILTERS + 1))
    message = _refused(client, "GET", f"/individuals?filters={terms}")
    assert f"filters: at most {MAX_FILTERS} items" in message
    body["query"]["filters"] = filters * MAX_FILTERS
    assert client.post("/individuals", json=body).status_code == 200


def test_a_request_of_more_dataset_ids_than_allowed_is_a_400(client):
    ids = [f"dataset-{number}" for number in range(MAX_DATASET_IDS + 1)]
    parameters = {"geneId": "ALDH2", "datasets": {"datasetIds": ids}}
    message = _refused(client, "POST", "/g_variants", {"query": {"requestParameters": parameters}})
    assert f"at most {MAX_DATASET_IDS} items" in message
    parameters["datasets"]["datasetIds"] = ids[:MAX_DATASET_IDS]
    answer = client.post("/g_variants", json={"query": {"requestParameters": parameters}})
    assert answer.status_code == 200, answer.json


@pytest.mark.parametrize("grouped", [False, True])
def test_a_request_of_more_parameters_than_allowed_is_a_400(client, grouped):
    """Unknown parameters are refused one by one; past the bound, at once and for the number."""
    many = {f"p{number}": "x" for number in range(MAX_REQUEST_PARAMETERS + 1)}
    parameters = {"g_variant": many} if grouped else many
    message = _refused(client, "POST", "/g_variants", {"query": {"requestParameters": parameters}})
    assert f"requestParameters: at most {MAX_REQUEST_PARAMETERS} parameters" in message
    arguments = "&".join(f"{name}=x" for name in many)
    message = _refused(client, "GET", f"/g_variants?{arguments}")
    assert f"at most {MAX_REQUEST_PARAMETERS} parameters" in message


def test_a_request_of_more_requested_schemas_than_allowed_is_a_400(client):
    schemas = [{"entityType": "individual", "schema": "x"}] * (MAX_REQUESTED_SCHEMAS + 1)
    message = _refused(client, "POST", "/individuals", {"meta": {"requestedSchemas": schemas}})
    assert f"requestedSchemas: at most {MAX_REQUESTED_SCHEMAS} items" in message
