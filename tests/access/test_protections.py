"""The re-identification protections: on by default, small counts banded, rare alleles absent on
PUBLIC datasets, and the per-identity budget shared by every process over one store."""

from __future__ import annotations

from access.tiers import access_config, headers
from beacon_schemas import validate_framework

from app import create_app
from app.access.budget import QueryBudget
from app.access.policy import Protections
from app.config import DEFAULTS
from app.dataconnect.access import RowAccess, catalog_stages
from app.settings import BeaconSettings
from app.store import VARIANTS, open_store
from loaders.demo.load import load_demo

# demo alleles of known frequency in their dataset
COMMON = {"referenceName": "1", "start": 11786073, "ref": "G", "alt": "A"}  # 0.32
UNCOMMON = {"referenceName": "1", "start": 4272105, "ref": "C", "alt": "T"}  # 0.020
RARE = {"referenceName": "1", "start": 3399536, "ref": "C", "alt": "T"}  # 0.0033


def sequence_query(allele: dict, granularity: str = "boolean", extra: str = "") -> str:
    return (
        f"/g_variants?assemblyId=GRCh38&referenceName={allele['referenceName']}"
        f"&start={allele['start']}&referenceBases={allele['ref']}"
        f"&alternateBases={allele['alt']}&requestedGranularity={granularity}{extra}"
    )


def frequency(store, allele: dict, dataset_id: str) -> float:
    document = store.collection(VARIANTS).find_one(
        {
            "datasetId": dataset_id,
            "referenceName": allele["referenceName"],
            "start": allele["start"],
            "alternateBases": allele["alt"],
        }
    )
    return document["alleleFrequency"]


def test_the_alleles_used_here_have_the_frequencies_assumed(demo_store):
    dataset_id = demo_store.datasets.find_one({})["_id"]
    assert frequency(demo_store, COMMON, dataset_id) >= 0.05
    assert 0.01 <= frequency(demo_store, UNCOMMON, dataset_id) < 0.05
    assert frequency(demo_store, RARE, dataset_id) < 0.01


def test_protections_are_active_by_default(demo_store):
    settings = BeaconSettings.from_config(DEFAULTS)
    assert settings.access.protections == Protections(
        small_count_threshold=5,
        rare_allele_frequency=0.01,
        query_budget=50,
        query_budget_period=86_400,
        budget_rare_frequency=0.05,
    )
    assert settings.access.default_level == "PUBLIC"
    assert settings.access.granularity["PUBLIC"] == "count"
    client = create_app(store=demo_store).test_client()
    assert client.get(sequence_query(RARE)).json["responseSummary"]["exists"] is False
    assert client.get(sequence_query(COMMON)).json["responseSummary"]["exists"] is True
    answer = client.get(sequence_query(COMMON, "record", "&includeResultsetResponses=ALL")).json
    assert answer["meta"]["returnedGranularity"] == "count"  # PUBLIC gives no records
    (result_set,) = answer["response"]["resultSets"]
    assert result_set["resultsCount"] == 5  # one variant, reported as the band
    assert result_set["info"] == {"countBand": {"min": 1, "max": 4}}
    assert "small-count protection" in answer["info"]["warnings"][0]
    validate_framework(answer, "responses/beaconCountResponse.json")


def test_without_protections_the_same_queries_answer_exactly(demo_store):
    off = {"SMALL_COUNT_THRESHOLD": 0, "RARE_ALLELE_FREQUENCY": 0, "QUERY_BUDGET": 0}
    client = create_app(off, store=demo_store).test_client()
    assert client.get(sequence_query(RARE)).json["responseSummary"]["exists"] is True
    answer = client.get(sequence_query(COMMON, "count")).json
    assert answer["responseSummary"]["numTotalResults"] == 1
    assert "info" not in answer


def test_rare_alleles_are_absent_on_public_only(tiered_store, keys, tokens):
    """The same rare allele is in ``pub`` and ``reg``: a registered caller finds it in ``reg``
    only; carriers of it (individuals joined through the variant) follow the same rule."""
    config = access_config(keys["jwks"], RARE_ALLELE_FREQUENCY=0.01)
    client = create_app(config, store=tiered_store).test_client()
    registered = headers(tokens["registered"])
    found = client.get(
        sequence_query(RARE, "count", "&includeResultsetResponses=ALL"), headers=registered
    ).json
    counts = {item["id"]: item["resultsCount"] for item in found["response"]["resultSets"]}
    assert counts == {"pub": 0, "reg": 1}
    carriers_query = sequence_query(RARE, "count", "&includeResultsetResponses=ALL")
    carriers = client.get(
        carriers_query.replace("/g_variants", "/individuals"), headers=registered
    ).json
    counts = {item["id"]: item["resultsCount"] for item in carriers["response"]["resultSets"]}
    assert counts["pub"] == 0 and counts["reg"] > 0


def test_data_connect_hides_rare_alleles_of_public_datasets(tiered_store, keys, tokens):
    config = access_config(keys["jwks"], RARE_ALLELE_FREQUENCY=0.01)
    client = create_app(config, store=tiered_store).test_client()
    query = (
        "SELECT dataset_id, MIN(allele_frequency) AS rarest, COUNT(*) AS n "
        "FROM asia_beacon.beacon.variants WHERE chromosome = '1' GROUP BY dataset_id"
    )
    rows = client.post(
        "/data-connect/search", json={"query": query}, headers=headers(tokens["registered"])
    ).json["data"]
    by_dataset = {row["dataset_id"]: row for row in rows}
    assert by_dataset["pub"]["rarest"] >= 0.01
    assert by_dataset["reg"]["rarest"] < 0.01
    assert by_dataset["pub"]["n"] < by_dataset["reg"]["n"]


def test_catalog_counts_are_banded_on_protected_levels():
    collection = open_store("mongomock://memory/catalog_bands").collection("rows")
    counts = {"variant_count": 3, "sample_count": 0, "individual_count": 12, "biosample_count": 4}
    collection.delete_many({})
    collection.insert_many([{"id": "pub", **counts}, {"id": "ctl", **counts}])
    access = RowAccess(levels={"pub": "PUBLIC", "ctl": "CONTROLLED"}, banded=("pub",), threshold=5)
    rows = list(collection.aggregate([*catalog_stages(access), {"$project": {"_id": 0}}]))
    banded = {"variant_count": 5, "sample_count": 0, "individual_count": 12, "biosample_count": 5}
    assert rows == [
        {"id": "pub", **banded, "access_level": "PUBLIC"},
        {"id": "ctl", **counts, "access_level": "CONTROLLED"},
    ]


def test_the_budget_counts_yes_answers_on_rare_variants():
    """Two "yes" answers on an uncommon allele spend a budget of two; then every genomic query
    of that identity is 429, in this process and in another one over the same store, while
    another identity and common alleles are unaffected."""
    store = open_store("mongomock://memory/budget_demo")  # a fresh one: budgets are written
    load_demo(store)
    config = {"QUERY_BUDGET": 2, "SMALL_COUNT_THRESHOLD": 0}
    client = create_app(config, store=store).test_client()
    attacker = {"REMOTE_ADDR": "10.0.0.66"}
    for _ in range(3):  # common alleles cost nothing
        assert client.get(sequence_query(COMMON), environ_base=attacker).status_code == 200
    for _ in range(2):
        answer = client.get(sequence_query(UNCOMMON), environ_base=attacker)
        assert answer.json["responseSummary"]["exists"] is True
    refused = client.get(sequence_query(COMMON), environ_base=attacker)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    validate_framework(refused.json, "responses/beaconErrorResponse.json")
    assert "query budget exhausted" in refused.json["error"]["errorMessage"]
    other_worker = create_app(config, store=store).test_client()
    assert other_worker.get(sequence_query(RARE), environ_base=attacker).status_code == 429
    someone_else = {"REMOTE_ADDR": "10.0.0.67"}
    assert client.get(sequence_query(UNCOMMON), environ_base=someone_else).status_code == 200
    assert client.get("/info", environ_base=attacker).status_code == 200  # not a genomic query


def test_a_budget_resets_with_its_period():
    store = open_store("mongomock://memory/budget_periods")
    now = [1_000_000.0]
    budget = QueryBudget(store, limit=1, period_seconds=3600, clock=lambda: now[0])
    assert not budget.state("someone").exhausted
    assert budget.charge("someone").exhausted
    now[0] += 3600
    assert not budget.state("someone").exhausted
    assert budget.state("someone").resets_at.timestamp() > now[0]


def test_combined_frequencies_count_only_what_the_caller_may_see(tiered_store, keys, tokens):
    """A record's combined entry sums the allele counts of the datasets the caller sees, leaving
    out alleles hidden as rare on PUBLIC ones; its own dataset's entry stays first."""
    config = access_config(keys["jwks"], RARE_ALLELE_FREQUENCY=0.01)
    client = create_app(config, store=tiered_store).test_client()

    def combined(allele: dict, token_case: str) -> dict[str, dict]:
        answer = client.get(
            sequence_query(allele, "record"), headers=headers(tokens[token_case])
        ).json
        entries = {}
        for result_set in answer["response"]["resultSets"]:
            (record,) = result_set["results"]
            own, total = record["frequencyInPopulations"][0], record["frequencyInPopulations"][-1]
            assert own["source"] == result_set["id"]
            entries[result_set["id"]] = {"own": own, "total": total}
        return entries

    def all_count(entry: dict) -> int:
        (everyone,) = [f for f in entry["frequencies"] if f["population"] == "ALL"]
        return everyone["alleleCount"]

    granted = combined(COMMON, "granted by visa")
    own_count = all_count(granted["pub"]["own"])
    assert all_count(granted["pub"]["total"]) == 3 * own_count
    assert granted["pub"]["total"]["source"] == "all datasets you may see (ctl, pub, reg)"
    registered = combined(COMMON, "registered")
    assert all_count(registered["reg"]["total"]) == 2 * own_count
    rare = combined(RARE, "registered")  # hidden in pub, so only reg counts
    assert set(rare) == {"reg"}
    assert all_count(rare["reg"]["total"]) == all_count(rare["reg"]["own"])
