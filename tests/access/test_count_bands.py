"""Count bands on the protected levels: no count below the threshold can be told exactly, from
one answer, from the difference of two (a complement filter against the total), or from an
answer and a published total (the catalog's, /info's)."""

from __future__ import annotations

import itertools

import pytest
from access.tiers import access_config, load_datasets

from app import create_app
from app.access.protections import CountBand, count_band
from app.store import DATASETS, open_store
from app.store.collections import METADATA_STATS
from loaders.demo.load import load_demo

THRESHOLDS = (4, 5, 10)


@pytest.mark.parametrize(
    ("count", "threshold", "total", "band"),
    [
        (0, 5, 300, (0, 0, 0)),
        (1, 5, 300, (5, 1, 4)),
        (4, 5, 300, (5, 1, 4)),
        (5, 5, 300, (5, 5, 9)),
        (152, 5, 300, (150, 150, 154)),
        (152, 5, None, (150, 150, 154)),
        (290, 5, 300, (290, 290, 295)),  # the band below the mirror takes the remainder
        (295, 5, 300, (290, 290, 295)),
        (296, 5, 300, (295, 296, 299)),  # the mirror of 1 to 4: 300 - x for x in 1..4
        (298, 5, 300, (295, 296, 299)),
        (299, 5, None, (295, 295, 299)),
        (300, 5, 300, (300, 300, 300)),  # the whole dataset: its total is published anyway
        (3, 5, 3, (5, 1, 4)),  # a total below the threshold is itself a small count
        (7, 5, 9, (5, 5, 8)),
        (6, 5, 8, (5, 1, 7)),  # the lowest band and the mirror would overlap: one band
        (3, 0, 300, (3, 3, 3)),  # threshold 0: off
    ],
)
def test_count_band(count, threshold, total, band):
    assert count_band(count, threshold, total) == CountBand(*band)


def bands_of(threshold: int, total: int | None, up_to: int) -> list[CountBand]:
    return [count_band(count, threshold, total) for count in range(up_to + 1)]


@pytest.mark.parametrize("threshold", THRESHOLDS)
@pytest.mark.parametrize("total", [None, *range(0, 80)])
def test_bands_partition_the_counts_and_are_wide(threshold, total):
    """Each count is in its band; every count of a band gets the same answer; every band
    but 0 and the total is at least threshold - 1 wide and reported as a multiple of the
    threshold (the lowest one as the threshold itself)."""
    up_to = total if total is not None else 80
    for count, band in enumerate(bands_of(threshold, total, up_to)):
        assert band.low <= count <= band.high
        assert all(count_band(c, threshold, total) == band for c in range(band.low, band.high))
        if band.exact:
            assert count in (0, total) and band.reported == count
            continue
        assert band.high - band.low + 1 >= threshold - 1
        assert band.reported % threshold == 0 and band.reported > 0
        assert band.reported == threshold if band.low == 1 else band.reported <= band.low


@pytest.mark.parametrize("threshold", THRESHOLDS)
@pytest.mark.parametrize("total", range(0, 60))
def test_no_difference_of_two_answers_gives_a_small_count(threshold, total):
    """For every small count x and every pair of answers a - b = x (one of them may be the
    published total, or 0), what the bands of a, b and x leave possible for x holds at least
    threshold - 2 values: never one (threshold 4 and more)."""
    bands = bands_of(threshold, total, total)
    for b, a in itertools.combinations(range(total + 1), 2):
        x = a - b
        if x >= threshold:
            continue
        own, larger, smaller = bands[x], bands[a], bands[b]
        window = range(larger.low - smaller.high, larger.high - smaller.low + 1)
        possible = [y for y in range(own.low, own.high + 1) if y in window]
        assert len(possible) >= threshold - 2, (total, a, b, possible)


def individuals(client, *filters: dict) -> dict:
    body = {
        "meta": {"apiVersion": "v2.0.1"},
        "query": {
            "filters": list(filters),
            "requestedGranularity": "count",
            "includeResultsetResponses": "ALL",
        },
    }
    answer = client.post("/individuals", json=body)
    assert answer.status_code == 200, answer.json
    (result_set,) = answer.json["response"]["resultSets"]
    band = (result_set.get("info") or {}).get("countBand")
    count = result_set["resultsCount"]
    return {"count": count, "band": (band["min"], band["max"]) if band else (count, count)}


def test_a_complement_filter_does_not_give_back_a_banded_count(demo_store):
    """The demo's 300 individuals, 2 with liver cancer (ICD10:C22.0): the total is published
    and exact, the count of C22.0 is banded, and the count of everyone else ("not C22.0")
    must not tell 2 either."""
    client = create_app({"TESTING": True}, store=demo_store).test_client()
    total = individuals(client)
    assert total == {"count": 300, "band": (300, 300)}
    cancer = individuals(client, {"id": "ICD10:C22.0"})
    assert cancer == {"count": 5, "band": (1, 4)}
    others = individuals(
        client, {"id": "diseases.diseaseCode.id", "operator": "!", "value": "ICD10:C22.0"}
    )
    low, high = others["band"]
    possible = [x for x in range(1, 5) if low <= 300 - x <= high]
    assert len(possible) == 4, others  # 300 minus any of 1..4: the band says no more


def test_every_count_answer_is_banded_on_protected_levels(demo_store):
    """Not only small ones: a count of 152 is reported as 150, with its band."""
    client = create_app({"TESTING": True}, store=demo_store).test_client()
    females = individuals(client, {"id": "NCIT:C16576"})
    exact = create_app({"TESTING": True, "SMALL_COUNT_THRESHOLD": 0}, store=demo_store)
    truth = individuals(exact.test_client(), {"id": "NCIT:C16576"})["count"]
    assert truth >= 10
    band = count_band(truth, 5, 300)
    assert females == {"count": band.reported, "band": (band.low, band.high)}
    assert females["band"][0] <= truth <= females["band"][1]


@pytest.fixture(scope="module")
def small_dataset_store():
    """A PUBLIC dataset of the demo (``pub``) and one with 3 individuals, as its stats say."""
    store = load_datasets(open_store("mongomock://memory/small_totals"), ["pub"])
    store.upsert_by_id(DATASETS, [{"_id": "tiny", "id": "tiny", "name": "Tiny"}])
    store.upsert_by_id(
        METADATA_STATS,
        [{"_id": "tiny", "individualCount": 3, "biosampleCount": 3, "runCount": 0}],
    )
    return store


def test_published_totals_of_protected_datasets_band_small_ones(small_dataset_store, keys):
    """The catalog page and the Data Connect catalog give a total as it is from the threshold
    on (it is what a complement is taken from), and a small one as the threshold."""
    config = access_config(keys["jwks"], SMALL_COUNT_THRESHOLD=5)
    client = create_app(config, store=small_dataset_store).test_client()
    page = client.get("/catalog").get_data(as_text=True)
    for name, shown in (("Tiny", "5"), ("Dataset pub", "300")):
        section = page[page.index(f"<h4>{name}</h4>") :]
        section = section[: section.index("</article>")]
        assert f'class="individual-count">{shown}<' in section
    rows = client.post(
        "/data-connect/search",
        json={"query": "SELECT id, individual_count FROM asia_beacon.catalog.datasets"},
    ).json["data"]
    assert {row["id"]: row["individual_count"] for row in rows} == {"pub": 300, "tiny": 5}


def test_info_totals_band_small_ones():
    store = open_store("mongomock://memory/info_small_totals")
    load_demo(store)
    store.upsert_by_id("variantStats", [{"_id": "tiny", "variantCount": 2}])
    client = create_app({"TESTING": True}, store=store).test_client()
    loaded = client.get("/info").json["response"]["info"]
    exact = create_app({"TESTING": True, "SMALL_COUNT_THRESHOLD": 0}, store=store).test_client()
    assert exact.get("/info").json["response"]["info"]["variants"] == loaded["variants"] - 3
