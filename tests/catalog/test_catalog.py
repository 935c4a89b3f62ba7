"""The catalog side of datasets: what the loader adds (DUO labels, governing laws) and flags, and
where the catalog shows it (/datasets, Data Connect, the privacy-law endpoint and table)."""

from __future__ import annotations

import pytest
from jsonschema import Draft7Validator
from open_access import OPEN_ACCESS

from app import create_app
from app.catalog.laws import bundled_registry
from app.store import DATASETS, open_store
from loaders.datasets import load_datasets
from loaders.errors import LoadError

LAWS_TABLE = "asia_beacon.catalog.privacy_laws"


def write(tmp_path, text: str):
    path = tmp_path / "datasets.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_loader_labels_consent_codes_and_finds_the_country_law(tmp_path):
    store = open_store("mongomock://memory/catalog_loading")
    path = write(
        tmp_path,
        """
- id: kr-cohort
  name: Korean cohort
  country: KR
  organization: Example Genome Centre
  dataUseConditions:
    duoDataUse:
      - id: DUO:0000007
        version: '2022-03-23'
        modifiers: [{id: DUO:0000046}]
- id: unplaced
  name: A dataset nobody described
""",
    )
    summary = load_datasets(store, path)
    stored = store.collection(DATASETS).find_one({"_id": "kr-cohort"})
    (term,) = stored["dataUseConditions"]["duoDataUse"]
    assert term["label"] == "disease specific research"
    assert term["modifiers"] == [{"id": "DUO:0000046", "label": "non-commercial use only"}]
    korean_laws = [entry["id"] for entry in bundled_registry().for_country("KR")]
    assert stored["privacyLaws"] == korean_laws and korean_laws
    assert summary.warnings == (
        "dataset unplaced: no country (ISO 3166-1 alpha-2 code): the catalog cannot place it",
        "dataset unplaced: no consent codes (dataUseConditions.duoDataUse): its data use is "
        "unknown",
    )


def test_a_law_not_in_the_registry_is_refused(tmp_path):
    path = write(tmp_path, "- {id: d1, name: D, country: TH, privacyLaws: [th-nothing]}\n")
    with pytest.raises(LoadError, match=r"record 1 \(d1\): privacyLaws: th-nothing not in"):
        load_datasets(open_store("mongomock://memory/catalog_refused"), path)


@pytest.fixture(scope="module")
def client(demo_store):
    return create_app(OPEN_ACCESS, store=demo_store).test_client()


def test_datasets_show_their_catalog_fields_and_access_level(client):
    (record,) = client.get("/datasets").json["response"]["collections"]
    assert record["country"] == "TH"
    assert record["accessLevel"] == "PUBLIC"
    assert record["privacyLaws"] == ["th-pdpa"]
    assert record["dataUseConditions"]["duoDataUse"][0]["label"] == "general research use"
    rows = client.get("/data-connect/table/asia_beacon.catalog.datasets/data").json["data"]
    (row,) = rows
    assert (row["country"], row["privacy_laws"], row["duo_labels"]) == (
        "TH",
        ["th-pdpa"],
        ["general research use"],
    )
    assert row["populations"] == record["populations"]


def test_the_registry_endpoint_serves_every_entry(client):
    body = client.get("/catalog/privacy_laws").json
    registry = bundled_registry()
    assert body["response"]["version"] == registry.version
    assert [entry["id"] for entry in body["response"]["entries"]] == [
        entry["id"] for entry in registry.entries
    ]
    assert body["response"]["entries"][0] == registry.entries[0]
    (one,) = client.get("/catalog/privacy_laws/eu-gdpr").json["response"]["entries"]
    assert one["short_name"] == "GDPR"
    missing = client.get("/catalog/privacy_laws/xx-none")
    assert missing.status_code == 404 and "th-pdpa" in missing.json["error"]["errorMessage"]


def test_the_registry_is_a_data_connect_table(client):
    table = client.get(f"/data-connect/table/{LAWS_TABLE}/info").json
    Draft7Validator.check_schema(table["data_model"])
    rows = client.get(f"/data-connect/table/{LAWS_TABLE}/data").json["data"]
    registry = bundled_registry()
    assert sorted(row["id"] for row in rows) == sorted(entry["id"] for entry in registry.entries)
    validator = Draft7Validator(table["data_model"])
    for row in rows:
        validator.validate(row)
        entry = registry.by_id(row["id"])
        assert row["source_urls"] == [source["url"] for source in entry["sources"]]
        assert row["research_legal_bases"] == entry["research_legal_bases"]
    query = (
        f"SELECT country FROM {LAWS_TABLE} WHERE genetic_data_special_category = 'yes' "
        "ORDER BY country"
    )
    answer = client.post("/data-connect/search", json={"query": query}).json["data"]
    expected = sorted(
        entry["country"]
        for entry in registry.entries
        if entry["genetic_data_special_category"] == "yes"
    )
    assert [row["country"] for row in answer] == expected
