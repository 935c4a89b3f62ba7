"""Every security level x every maximum granularity x every token case, with the exact
visibility expected, on the Beacon side and through Data Connect."""

from __future__ import annotations

import itertools

import pytest
from access.tiers import LEVEL_OF, SEES, access_config, headers
from beacon_schemas import validate_framework

from app import create_app

COMMON_SNV = {
    "assemblyId": "GRCh38",
    "referenceName": "1",
    "start": [11786073],
    "referenceBases": "G",
    "alternateBases": "A",
}
GRANULARITIES = ("boolean", "count", "record")
DATA_CONNECT = "/data-connect"


@pytest.fixture(scope="module")
def clients(tiered_store, keys):
    """One client per (level, maximum granularity of that level); other levels give records."""
    made = {}
    for level, granularity in itertools.product(LEVEL_OF.values(), GRANULARITIES):
        caps = {other: "record" for other in LEVEL_OF.values()} | {level: granularity}
        config = access_config(keys["jwks"], ACCESS_GRANULARITY=caps)
        made[level, granularity] = create_app(config, store=tiered_store).test_client()
    return made


def ask_one_dataset(client, dataset_id: str, token: str | None):
    body = {
        "meta": {"apiVersion": "v2.0.1"},
        "query": {
            "requestParameters": {
                "g_variant": COMMON_SNV,
                "datasets": {"datasetIds": [dataset_id]},
            },
            "requestedGranularity": "record",
        },
    }
    return client.post("/g_variants", json=body, headers=headers(token))


@pytest.mark.parametrize("token_case", list(SEES))
@pytest.mark.parametrize("granularity", GRANULARITIES)
@pytest.mark.parametrize("dataset_id", list(LEVEL_OF))
def test_beacon_visibility(clients, tokens, dataset_id, granularity, token_case):
    client = clients[LEVEL_OF[dataset_id], granularity]
    response = ask_one_dataset(client, dataset_id, tokens[token_case])
    sees = SEES[token_case]
    if sees is None:
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        validate_framework(response.json, "responses/beaconErrorResponse.json")
        assert response.json["error"]["errorCode"] == 401
        return
    assert response.status_code == 200, response.json
    answer = response.json
    summary = answer["responseSummary"]
    if dataset_id not in sees:  # absent: as if the dataset did not exist
        assert answer["meta"]["returnedGranularity"] == "record"
        assert summary == {"exists": False, "numTotalResults": 0}
        assert answer["response"]["resultSets"] == []
        return
    assert answer["meta"]["returnedGranularity"] == granularity
    assert summary["exists"] is True
    if granularity == "boolean":
        assert set(summary) == {"exists"} and "response" not in answer
        return
    (result_set,) = answer["response"]["resultSets"]
    assert (result_set["id"], result_set["resultsCount"]) == (dataset_id, 1)
    assert len(result_set["results"]) == (1 if granularity == "record" else 0)


@pytest.mark.parametrize("token_case", list(SEES))
@pytest.mark.parametrize("granularity", GRANULARITIES)
@pytest.mark.parametrize("dataset_id", list(LEVEL_OF))
def test_data_connect_visibility(clients, tokens, dataset_id, granularity, token_case):
    """The catalog lists a dataset the caller may see; its rows are read only at record level."""
    client = clients[LEVEL_OF[dataset_id], granularity]
    query = (
        "SELECT dataset_id, COUNT(*) AS n FROM asia_beacon.beacon.variants "
        "WHERE chromosome = '1' AND start = 11786073 GROUP BY dataset_id"
    )
    searched = client.post(
        f"{DATA_CONNECT}/search", json={"query": query}, headers=headers(tokens[token_case])
    )
    catalog = client.get(
        f"{DATA_CONNECT}/table/asia_beacon.catalog.datasets/data",
        headers=headers(tokens[token_case]),
    )
    sees = SEES[token_case]
    if sees is None:
        for response in (searched, catalog):
            assert response.status_code == 401
            assert response.json["errors"][0]["title"] == "Unauthorized"
        return
    listed = {row["id"]: row["access_level"] for row in catalog.json["data"]}
    assert listed == {ident: LEVEL_OF[ident] for ident in sees}
    readable = {row["dataset_id"] for row in searched.json["data"]}
    expected = {ident for ident in sees if ident != dataset_id or granularity == "record"}
    assert readable == expected
