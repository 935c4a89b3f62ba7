"""Every way a request selects variants (request parameters, a variant in the path, as the
entry asked for or as the parent of the entries asked for, variant-scoped filters) passes
through the same protection and the same charge: a rare allele of a PUBLIC dataset is absent
whichever way it is named, and a caller whose budget is spent gets 429 on each of them."""

from __future__ import annotations

import pytest
from access.tiers import access_config, headers, load_datasets

from app import create_app
from app.store import VARIANTS, open_store

# demo alleles (frequency in their dataset): rare is hidden on PUBLIC datasets, uncommon is not
# but a "yes" about it costs budget, common costs nothing
RARE = ("1", 3399536, "T")  # 0.0033
UNCOMMON = ("1", 4272105, "T")  # 0.020
COMMON = ("1", 11786073, "A")  # 0.32


def variant(store, allele: tuple[str, int, str], dataset_id: str = "pub") -> dict:
    chromosome, start, alternate = allele
    return store.collection(VARIANTS).find_one(
        {
            "datasetId": dataset_id,
            "referenceName": chromosome,
            "start": start,
            "alternateBases": alternate,
        }
    )


def selecting_paths(document: dict) -> list[str]:
    """Each GET that selects exactly this variant without request parameters."""
    internal = document["variantInternalId"]
    hgvs = document["record"]["identifiers"]["genomicHGVSId"]
    (alternative,) = document["identifiers"]  # as indexed: rs150965312
    paths = [
        f"/g_variants/{internal}",
        f"/g_variants/{hgvs}",
        f"/g_variants/{internal}/individuals",
        f"/g_variants/{internal}/biosamples",
        f"/g_variants/{hgvs}/individuals",
        f"/g_variants/{hgvs}/biosamples",
    ]
    for entry in ("individuals", "biosamples", "runs", "analyses", "g_variants"):
        paths.append(f"/{entry}?filters=variantInternalId:{internal}")
        paths.append(f"/{entry}?filters=identifiers.variantAlternativeIds.id:{alternative}")
    return paths


@pytest.fixture(scope="module")
def rare_variant(tiered_store) -> dict:
    return variant(tiered_store, RARE)


def ask(client, path: str, token: str | None = None, **environ):
    separator = "&" if "?" in path else "?"
    url = f"{path}{separator}requestedGranularity=count&includeResultsetResponses=ALL"
    return client.get(url, headers=headers(token), environ_base=environ)


def counts(response) -> dict[str, int]:
    assert response.status_code == 200, response.json
    return {item["id"]: item["resultsCount"] for item in response.json["response"]["resultSets"]}


def test_the_alleles_have_the_frequencies_assumed(tiered_store):
    assert variant(tiered_store, RARE)["alleleFrequency"] < 0.01
    assert 0.01 <= variant(tiered_store, UNCOMMON)["alleleFrequency"] < 0.05
    assert variant(tiered_store, COMMON)["alleleFrequency"] >= 0.05


@pytest.mark.parametrize("path_index", range(16))
def test_a_hidden_allele_is_absent_whichever_way_it_is_selected(
    tiered_store, keys, tokens, rare_variant, path_index
):
    """Without the protection each path finds the allele's carriers (so it does select them);
    with it, the anonymous caller is told nothing of them on the PUBLIC dataset, while a
    registered caller still finds them on the REGISTERED one, which hides no allele."""
    path = selecting_paths(rare_variant)[path_index]
    unprotected = create_app(access_config(keys["jwks"]), store=tiered_store).test_client()
    assert counts(ask(unprotected, path))["pub"] > 0
    config = access_config(keys["jwks"], RARE_ALLELE_FREQUENCY=0.01)
    client = create_app(config, store=tiered_store).test_client()
    assert counts(ask(client, path)).get("pub", 0) == 0
    assert ask(client, path).json["responseSummary"]["exists"] is False
    registered = counts(ask(client, path, tokens["registered"]))
    assert registered["reg"] > 0 and registered.get("pub", 0) == 0


@pytest.mark.parametrize(
    ("entry", "field", "operator", "value"),
    [
        ("individuals", "variantInternalId", ">=", "GRCh38:1:3399537"),
        ("individuals", "variantInternalId", "<", "GRCh38:1:3399538"),
        ("g_variants", "variantInternalId", "<=", "GRCh38:1:3399537:C:T"),
        ("biosamples", "identifiers.variantAlternativeIds.id", ">", "dbSNP:rs15"),
        ("runs", "caseLevelData.biosampleId", ">=", "JP"),
        ("individuals", "caseLevelData.biosampleId", "<", "K"),
        ("individuals", "id", ">=", "IND-JP0002"),
        ("biosamples", "individualId", "<", "JP0003"),
        ("analyses", "runId", ">", "RUN-JP"),
        ("individuals", "id", "=", "IND-JP000%"),
        ("biosamples", "id", "!", "%"),
    ],
)
def test_ids_and_variant_fields_are_not_filterable_by_range_or_pattern(
    tiered_store, keys, entry, field, operator, value
):
    """A range or a pattern over ids would enumerate what the caller does not know (hidden
    variants, the carriers of a term one by one): only whole values are matched."""
    client = create_app(access_config(keys["jwks"]), store=tiered_store).test_client()
    body = {
        "meta": {"apiVersion": "v2.0.1"},
        "query": {"filters": [{"id": field, "operator": operator, "value": value}]},
    }
    response = client.post(f"/{entry}", json=body)
    assert response.status_code == 400, response.json
    assert field in response.json["error"]["errorMessage"]
    assert "whole value" in response.json["error"]["errorMessage"]


def test_ids_are_still_filterable_by_whole_value(tiered_store, keys, rare_variant):
    client = create_app(access_config(keys["jwks"]), store=tiered_store).test_client()
    carriers = ask(client, "/individuals?filters=id:IND-JP0002")
    assert counts(carriers)["pub"] == 1
    filters = [{"id": "variantInternalId", "operator": "!", "value": "GRCh38:1:3399537:C:T"}]
    body = {"meta": {"apiVersion": "v2.0.1"}, "query": {"filters": filters}}
    assert client.post("/g_variants", json=body).json["responseSummary"]["exists"] is True


@pytest.fixture
def budget_store():
    """A fresh store with the PUBLIC dataset only: budget tests write budgets."""
    return load_datasets(open_store("mongomock://memory/variant_selection_budget"), ["pub"])


def budget_client(store, jwks, limit: int):
    config = access_config(jwks, RARE_ALLELE_FREQUENCY=0.01, QUERY_BUDGET=limit)
    return create_app(config, store=store).test_client()


def test_a_spent_budget_refuses_every_way_of_selecting_variants(budget_store, keys):
    """Once an identity got 429, none of the paths answers it, not even about a common allele;
    another identity gets "yes" on each of them."""
    client = budget_client(budget_store, keys["jwks"], limit=1)
    attacker, other = {"REMOTE_ADDR": "10.1.0.1"}, {"REMOTE_ADDR": "10.1.0.2"}
    uncommon = variant(budget_store, UNCOMMON)
    spend = f"/g_variants/{uncommon['variantInternalId']}"
    assert ask(client, spend, **attacker).json["responseSummary"]["exists"] is True
    assert ask(client, spend, **attacker).status_code == 429
    for path in selecting_paths(variant(budget_store, COMMON)):
        assert ask(client, path, **attacker).status_code == 429, path
        assert ask(client, path, **other).json["responseSummary"]["exists"] is True, path


@pytest.mark.parametrize("path_index", range(16))
def test_a_yes_about_an_uncommon_allele_costs_on_every_path(budget_store, keys, path_index):
    client = budget_client(budget_store, keys["jwks"], limit=1)
    caller = {"REMOTE_ADDR": "10.2.0.1"}
    path = selecting_paths(variant(budget_store, UNCOMMON))[path_index]
    assert ask(client, path, **caller).json["responseSummary"]["exists"] is True
    assert ask(client, path, **caller).status_code == 429


def test_what_costs_is_the_variants_selected_not_the_whole_dataset(budget_store, keys):
    """A "yes" about a common allele costs nothing, however it is named, although the dataset
    holds uncommon alleles; a "no" costs nothing either."""
    client = budget_client(budget_store, keys["jwks"], limit=1)
    caller = {"REMOTE_ADDR": "10.3.0.1"}
    for path in selecting_paths(variant(budget_store, COMMON)):
        assert ask(client, path, **caller).json["responseSummary"]["exists"] is True, path
    for path in selecting_paths(variant(budget_store, RARE)):  # hidden: "no"
        assert ask(client, path, **caller).json["responseSummary"]["exists"] is False, path
    assert ask(client, "/g_variants/no-such-variant", **caller).status_code == 200
