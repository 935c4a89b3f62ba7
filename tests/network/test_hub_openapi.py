"""The hub's ``/openapi.json``: valid OpenAPI 3, naming the hub's own routes, and its real answers
fit the shapes it declares (the merged result sets included)."""

from __future__ import annotations

import pytest
from network.hub_fixtures import entry, make_hub
from openapi_document import declared_schema, validate_against
from openapi_spec_validator import validate as validate_openapi


@pytest.fixture(scope="module")
def hub(network, tmp_path_factory):
    urls = network.urls
    return make_hub(
        tmp_path_factory.mktemp("openapi-hub"),
        [entry("jp", urls["jp"], "JP"), entry("kr", urls["kr"], "KR", referenceNaming="ensembl")],
    )


@pytest.fixture(scope="module")
def document(hub) -> dict:
    return hub.client.get("/openapi.json").get_json()


def test_the_hub_document_is_valid_and_has_the_hubs_routes(hub, document):
    validate_openapi(document)
    paths = set(document["paths"])
    assert {"/services", "/services/types", "/services/{service_id}", "/g_variants"} <= paths
    rules = {
        rule.rule.replace("<path:", "<").replace("<", "{").replace(">", "}")
        for rule in hub.app.url_map.iter_rules()
        if rule.endpoint.split(".")[-1] != "static"
    }
    assert paths == rules


@pytest.mark.parametrize(
    ("method", "url", "path"),
    [
        ("get", "/g_variants?assemblyId=GRCh38&referenceName=chr1&start=0&end=999999999"
         "&requestedGranularity=record&includeResultsetResponses=ALL", "/g_variants"),
        ("get", "/g_variants?assemblyId=GRCh37&geneId=MTHFR&requestedGranularity=count",
         "/g_variants"),
        ("get", "/individuals?requestedGranularity=count", "/individuals"),
        ("get", "/datasets", "/datasets"),
        ("get", "/services", "/services"),
        ("get", "/services/jp", "/services/{service_id}"),
        ("get", "/info", "/info"),
    ],
)  # fmt: skip
def test_real_hub_answers_fit_the_declared_shapes(hub, document, method, url, path):
    response = hub.client.open(url, method=method.upper())
    assert response.status_code == 200
    schema = declared_schema(document, path, method, 200)
    validate_against(document, schema, response.get_json())


def test_the_answer_when_no_node_could_answer_fits_the_declared_error(down_url, tmp_path):
    hub = make_hub(tmp_path, [entry("down", down_url, "JP")])
    document = hub.client.get("/openapi.json").get_json()
    response = hub.client.get("/individuals?requestedGranularity=count")
    assert response.status_code == 502
    schema = declared_schema(document, "/individuals", "get", 502)
    validate_against(document, schema, response.get_json())
