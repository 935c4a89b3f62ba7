"""A dataset the caller may not see must change nothing it can observe: every endpoint answers a
store holding ``ctl`` exactly as it answers the same store without it."""

from __future__ import annotations

import pytest
from access.tiers import access_config, headers, load_datasets

from app import create_app
from app.store import open_store
from app.store.collections import COHORTS, INDIVIDUALS, VARIANTS

SNV = "assemblyId=GRCh38&referenceName=1&start=11786073&referenceBases=G&alternateBases=A"
ALL_SETS = "includeResultsetResponses=ALL"
TABLES = (
    "asia_beacon.catalog.datasets",
    "asia_beacon.beacon.individuals",
    "asia_beacon.beacon.biosamples",
)
REGION = "chromosome = '1' AND start < 20000000"  # the variant tables, read where it is quick
SEARCHES = (
    "SELECT dataset_id, COUNT(*) AS n FROM asia_beacon.beacon.individuals GROUP BY dataset_id",
    "SELECT id, access_level, variant_count FROM asia_beacon.catalog.datasets",
    f"SELECT * FROM asia_beacon.beacon.variants WHERE {REGION}",
    f"SELECT * FROM asia_beacon.beacon.population_frequencies WHERE {REGION}",
    f"SELECT dataset_id, COUNT(*) FROM asia_beacon.beacon.variants WHERE {REGION} GROUP BY 1",
)


@pytest.fixture(scope="module")
def without_controlled():
    return load_datasets(open_store("mongomock://memory/access_without_ctl"), ["pub", "reg"])


def paths(store) -> list[str]:
    variant = store.collection(VARIANTS).find_one({"datasetId": "pub"})["variantInternalId"]
    individual = store.collection(INDIVIDUALS).find_one({"datasetId": "pub"})["id"]
    cohort = sorted(store.collection(COHORTS).distinct("id"))[0]
    listed = [
        "/",
        "/info",
        "/configuration",
        "/map",
        "/entry_types",
        "/filtering_terms",
        "/individuals/filtering_terms",
        "/datasets/ctl/filtering_terms",
        f"/cohorts/{cohort}/filtering_terms",
        "/datasets?requestedGranularity=record",
        "/datasets/ctl",
        "/datasets/ctl/g_variants",
        "/datasets/pub/individuals?requestedGranularity=count",
        "/cohorts?requestedGranularity=record",
        f"/cohorts/{cohort}/individuals?requestedGranularity=count&{ALL_SETS}",
        f"/g_variants?{SNV}&requestedGranularity=record&{ALL_SETS}",
        f"/g_variants?{SNV}&requestedGranularity=boolean",
        f"/g_variants?geneId=ALDH2&requestedGranularity=count&{ALL_SETS}",
        f"/g_variants/{variant}?requestedGranularity=record&{ALL_SETS}",
        f"/g_variants/{variant}/individuals?requestedGranularity=count&{ALL_SETS}",
        f"/individuals?filters=HP:0000822&requestedGranularity=count&{ALL_SETS}",
        f"/individuals?{SNV}&requestedGranularity=record&limit=3&{ALL_SETS}",
        f"/individuals/{individual}?requestedGranularity=record&{ALL_SETS}",
        f"/individuals/{individual}/g_variants?requestedGranularity=count&{ALL_SETS}",
        f"/biosamples?requestedGranularity=count&{ALL_SETS}",
        f"/runs?requestedGranularity=count&{ALL_SETS}",
        f"/analyses?requestedGranularity=count&{ALL_SETS}",
        "/data-connect/tables",
    ]
    return listed + [f"/data-connect/table/{table}/data" for table in TABLES]


@pytest.mark.parametrize("token_case", ["none", "registered", "without grant"])
@pytest.mark.parametrize("protections", ["off", "defaults"])
def test_an_unseen_dataset_changes_no_answer(
    tiered_store, without_controlled, keys, tokens, token_case, protections
):
    overrides = (
        {}
        if protections == "off"
        else {
            "ACCESS_GRANULARITY": {
                "PUBLIC": "count",
                "REGISTERED": "count",
                "CONTROLLED": "record",
            },
            "SMALL_COUNT_THRESHOLD": 5,
            "RARE_ALLELE_FREQUENCY": 0.01,
            "QUERY_BUDGET": 50,
        }
    )
    config = access_config(keys["jwks"], **overrides)
    with_it = create_app(config, store=tiered_store).test_client()
    without_it = create_app(config, store=without_controlled).test_client()
    sent = headers(tokens[token_case])
    for path in paths(tiered_store):
        seen, reference = with_it.get(path, headers=sent), without_it.get(path, headers=sent)
        assert (seen.status_code, seen.json) == (reference.status_code, reference.json), path
    for query in SEARCHES:
        seen = with_it.post("/data-connect/search", json={"query": query}, headers=sent)
        reference = without_it.post("/data-connect/search", json={"query": query}, headers=sent)
        assert seen.json == reference.json, query


def test_a_granted_caller_does_see_the_controlled_dataset(tiered_store, keys, tokens):
    """The comparison above can fail: with the grant, ``ctl`` is there."""
    client = create_app(access_config(keys["jwks"]), store=tiered_store).test_client()
    granted = client.get("/datasets", headers=headers(tokens["granted by visa"])).json
    anonymous = client.get("/datasets").json
    assert "ctl" in {item["id"] for item in granted["response"]["collections"]}
    assert "ctl" not in {item["id"] for item in anonymous["response"]["collections"]}
