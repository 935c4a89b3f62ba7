"""/datasets answers as a beaconCollectionsResponse with the loaded descriptions."""

from __future__ import annotations

from beacon_schemas import validate_framework, validate_model


def test_datasets_collection_validates_and_holds_the_description(client, demo_store):
    answer = client.get("/datasets").json
    validate_framework(answer, "responses/beaconCollectionsResponse.json")
    (dataset,) = answer["response"]["collections"]
    validate_model(dataset, "datasets")
    stored = demo_store.datasets.find_one({})
    assert dataset["id"] == stored["_id"]
    assert dataset["name"] == stored["name"]
    assert dataset["dataUseConditions"]["duoDataUse"][0]["id"].startswith("DUO:")
    assert answer["responseSummary"] == {"exists": True, "numTotalResults": 1}


def test_single_dataset_and_count_granularity(client, demo_store):
    dataset_id = demo_store.datasets.find_one({})["_id"]
    one = client.get(f"/datasets/{dataset_id}").json
    assert [d["id"] for d in one["response"]["collections"]] == [dataset_id]
    counted = client.post(
        "/datasets", json={"meta": {}, "query": {"requestedGranularity": "count"}}
    )
    validate_framework(counted.json, "responses/beaconCountResponse.json")
    assert counted.json["responseSummary"]["numTotalResults"] == 1


def test_paging_past_the_end_still_says_datasets_exist(client):
    for granularity in ("boolean", "count", "record"):
        answer = client.get(f"/datasets?requestedGranularity={granularity}&skip=5").json
        assert answer["responseSummary"]["exists"] is True
        assert answer["meta"]["receivedRequestSummary"]["requestedGranularity"] == granularity
    default = client.get("/datasets").json["meta"]["receivedRequestSummary"]
    assert default["requestedGranularity"] == "record"
