"""The catalog page through the Flask test client: what it lists, what it hides and escapes,
and how ``/`` chooses between the page and the Beacon info response."""

from __future__ import annotations

import re

import pytest
from beacon_schemas import validate_framework

from app import create_app
from app.store import DATASETS, Store, open_store
from app.store.collections import BIOSAMPLES, INDIVIDUALS, VARIANTS
from loaders.demo.generator.dataset import DATASET_ID as DEMO_DATASET

CHROME_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)


def article_of(page: str, dataset_id: str) -> str:
    match = re.search(
        rf'<article class="dataset" data-dataset-id="{dataset_id}">(.*?)</article>', page, re.S
    )
    assert match, f"{dataset_id} is not listed"
    return match.group(1)


def test_catalog_lists_the_demo_dataset_under_thailand(demo_client, demo_store: Store):
    response = demo_client.get("/catalog")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.text
    thailand = page[page.index('data-country="TH"') :]
    assert "Thailand (TH)" in thailand
    article = article_of(thailand, DEMO_DATASET)
    assert "Thai, Japanese, Korean, Han Chinese, Malay" in article
    assert "general research use" in article
    assert "DUO:0000042" in article
    assert '<dd class="access-level">PUBLIC</dd>' in article
    assert '<a href="/catalog/privacy_laws/th-pdpa">PDPA</a> (Thailand)' in article
    individuals = demo_store.collection(INDIVIDUALS).count_documents({"datasetId": DEMO_DATASET})
    biosamples = demo_store.collection(BIOSAMPLES).count_documents({"datasetId": DEMO_DATASET})
    assert f'<dd class="individual-count">{individuals:,}</dd>' in article
    assert f'<dd class="biosample-count">{biosamples:,}</dd>' in article
    variants = demo_store.collection(VARIANTS).count_documents({"datasetId": DEMO_DATASET})
    assert f'<dd class="variant-count">{variants:,}</dd>' in article


def test_page_assets_are_served_from_the_package_and_nothing_is_fetched_elsewhere(demo_client):
    page = demo_client.get("/catalog").text
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert sorted(assets) == ["/catalog/static/catalog.css", "/catalog/static/catalog.js"]
    for asset in assets:
        response = demo_client.get(asset)
        assert response.status_code == 200
        assert b"http://" not in response.data and b"https://" not in response.data


@pytest.fixture
def described_store() -> Store:
    """A PUBLIC dataset whose name needs escaping and a CONTROLLED one an anonymous caller may
    not see."""
    store = open_store("mongomock://memory/asia_beacon_web_described")
    store.upsert_by_id(
        DATASETS,
        [
            {"_id": "open", "id": "open", "name": "<script>alert(1)</script>", "country": "JP"},
            {"_id": "closed", "id": "closed", "name": "Closed cohort", "country": "KR"},
        ],
    )
    return store


def test_only_visible_datasets_are_listed_and_text_is_escaped(described_store: Store):
    config = {"TESTING": True, "DATASET_ACCESS": {"open": "PUBLIC", "closed": "CONTROLLED"}}
    page = create_app(config, store=described_store).test_client().get("/catalog").text
    assert 'data-dataset-id="open"' in page
    assert "closed" not in page and 'data-country="KR"' not in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "application/json",
        "*/*",
        "text/html, application/json",  # a tie keeps JSON
        "application/json, text/html;q=0.9",
    ],
)
def test_root_answers_beacon_clients_with_the_info_response(demo_client, accept):
    headers = {"Accept": accept} if accept else {}
    response = demo_client.get("/", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "Accept" in response.headers["Vary"]
    assert response.json["meta"]["beaconId"]
    assert response.json == demo_client.get("/info").json
    validate_framework(response.json, "responses/beaconInfoResponse.json")


@pytest.mark.parametrize(
    "accept", [CHROME_ACCEPT, "text/html", "application/json;q=0.5, text/html"]
)
def test_root_answers_a_browser_with_the_catalog_page(demo_client, accept):
    response = demo_client.get("/", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Accept" in response.headers["Vary"]
    assert response.text == demo_client.get("/catalog").text


def test_info_stays_json_for_a_browser(demo_client):
    response = demo_client.get("/info", headers={"Accept": CHROME_ACCEPT})
    assert response.mimetype == "application/json"
    assert response.json["meta"]["beaconId"]
