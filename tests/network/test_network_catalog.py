"""The hub's network catalog page over real nodes served on 127.0.0.1: the registry's nodes and
their status (the down one marked, with why), every node's datasets under their country as the
nodes' own /datasets describe them, and the variant search run by the page's script in headless
Chromium, answered per country, node and population."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from catalog_browser import (
    MISSING,
    MISSING_REASON,
    answered_frequencies,
    chromium,
    search,
    shown_frequencies,
)
from catalog_fixtures import (
    DOWN_NODE,
    NODES,
    ServedNetwork,
    fetch_json,
    served_network,
)
from selenium.webdriver.common.by import By

from app.catalog.laws import bundled_registry
from app.network.context import HUB_KEY
from app.network.status import node_problem
from app.web.view import catalog_by_country, network_nodes
from schemas.metadata.countries import COUNTRY_NAMES

HTML_ACCEPT = "text/html,application/xhtml+xml,*/*;q=0.8"


@pytest.fixture(scope="module")
def network(demo_store, tmp_path_factory) -> Iterator[ServedNetwork]:
    with served_network(tmp_path_factory.mktemp("network"), demo_store=demo_store) as served:
        yield served


@pytest.fixture(scope="module")
def page(network) -> str:
    response = network.hub.test_client().get("/catalog")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    return response.text


def node_row(page: str, node_id: str) -> str:
    match = re.search(rf'<tr class="node[^"]*" data-node-id="{node_id}".*?</tr>', page, re.S)
    assert match, f"node {node_id} is not listed"
    return match.group(0)


def country_section(page: str, code: str) -> str:
    match = re.search(rf'<section class="country" data-country="{code}".*?</section>', page, re.S)
    assert match, f"no section for {code}"
    return match.group(0)


def article_of(section: str, beacon_id: str, dataset_id: str) -> str:
    match = re.search(
        rf'<article class="dataset" data-dataset-id="{re.escape(dataset_id)}" '
        rf'data-beacon-id="{re.escape(beacon_id)}"[^>]*>.*?</article>',
        section,
        re.S,
    )
    assert match, f"{beacon_id}/{dataset_id} is not listed here"
    return match.group(0)


def text_of(fragment: str) -> str:
    """A fragment's text as a reader sees it: tags dropped, entities decoded, spaces squeezed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


# --- the page through the test client ----------------------------------------------------------
def test_every_node_is_listed_with_its_status_and_the_down_one_says_why(network, page):
    for spec in NODES:
        row = node_row(page, spec.id)
        assert 'data-status="healthy"' in row and "down-mark" not in row
        assert f"<code>{spec.beacon_id}</code>" in row
        assert f"{COUNTRY_NAMES[spec.country]} ({spec.country})" in text_of(row)
    assert "Japan reference panel (jp)" in text_of(node_row(page, "jp"))
    assert "sg (sg)" not in text_of(node_row(page, "sg"))  # named by its id only: said once

    down = node_row(page, DOWN_NODE)
    assert 'class="node down"' in down and 'data-status="unavailable"' in down
    shown = text_of(down)
    assert "down (unavailable)" in shown
    assert "its metadata could not be read: /info: unreachable (" in shown
    assert "Connection refused" in shown
    assert "not known" in shown  # its beacon id was never read
    info = network.hub.test_client().get("/info").json["response"]["info"]["network"]
    [reported] = [node for node in info["nodes"] if node["id"] == DOWN_NODE]
    assert reported["metadataError"] in shown  # the reason the hub's /info gives


def test_every_nodes_datasets_are_listed_under_their_country_as_the_node_describes_them(
    network, page
):
    laws = bundled_registry()
    for node_id, url in network.node_urls.items():
        records = fetch_json(f"{url}/datasets")["response"]["collections"]
        beacon_id = fetch_json(f"{url}/info")["response"]["id"]
        assert records, f"node {node_id} describes no dataset"
        for record in records:
            section = country_section(page, record["country"])
            article = article_of(section, beacon_id, record["id"])
            shown = text_of(article)
            assert f'data-node-id="{node_id}"' in article
            assert record["name"] in shown
            assert ", ".join(record["populations"]) in shown
            for term in record["dataUseConditions"]["duoDataUse"]:
                assert f"{term['label']} ({term['id']})" in shown
            for law_id in record["privacyLaws"]:
                law = laws.by_id(law_id)
                assert f'<a href="/catalog/privacy_laws/{law_id}">{law["short_name"]}</a>' in (
                    article
                )
                assert f"({law['jurisdiction']})" in shown
            assert f'<dd class="access-level">{record["accessLevel"]}</dd>' in article
            assert "variant-count" not in article  # a hub knows no node's counts


def test_countries_are_in_the_order_of_their_names(page):
    codes = re.findall(r'<section class="country" data-country="([A-Z]*)"', page)
    assert set(codes) == {"JP", "MY", "SG", "TH"}  # the down node described nothing
    assert codes == sorted(codes, key=lambda code: COUNTRY_NAMES[code])


def test_the_search_form_asks_the_hub_and_the_page_loads_only_its_own_assets(network, page):
    assert 'data-endpoint="/g_variants" data-network="true"' in page
    assert '<table id="node-answers" class="nodes" hidden>' in page
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert sorted(assets) == ["/catalog/static/catalog.css", "/catalog/static/catalog.js"]
    client = network.hub.test_client()
    for asset in assets:
        assert client.get(asset).status_code == 200


def test_a_browser_gets_the_page_at_the_root_and_a_beacon_client_the_info(network):
    client = network.hub.test_client()
    as_browser = client.get("/", headers={"Accept": HTML_ACCEPT})
    assert as_browser.mimetype == "text/html"
    assert 'id="nodes"' in as_browser.text and 'id="variant-search"' in as_browser.text
    as_client = client.get("/")
    assert as_client.json["response"]["id"] == network.hub.config["BEACON_ID"]
    assert "Accept" in as_client.headers["Vary"]


@pytest.fixture
def small_network(tmp_path: Path) -> Iterator[ServedNetwork]:
    """Japan alone (and the Korean URL where nothing listens), for tests that take it down."""
    with served_network(tmp_path, nodes=NODES[:1]) as served:
        yield served


def test_a_node_gone_down_keeps_its_datasets_listed_marked_down(small_network):
    client = small_network.hub.test_client()
    assert 'data-dataset-id="jp-panel"' in client.get("/catalog").text
    small_network.stop("jp")
    small_network.hub.extensions[HUB_KEY].refresh()  # the hub reads its nodes again

    page = client.get("/catalog").text
    row = node_row(page, "jp")
    assert 'data-status="unavailable"' in row and "down-mark" in row
    article = article_of(country_section(page, "JP"), "org.example.jp-node", "jp-panel")
    node = text_of(re.search(r'<dd class="node">(.*?)</dd>', article, re.S).group(1))
    assert node.startswith("Japan reference panel (jp) down")
    assert "its metadata could not be read: /info:" in node
    # the Beacon /datasets of the hub lists only the nodes it can ask now
    assert client.get("/datasets").json["response"]["collections"] == []


# --- the page's view data, from plain reports (no Flask) -------------------------------------
def test_network_nodes_say_which_are_down_and_why():
    reports = [
        {"id": "a", "name": "A", "country": "JP", "status": "healthy", "beaconId": "org.a"},
        {
            "id": "b",
            "country": "KR",
            "status": "unavailable",
            "metadataError": "/info: connection refused",
            "metadataProblems": [],
        },
        {
            "id": "c",
            "country": "TH",
            "status": "failing",
            "health": {"failuresInARow": 3, "lastError": "HTTP 500"},
        },
        {"id": "d", "country": "ZZ", "status": "self", "metadataProblems": ["/datasets: bad"]},
    ]
    nodes = network_nodes(reports, node_problem)
    assert [(node.id, node.down) for node in nodes] == [
        ("a", False),
        ("b", True),
        ("c", True),
        ("d", False),
    ]
    assert (nodes[0].name, nodes[0].country_name, nodes[0].problem) == ("A", "Japan", "")
    assert nodes[1].name == "b" and nodes[1].beacon_id == ""
    assert nodes[1].problem == "its metadata could not be read: /info: connection refused"
    assert "circuit open after 3 failures in a row): HTTP 500" in nodes[2].problem
    assert nodes[3].problem == "this hub itself: never asked"
    assert nodes[3].country_name == "ZZ" and nodes[3].notes == ("/datasets: bad",)


def test_catalog_entries_carry_the_beacon_and_node_holding_them():
    records = [
        {"id": "x", "country": "JP", "beaconId": "org.jp", "nodeId": "jp"},
        {"id": "x", "country": "JP", "beaconId": "org.jp2", "nodeId": "jp2"},
    ]
    [group] = catalog_by_country(records, {}, {}, lambda law_id: None)
    assert [(entry.beacon_id, entry.node_id) for entry in group.datasets] == [
        ("org.jp", "jp"),
        ("org.jp2", "jp2"),
    ]
    [node_group] = catalog_by_country([{"id": "y"}], {}, {}, lambda law_id: None)
    assert node_group.datasets[0].beacon_id == ""  # a node's own page names no beacon


# --- the variant search in headless Chromium ---------------------------------------------------
@pytest.fixture
def browser():
    if MISSING:
        pytest.skip(MISSING_REASON)
    yield from chromium()


def node_frequencies(network: ServedNetwork, node_id: str) -> list[tuple[str, list[tuple]]]:
    """The frequency tables the page should show for a node: those of the records the node
    itself returns to a plain JSON client, per source."""
    body = {
        "meta": {"apiVersion": "v2.0.1"},
        "query": {
            "requestParameters": {
                "assemblyId": "GRCh38",
                "referenceName": "1",
                "start": [99],
                "referenceBases": "A",
                "alternateBases": "G",
            },
            "requestedGranularity": "record",
        },
    }
    answer = fetch_json(f"{network.node_urls[node_id]}/g_variants", body)
    [result_set] = answer["response"]["resultSets"]
    return answered_frequencies(result_set)


def test_a_variant_search_on_the_hub_shows_each_country_node_and_population(
    network, browser, tmp_path
):
    """chr1:100 A>G is in the test VCF of Japan, Malaysia and Singapore, not in the demo."""
    browser.get(f"{network.hub_url}/catalog")
    down = browser.find_element(By.CSS_SELECTOR, f'tr.node[data-node-id="{DOWN_NODE}"]')
    assert "DOWN" in down.find_element(By.CLASS_NAME, "status").text.upper()
    search(browser, {"chromosome": "1", "position": "100", "reference": "A", "alternate": "G"})
    assert not browser.find_element(By.ID, "search-error").is_displayed()
    status = browser.find_element(By.ID, "results-status").text
    assert status == "Found in the network: 4 of 5 nodes answered."

    def answer(country: str, node_id: str):
        group = browser.find_element(
            By.CSS_SELECTOR, f'#result-sets section.country-answers[data-country="{country}"]'
        )
        return group.find_element(By.CSS_SELECTOR, f'section[data-node-id="{node_id}"]')

    japan = answer("JP", "jp")
    assert japan.get_attribute("data-beacon-id") == "org.example.jp-node"
    assert japan.find_element(By.TAG_NAME, "h4").text == "Japanese reference panel (jp-panel)"
    assert japan.find_element(By.CLASS_NAME, "country").text == "Japan (JP)"
    assert japan.find_element(By.CLASS_NAME, "node").text == "jp"
    assert japan.find_element(By.CLASS_NAME, "exists").text == "Yes"
    assert japan.find_element(By.CLASS_NAME, "count").text == "1"
    assert japan.find_element(By.CLASS_NAME, "granularity").text == "record"
    tables = shown_frequencies(japan)
    assert tables == node_frequencies(network, "jp")
    own = dict(tables)["jp-panel"]
    assert {row[0] for row in own} == {"ALL", "Pop A", "Pop B", "East Asian"}

    malaysia = answer("MY", "my")
    assert malaysia.find_element(By.CLASS_NAME, "count").text.startswith("1\N{EN DASH}4 ")
    assert malaysia.find_element(By.CLASS_NAME, "granularity").text == "count"
    assert not malaysia.find_elements(By.CSS_SELECTOR, "table.frequencies")
    assert "need record access" in malaysia.text

    singapore = answer("SG", "sg")
    assert singapore.get_attribute("data-set-type") == "beacon"
    assert singapore.find_element(By.CLASS_NAME, "count").text == "at least 1"

    thailand = answer("TH", "th")
    assert thailand.find_element(By.CLASS_NAME, "exists").text == "No"
    assert thailand.find_element(By.CLASS_NAME, "count").text == "0"

    korea = answer("KR", DOWN_NODE)
    assert "unanswered" in korea.get_attribute("class")
    assert korea.find_element(By.CLASS_NAME, "exists").text == "No answer"
    assert "could not be read" in korea.find_element(By.CLASS_NAME, "unanswered").text

    rows = browser.find_elements(By.CSS_SELECTOR, "#node-answers tbody tr")
    statuses = {row.get_attribute("data-node-id"): row.get_attribute("data-status") for row in rows}
    expected = dict.fromkeys(["jp", "my", "sg", "th"], "answered") | {DOWN_NODE: "failed"}
    assert statuses == expected
    countries = [
        group.get_attribute("data-country")
        for group in browser.find_elements(By.CSS_SELECTOR, "section.country-answers")
    ]
    assert countries == sorted(countries, key=lambda code: COUNTRY_NAMES[code])

    screenshot = tmp_path / "network.png"
    browser.save_screenshot(str(screenshot))
    print(f"screenshot: {screenshot}")
