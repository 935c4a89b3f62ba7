"""Informational endpoints reflect configuration and loaded data, and validate against the
official Beacon v2 framework schemas."""

from __future__ import annotations

import pytest
from beacon_schemas import validate_framework
from open_access import OPEN_ACCESS

from app import create_app
from app.entry_types import ENTRY_TYPES

INFORMATIONAL = [
    ("/", "responses/beaconInfoResponse.json"),
    ("/info", "responses/beaconInfoResponse.json"),
    ("/service-info", "responses/ga4gh-service-info-1-0-0-schema.json"),
    ("/configuration", "responses/beaconConfigurationResponse.json"),
    ("/map", "responses/beaconMapResponse.json"),
    ("/entry_types", "responses/beaconEntryTypesResponse.json"),
    ("/filtering_terms", "responses/beaconFilteringTermsResponse.json"),
]


@pytest.mark.parametrize(("path", "schema"), INFORMATIONAL)
def test_informational_responses_validate(client, path, schema):
    response = client.get(path)
    assert response.status_code == 200
    validate_framework(response.json, schema)


def test_info_reflects_configuration_and_loaded_data(demo_store):
    client = create_app(
        {"BEACON_ID": "th.example.beacon", "ENVIRONMENT": "test", "ORGANIZATION_NAME": "Example"},
        store=demo_store,
    ).test_client()
    info = client.get("/info").json
    assert info["meta"]["beaconId"] == "th.example.beacon"
    response = info["response"]
    assert (response["id"], response["environment"]) == ("th.example.beacon", "test")
    assert response["organization"]["name"] == "Example"
    assert response["apiVersion"].startswith("v2.0")
    loaded_variants = demo_store.variants.count_documents({})
    assert (response["info"]["datasets"], response["info"]["variants"]) == (1, loaded_variants)
    access = response["info"]["access"]
    assert access["datasets"] == {demo_store.datasets.find_one({})["_id"]: "PUBLIC"}
    assert access["levels"] == {"PUBLIC": {"maxGranularity": "count"}}
    assert access["protections"]["smallCountThreshold"] == 5
    configuration = client.get("/configuration").json["response"]
    assert configuration["maturityAttributes"]["productionStatus"] == "TEST"


def test_environment_variables_configure_the_beacon(monkeypatch, demo_store):
    monkeypatch.setenv("ASIA_BEACON_BEACON_NAME", "Thai national beacon")
    monkeypatch.setenv("ASIA_BEACON_MAX_GRANULARITY", "count")
    app = create_app(OPEN_ACCESS, store=demo_store)
    assert app.test_client().get("/info").json["response"]["name"] == "Thai national beacon"
    query = "/g_variants?geneId=ALDH2&requestedGranularity=record"
    assert app.test_client().get(query).json["meta"]["returnedGranularity"] == "count"


def test_map_and_entry_types_list_exactly_the_served_entry_types(client):
    endpoint_sets = client.get("/map").json["response"]["endpointSets"]
    assert set(endpoint_sets) == {entry.id for entry in ENTRY_TYPES}
    for entry in ENTRY_TYPES:
        root = endpoint_sets[entry.id]["rootUrl"]
        assert root == f"http://localhost/{entry.path}"
        assert client.get(root.removeprefix("http://localhost")).status_code == 200
        for nested in endpoint_sets[entry.id].get("endpoints", {}).values():
            assert nested["url"].startswith(root + "/{id}/")
    entry_types = client.get("/entry_types").json["response"]["entryTypes"]
    assert set(entry_types) == set(endpoint_sets)


def test_service_info_names_the_beacon_artifact(client):
    service = client.get("/service-info").json
    assert service["type"]["group"] == "org.ga4gh"
    assert service["type"]["artifact"] == "beacon"


def test_map_uses_the_configured_public_url(demo_store):
    app = create_app({"BASE_URL": "https://beacon.example.org/api/"}, store=demo_store)
    sets = app.test_client().get("/map").json["response"]["endpointSets"]
    assert sets["genomicVariation"]["rootUrl"] == "https://beacon.example.org/api/g_variants"


def test_list_settings_from_the_environment_and_inconsistent_settings(monkeypatch, demo_store):
    monkeypatch.setenv("ASIA_BEACON_DATASET_ACCESS", "a=CONTROLLED,b=registered")
    app = create_app(store=demo_store)
    security = app.test_client().get("/configuration").json["response"]["securityAttributes"]
    assert security["securityLevels"] == ["PUBLIC", "REGISTERED", "CONTROLLED"]
    for bad in (
        {"DEFAULT_GRANULARITY": "record", "MAX_GRANULARITY": "count"},
        {"DEFAULT_PAGE_SIZE": 500, "MAX_PAGE_SIZE": 100},
        {"DATASET_ACCESS": {"a": "SECRET"}},
        {"DEFAULT_ACCESS_LEVEL": "OPEN"},
        {"ACCESS_GRANULARITY": {"PUBLIC": "record"}},
        {"SMALL_COUNT_THRESHOLD": -1},
        {"RARE_ALLELE_FREQUENCY": 2},
        {"ENVIRONMENT": "production"},
    ):
        with pytest.raises(ValueError):
            create_app(bad, store=demo_store)
