"""The catalog page in headless Chromium against a real server over the demo: the catalog as a
browser renders it, and the variant search run by the page's script, checked against the record
the beacon returns to a plain JSON client."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from catalog_browser import (
    MISSING,
    MISSING_REASON,
    Rows,
    answered_frequencies,
    chromium,
    search,
    shown_frequencies,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from werkzeug.serving import make_server

from app import create_app
from app.store import Store
from loaders.demo.generator.dataset import DATASET_ID as DEMO_DATASET
from loaders.demo.load import DEMO_CONFIG

pytestmark = pytest.mark.skipif(bool(MISSING), reason=MISSING_REASON)

# A common demo variant (frequency about 0.32), answered on the PUBLIC level; 1-based position.
VARIANT = {"chromosome": "chr1", "position": "11786074", "reference": "G", "alternate": "A"}


@pytest.fixture(scope="module")
def serve(demo_store: Store) -> Iterator[Callable[[dict[str, Any]], str]]:
    """Start a real server over the demo with a configuration; returns its base URL."""
    servers = []

    def start(config: dict[str, Any]) -> str:
        app = create_app(config, store=demo_store)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    yield from chromium()


def expected_frequencies(client, reference_name: str) -> list[tuple[str, Rows]]:
    """What the page should show: the frequencies in the records a JSON client gets, per source
    (the dataset's own, and any other the beacon adds)."""
    body = {
        "meta": {"apiVersion": "v2.0.1"},
        "query": {
            "requestParameters": {
                "assemblyId": "GRCh38",
                "referenceName": reference_name,
                "start": [int(VARIANT["position"]) - 1],
                "referenceBases": VARIANT["reference"],
                "alternateBases": VARIANT["alternate"],
            },
            "requestedGranularity": "record",
            "includeResultsetResponses": "ALL",
        },
    }
    answer = client.post("/g_variants", json=body).json
    [result_set] = [rs for rs in answer["response"]["resultSets"] if rs["id"] == DEMO_DATASET]
    return answered_frequencies(result_set)


def test_catalog_and_variant_search_in_a_browser(serve, browser, demo_store, tmp_path):
    base = serve(DEMO_CONFIG)
    browser.get(f"{base}/catalog")

    thailand = browser.find_element(By.CSS_SELECTOR, 'section.country[data-country="TH"]')
    assert "Thailand" in thailand.find_element(By.TAG_NAME, "h3").text
    dataset = thailand.find_element(By.CSS_SELECTOR, f'article[data-dataset-id="{DEMO_DATASET}"]')
    assert "Thai" in dataset.find_element(By.CLASS_NAME, "populations").text
    assert "general research use" in dataset.find_element(By.CLASS_NAME, "consent").text
    assert dataset.find_element(By.CLASS_NAME, "access-level").text == "PUBLIC"

    search(browser, VARIANT)
    assert not browser.find_element(By.ID, "search-error").is_displayed()
    answer = browser.find_element(
        By.CSS_SELECTOR, f'#result-sets section[data-dataset-id="{DEMO_DATASET}"]'
    )
    assert answer.find_element(By.CLASS_NAME, "exists").text == "Yes"
    tables = shown_frequencies(answer)
    client = create_app(DEMO_CONFIG, store=demo_store).test_client()
    assert tables == expected_frequencies(client, VARIANT["chromosome"])
    own = dict(tables)[DEMO_DATASET]
    [everyone] = [row for row in own if row[0] == "ALL"]
    assert int(everyone[2]) > 0

    screenshot = tmp_path / "catalog.png"
    browser.save_screenshot(str(screenshot))
    print(f"screenshot: {screenshot}")


def test_a_gene_typed_in_lower_case_finds_what_its_symbol_finds(serve, browser):
    browser.get(f"{serve(DEMO_CONFIG)}/catalog")
    shown = []
    for typed in ("MTHFR", "mthfr"):
        search(browser, {"gene-id": typed})
        answer = browser.find_element(
            By.CSS_SELECTOR, f'#result-sets section[data-dataset-id="{DEMO_DATASET}"]'
        )
        shown.append(
            (
                answer.find_element(By.CLASS_NAME, "exists").text,
                answer.find_element(By.CLASS_NAME, "count").text,
            )
        )
    assert shown[0][0] == "Yes"
    assert shown[1] == shown[0]


def test_a_refused_query_shows_the_beacons_message(serve, browser):
    browser.get(f"{serve(DEMO_CONFIG)}/catalog")
    search(browser, {**VARIANT, "assembly": "GRCh99"})
    error = browser.find_element(By.ID, "search-error")
    assert error.is_displayed()
    assert "HTTP 400" in error.text and "unsupported assembly 'GRCh99'" in error.text
    assert not browser.find_elements(By.CSS_SELECTOR, "#result-sets section")


def test_a_count_level_answer_says_frequencies_need_record_access(serve, browser):
    levels = {"PUBLIC": "count", "REGISTERED": "count", "CONTROLLED": "count"}
    browser.get(f"{serve({'ACCESS_GRANULARITY': levels})}/catalog")
    search(browser, VARIANT)
    answer = browser.find_element(
        By.CSS_SELECTOR, f'#result-sets section[data-dataset-id="{DEMO_DATASET}"]'
    )
    assert answer.find_element(By.CLASS_NAME, "exists").text == "Yes"
    assert "stands for 1 to 4" in answer.find_element(By.CLASS_NAME, "count").text
    assert not answer.find_elements(By.CSS_SELECTOR, "table.frequencies")
    assert "need record access" in browser.find_element(By.ID, "granularity-note").text


def test_the_root_url_opens_the_catalog_in_a_browser(serve, browser):
    browser.get(serve(DEMO_CONFIG) + "/")
    assert browser.find_element(By.ID, "variant-search")
    assert browser.find_element(By.CSS_SELECTOR, 'section.country[data-country="TH"]')


def test_a_gene_search_and_a_position_the_page_refuses(serve, browser):
    browser.get(f"{serve(DEMO_CONFIG)}/catalog")
    search(browser, {"gene-id": "MTHFR"})
    answer = browser.find_element(
        By.CSS_SELECTOR, f'#result-sets section[data-dataset-id="{DEMO_DATASET}"]'
    )
    assert answer.find_element(By.CLASS_NAME, "exists").text == "Yes"
    assert answer.find_elements(By.CSS_SELECTOR, "table.frequencies")

    search(browser, {**VARIANT, "gene-id": "", "position": "0"})
    assert "whole number from 1" in browser.find_element(By.ID, "search-error").text
    assert not browser.find_elements(By.CSS_SELECTOR, "#result-sets section")
