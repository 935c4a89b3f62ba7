"""A beacon's identity: the demo's is the demo's only. A beacon whose deployment set none presents
placeholders: unique to its host and its data (a hub: its registry), the same in every worker and
after a restart, claiming no organization, valid against the official schemas, and it says so
at start, naming the settings to set."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from beacon_schemas import validate_framework

from app import create_app
from app.store import open_store
from loaders.demo.load import DEMO_CONFIG

DEMO_ID = "org.asia-beacon.demo"
IDENTITY = (
    "BEACON_ID",
    "BEACON_NAME",
    "ORGANIZATION_ID",
    "ORGANIZATION_NAME",
    "ORGANIZATION_URL",
    "ORGANIZATION_CONTACT",
)
CONFIGURED = {
    "BEACON_ID": "th.example.beacon",
    "BEACON_NAME": "Thai national beacon",
    "ORGANIZATION_ID": "th.example",
    "ORGANIZATION_NAME": "Example genome project",
    "ORGANIZATION_URL": "https://genome.example.th",
    "ORGANIZATION_CONTACT": "mailto:beacon@genome.example.th",
}


@pytest.fixture
def unconfigured(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No identity variable of the machine running the tests leaks in."""
    for name in IDENTITY:
        monkeypatch.delenv(f"ASIA_BEACON_{name}", raising=False)
    return monkeypatch


def info(app) -> dict:
    return app.test_client().get("/info").json


def write_registry(path: Path) -> Path:
    # a node nobody serves: the hub starts and reads it in the background, in vain
    nodes = [{"id": "nowhere", "url": "http://127.0.0.1:9", "country": "JP"}]
    path.write_text(json.dumps({"nodes": nodes}), encoding="utf-8")
    return path


def test_beacons_over_different_data_present_different_ids_each_its_own_always(
    unconfigured, tmp_path
):
    """Two nodes started on one machine with their own data directories; each built twice, as
    two gunicorn workers or a restart would."""
    ids = {}
    for name in ("first", "second"):
        unconfigured.setenv("ASIA_BEACON_DATA_DIR", str(tmp_path / name))
        ids[name] = {info(create_app())["meta"]["beaconId"] for _ in range(2)}
    assert len(ids["first"]) == len(ids["second"]) == 1  # stable
    assert ids["first"] != ids["second"]
    assert DEMO_ID not in ids["first"] | ids["second"]


def test_a_hub_presents_an_id_of_its_own_not_its_nodes(unconfigured, tmp_path):
    unconfigured.setenv("ASIA_BEACON_DATA_DIR", str(tmp_path / "node"))
    node_id = info(create_app())["meta"]["beaconId"]
    registry = write_registry(tmp_path / "nodes.json")
    hub_config = {"NETWORK_NODES": str(registry), "LOG_FORMAT": "text"}
    hub_ids = {
        info(create_app(hub_config, store=open_store(f"mongomock://memory/hub{n}")))["meta"][
            "beaconId"
        ]
        for n in range(2)
    }
    assert len(hub_ids) == 1  # the registry, not the hub's own memory store, makes the id
    assert node_id not in hub_ids and DEMO_ID not in hub_ids


def test_the_placeholders_claim_no_organization_and_fit_the_official_schemas(
    unconfigured, empty_store
):
    client = create_app(store=empty_store).test_client()
    beacon_info = client.get("/info").json
    validate_framework(beacon_info, "responses/beaconInfoResponse.json")
    service = client.get("/service-info").json
    validate_framework(service, "responses/ga4gh-service-info-1-0-0-schema.json")
    response = beacon_info["response"]
    assert response["id"].startswith("unconfigured.")
    assert "asia-beacon" not in response["name"]
    organization = response["organization"]
    assert organization["name"] == "organization not configured"
    assert "asia-beacon" not in json.dumps(organization)
    assert "contactUrl" not in organization and "contactUrl" not in service
    assert service["organization"]["url"].endswith(".invalid/")  # a host that never resolves


def test_the_demo_alone_presents_the_demo_identity(unconfigured, demo_store):
    response = info(create_app(DEMO_CONFIG, store=demo_store))["response"]
    assert response["id"] == DEMO_ID
    assert response["organization"]["name"] == "asia-beacon project"
    assert response["organization"]["contactUrl"] == "mailto:beacon@asia-beacon.org"


def test_a_beacon_on_placeholders_warns_in_its_log_naming_the_settings(
    unconfigured, empty_store, caplog
):
    with caplog.at_level(logging.WARNING):
        beacon_id = info(create_app(store=empty_store))["meta"]["beaconId"]
    (warning,) = [r for r in caplog.records if "identity not configured" in r.getMessage()]
    message = warning.getMessage()
    assert beacon_id in message
    for name in IDENTITY:
        assert f"ASIA_BEACON_{name}" in message


def test_a_partly_configured_identity_warns_only_of_what_is_missing(
    unconfigured, empty_store, caplog
):
    unconfigured.setenv("ASIA_BEACON_BEACON_ID", "th.example.beacon")
    unconfigured.setenv("ASIA_BEACON_BEACON_NAME", "Thai national beacon")
    with caplog.at_level(logging.WARNING):
        response = info(create_app(store=empty_store))["response"]
    assert (response["id"], response["name"]) == ("th.example.beacon", "Thai national beacon")
    (warning,) = [r for r in caplog.records if "identity not configured" in r.getMessage()]
    assert "ASIA_BEACON_ORGANIZATION_NAME" in warning.getMessage()
    assert "ASIA_BEACON_BEACON_ID" not in warning.getMessage()


def test_a_configured_identity_is_presented_without_a_warning(unconfigured, empty_store, caplog):
    with caplog.at_level(logging.WARNING):
        response = info(create_app(CONFIGURED, store=empty_store))["response"]
    assert response["id"] == CONFIGURED["BEACON_ID"]
    assert response["organization"] == {
        "id": "th.example",
        "name": "Example genome project",
        "welcomeUrl": "https://genome.example.th",
        "contactUrl": "mailto:beacon@genome.example.th",
    }
    assert not [r for r in caplog.records if "identity not configured" in r.getMessage()]
