"""g_variants answers over the demo data: granularity, result sets, paging, GET = POST, and
validation of every response and record against the official schemas."""

from __future__ import annotations

import pytest
from beacon_schemas import validate_framework, validate_model
from open_access import OPEN_ACCESS

from app import create_app

RS671 = {
    "assemblyId": "GRCh38",
    "referenceName": "12",
    "start": [111803961],
    "referenceBases": "G",
    "alternateBases": "A",
}
RESPONSE_SCHEMA = {
    "boolean": "responses/beaconBooleanResponse.json",
    "count": "responses/beaconCountResponse.json",
    "record": "responses/beaconResultsetsResponse.json",
}


def _post(client, parameters, **query):
    body = {"meta": {"apiVersion": "v2.0.1"}, "query": {"requestParameters": parameters, **query}}
    response = client.post("/g_variants", json=body)
    assert response.status_code == 200, response.json
    return response.json


@pytest.mark.parametrize("granularity", ["boolean", "count", "record"])
def test_each_granularity_answers_with_its_schema(client, granularity):
    answer = _post(client, RS671, requestedGranularity=granularity)
    validate_framework(answer, RESPONSE_SCHEMA[granularity])
    assert answer["meta"]["returnedGranularity"] == granularity
    assert answer["responseSummary"]["exists"] is True
    if granularity == "boolean":
        assert "response" not in answer and "numTotalResults" not in answer["responseSummary"]


def test_records_validate_against_the_genomic_variations_model(client):
    answer = _post(
        client,
        {"referenceName": "13", "start": [0], "end": [200_000_000]},
        requestedGranularity="record",
        pagination={"limit": 100},
    )
    validate_framework(answer, RESPONSE_SCHEMA["record"])
    records = [record for rs in answer["response"]["resultSets"] for record in rs["results"]]
    assert records
    for record in records:
        validate_model(record, "genomicVariations")


def test_structural_and_multiallelic_records_validate(client):
    for variant_type in ("DEL", "DUP", "INS", "CNV", "INV", "INDEL", "MNP"):
        answer = _post(
            client,
            {"variantType": variant_type, "referenceName": "1", "start": [0], "end": [3 * 10**8]},
            requestedGranularity="record",
        )
        for result_set in answer["response"]["resultSets"]:
            for record in result_set["results"]:
                validate_model(record, "genomicVariations")


def test_rs671_record_carries_frequency_and_carriers(client):
    answer = _post(client, RS671, requestedGranularity="record")
    (result_set,) = answer["response"]["resultSets"]
    (record,) = result_set["results"]
    assert record["variation"]["referenceBases"] == "G"
    assert record["variation"]["alternateBases"] == "A"
    interval = record["variation"]["location"]["interval"]
    assert (interval["start"]["value"], interval["end"]["value"]) == (111803961, 111803962)
    assert record["variation"]["location"]["sequence_id"] == "refseq:NC_000012.12"
    assert "ALDH2" in record["molecularAttributes"]["geneIds"]
    frequency, *per_population = record["frequencyInPopulations"][0]["frequencies"]
    assert frequency["population"] == "ALL"
    assert 0 < frequency["alleleFrequency"] <= 1
    carriers = record["caseLevelData"]
    allele_count = sum(2 if c["zygosity"]["id"] == "GENO:0000136" else 1 for c in carriers)
    assert allele_count == frequency["alleleCount"]
    # the demo's five populations (populations.tsv) hold every sample between them
    assert [f["population"] for f in per_population] == [
        "Han Chinese",
        "Japanese",
        "Korean",
        "Malay",
        "Thai",
    ]
    for key in ("alleleCount", "alleleNumber"):
        assert sum(f[key] for f in per_population) == frequency[key]


def test_get_and_post_give_the_same_answer(client):
    get = client.get(
        "/g_variants?assemblyId=GRCh38&referenceName=12&start=111803961&referenceBases=G"
        "&alternateBases=A&requestedGranularity=record"
    ).json
    post = _post(client, RS671, requestedGranularity="record")
    assert get["response"] == post["response"]
    assert get["responseSummary"] == post["responseSummary"]


def test_bracket_query_over_get(client):
    answer = client.get(
        "/g_variants?referenceName=1&start=0,300000000&end=1,300000001&requestedGranularity=count"
    ).json
    validate_framework(answer, RESPONSE_SCHEMA["count"])
    echoed = answer["meta"]["receivedRequestSummary"]["requestParameters"]
    assert echoed["g_variant"]["start"] == [0, 300000000]


def test_pages_cover_the_result_set_without_overlap(client):
    parameters = {"referenceName": "12", "start": [0], "end": [200_000_000]}
    total = _post(client, parameters, requestedGranularity="count")["responseSummary"][
        "numTotalResults"
    ]
    assert total > 25
    seen = []
    for page_number in range((total + 9) // 10):  # skip counts pages, as the spec says
        page = _post(
            client,
            parameters,
            requestedGranularity="record",
            pagination={"skip": page_number, "limit": 10},
        )
        (result_set,) = page["response"]["resultSets"]
        assert result_set["resultsCount"] == total
        seen.extend(record["variantInternalId"] for record in result_set["results"])
    assert len(seen) == total == len(set(seen))


def test_limit_zero_asks_for_the_most_the_beacon_gives(client):
    answer = _post(
        client,
        {"referenceName": "12", "start": [0], "end": [200_000_000]},
        requestedGranularity="record",
        pagination={"limit": 0},
    )
    assert len(answer["response"]["resultSets"][0]["results"]) == 100


def test_requested_schemas_are_echoed(client):
    requested = [{"entityType": "genomicVariation", "schema": "beacon-v2-default-model"}]
    body = {"meta": {"requestedSchemas": requested}, "query": {"requestParameters": RS671}}
    answer = client.post("/g_variants", json=body).json
    assert answer["meta"]["receivedRequestSummary"]["requestedSchemas"] == requested


def test_limit_is_capped(client):
    answer = _post(
        client,
        {"referenceName": "12", "start": [0], "end": [200_000_000]},
        requestedGranularity="record",
        pagination={"limit": 10_000},
    )
    assert len(answer["response"]["resultSets"][0]["results"]) == 100
    assert answer["meta"]["receivedRequestSummary"]["pagination"]["limit"] == 100


@pytest.mark.parametrize(
    ("inclusion", "expected_ids"),
    [("HIT", {"demo"}), ("MISS", {"other"}), ("ALL", {"demo", "other"}), ("NONE", set())],
)
def test_result_set_inclusion_over_two_datasets(demo_store, inclusion, expected_ids):
    dataset_id = demo_store.datasets.find_one({})["_id"]
    other = {"_id": "zz-empty-dataset", "id": "zz-empty-dataset", "name": "No variants"}
    demo_store.datasets.replace_one({"_id": other["_id"]}, other, upsert=True)
    try:
        client = create_app(OPEN_ACCESS, store=demo_store).test_client()
        answer = _post(
            client, RS671, requestedGranularity="count", includeResultsetResponses=inclusion
        )
        validate_framework(answer, RESPONSE_SCHEMA["count"])
        names = {"demo": dataset_id, "other": "zz-empty-dataset"}
        shown = {rs["id"] for rs in answer["response"]["resultSets"]}
        assert shown == {names[key] for key in expected_ids}
        assert answer["responseSummary"]["numTotalResults"] == 1
    finally:
        demo_store.datasets.delete_one({"_id": other["_id"]})


def test_grouped_parameters_and_dataset_selection(client, demo_store):
    dataset_id = demo_store.datasets.find_one({})["_id"]
    chosen = _post(
        client,
        {"g_variant": RS671, "datasets": {"datasetIds": [dataset_id]}},
        requestedGranularity="count",
    )
    validate_framework(chosen, RESPONSE_SCHEMA["count"])
    assert chosen["responseSummary"]["numTotalResults"] == 1
    echoed = chosen["meta"]["receivedRequestSummary"]["requestParameters"]
    assert echoed["datasets"] == {"datasetIds": [dataset_id]}
    other = _post(
        client,
        {"g_variant": RS671, "datasets": {"datasetIds": ["another-dataset"]}},
        requestedGranularity="count",
    )
    assert other["responseSummary"] == {"exists": False, "numTotalResults": 0}


def test_granularity_is_capped_by_configuration(demo_store):
    client = create_app(
        {**OPEN_ACCESS, "MAX_GRANULARITY": "boolean"}, store=demo_store
    ).test_client()
    answer = _post(client, RS671, requestedGranularity="record")
    assert answer["meta"]["returnedGranularity"] == "boolean"
    assert answer["meta"]["receivedRequestSummary"]["requestedGranularity"] == "record"
    assert "response" not in answer
    validate_framework(answer, RESPONSE_SCHEMA["boolean"])


def test_lookup_by_rs_id_and_internal_id(client):
    by_rs = client.get("/g_variants/rs671?requestedGranularity=record").json
    validate_framework(by_rs, RESPONSE_SCHEMA["record"])
    (record,) = by_rs["response"]["resultSets"][0]["results"]
    internal = record["variantInternalId"]
    by_internal = client.get(f"/g_variants/{internal}?requestedGranularity=record").json
    assert by_internal["response"] == by_rs["response"]
    hgvs = record["identifiers"]["genomicHGVSId"]
    by_hgvs = client.get(f"/g_variants/{hgvs}?requestedGranularity=record").json
    assert by_hgvs["response"] == by_rs["response"]
    missing = client.get("/g_variants/rs0000000000?requestedGranularity=count").json
    assert missing["responseSummary"] == {"exists": False, "numTotalResults": 0}


def test_hgvs_and_aminoacid_queries_find_rs671(client):
    hgvs = _post(
        client,
        {"genomicAlleleShortForm": "NC_000012.12:g.111803962G>A"},
        requestedGranularity="count",
    )
    assert hgvs["responseSummary"]["numTotalResults"] == 1
    protein = _post(
        client, {"geneId": "ALDH2", "aminoacidChange": "E504K"}, requestedGranularity="count"
    )
    assert protein["responseSummary"]["numTotalResults"] >= 1


def test_dataset_scoped_variants(client, demo_store):
    dataset_id = demo_store.datasets.find_one({})["_id"]
    answer = client.get(
        f"/datasets/{dataset_id}/g_variants?geneId=ALDH2&requestedGranularity=count"
    ).json
    validate_framework(answer, RESPONSE_SCHEMA["count"])
    expected = demo_store.variants.count_documents({"datasetId": dataset_id, "geneIds": "ALDH2"})
    assert answer["responseSummary"]["numTotalResults"] == expected > 0


def test_assembly_synonyms_and_other_assemblies(client):
    hg38 = _post(client, {**RS671, "assemblyId": "hg38"}, requestedGranularity="count")
    assert hg38["responseSummary"]["numTotalResults"] == 1
    grch37 = _post(client, {**RS671, "assemblyId": "GRCh37"}, requestedGranularity="count")
    assert grch37["responseSummary"] == {"exists": False, "numTotalResults": 0}
