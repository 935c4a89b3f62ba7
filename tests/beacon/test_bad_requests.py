"""Requests that break the specification get HTTP 400 (or 404) with a beaconErrorResponse."""

from __future__ import annotations

import pytest
from beacon_schemas import validate_framework

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
