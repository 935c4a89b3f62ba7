"""Driving the catalog page's script in headless Chromium (a node's page and a hub's network
page), and what it should show of a Beacon answer.

Debian's ``chromium`` and ``chromium-driver`` provide the browser (tests/run.sh installs them);
without them the tests that need it skip, saying which file is missing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
MISSING = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
MISSING_REASON = (
    f"headless browser missing ({', '.join(MISSING)}): tests/run.sh installs Debian's "
    "chromium and chromium-driver"
)
WAIT_SECONDS = 15

Rows = list[tuple[str, ...]]


def chromium() -> Iterator[WebDriver]:
    """A headless browser for the length of a fixture."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1600"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


def search(browser: WebDriver, fields: dict[str, str]) -> None:
    """Fill the search form, submit it and wait until the page has shown the answer."""
    for field_id, value in fields.items():
        box = browser.find_element(By.ID, field_id)
        box.clear()
        box.send_keys(value)
    browser.find_element(By.ID, "search-button").click()
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda driver: (
            driver.find_element(By.ID, "variant-search").get_attribute("data-state") == "done"
        )
    )


def shown_frequencies(result_set: WebElement) -> list[tuple[str, Rows]]:
    """Each frequency table of a result set: its source and its rows as the page shows them."""
    return [
        (
            table.get_attribute("data-source"),
            [
                tuple(cell.text for cell in row.find_elements(By.CSS_SELECTOR, "th, td"))
                for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")
            ],
        )
        for table in result_set.find_elements(By.CSS_SELECTOR, "table.frequencies")
    ]


def answered_frequencies(result_set: Mapping[str, Any]) -> list[tuple[str, Rows]]:
    """What the page should show of a JSON result set's records: per source, each population's
    allele count, number and frequency (four decimals)."""
    return [
        (
            frequencies["source"],
            [
                (
                    str(item["population"]),
                    str(item["alleleCount"]),
                    str(item["alleleNumber"]),
                    f"{item['alleleFrequency']:.4f}",
                )
                for item in frequencies["frequencies"]
            ],
        )
        for record in result_set["results"]
        for frequencies in record["frequencyInPopulations"]
    ]
