"""Every entry type over HTTP on a small cohort: four individuals, each with a biosample (the VCF
sample of the same number), a run and an analysis, and one cohort. Variant links are checked
against an independent pysam reading of the VCF; every response against the official schemas."""

from __future__ import annotations

from pathlib import Path

import pytest
from beacon_schemas import validate_framework, validate_model
from open_access import OPEN_ACCESS
from vcf_truth import carried_alleles

from app import create_app
from app.store import open_store
from app.store.collections import FILTERING_TERMS
from loaders.metadata.documents import entry_document, filtering_term_documents
from loaders.vcf import load_vcf

VCF = Path(__file__).resolve().parent.parent / "data" / "vcf_loader_cases.vcf"
DATASET = "small-cohort"
FEMALE, MALE = {"id": "NCIT:C16576", "label": "female"}, {"id": "NCIT:C20197", "label": "male"}
HYPERTENSION = {"id": "HP:0000822", "label": "Hypertension"}
SEIZURE = {"id": "HP:0001250", "label": "Seizure"}
BLOOD = {"id": "UBERON:0000178", "label": "blood"}
SALIVA = {"id": "UBERON:0001836", "label": "saliva"}
REFERENCE_SAMPLE = {"id": "EFO:0009654", "label": "reference sample"}
T2D = {"id": "MONDO:0005148", "label": "type 2 diabetes mellitus"}

INDIVIDUALS = [
    {"id": "I1", "sex": FEMALE, "phenotypicFeatures": [{"featureType": HYPERTENSION}]},
    {
        "id": "I2",
        "sex": MALE,
        "diseases": [{"diseaseCode": T2D, "ageOfOnset": {"iso8601duration": "P45Y"}}],
    },
    {"id": "I3", "sex": FEMALE, "phenotypicFeatures": [{"featureType": SEIZURE}]},
    {
        "id": "I4",
        "sex": MALE,
        "diseases": [{"diseaseCode": T2D, "ageOfOnset": {"iso8601duration": "P9Y"}}],
    },
]
BIOSAMPLES = [
    {
        "id": f"S{n}",
        "individualId": f"I{n}",
        "biosampleStatus": REFERENCE_SAMPLE,
        "sampleOriginType": SALIVA if n == 4 else BLOOD,
        "collectionDate": f"202{n}-03-01",
    }
    for n in range(1, 5)
]
RUNS = [
    {
        "id": f"R{n}",
        "biosampleId": f"S{n}",
        "individualId": f"I{n}",
        "runDate": "2024-05-01",
        "libraryStrategy": "WES" if n == 4 else "WGS",
        "platform": "Illumina",
    }
    for n in range(1, 5)
]
ANALYSES = [
    {
        "id": f"A{n}",
        "runId": f"R{n}",
        "biosampleId": f"S{n}",
        "individualId": f"I{n}",
        "analysisDate": "2024-06-01",
        "pipelineName": "asia-wgs-1.0",
    }
    for n in range(1, 5)
]
COHORTS = [{"id": "C1", "name": "Small cohort", "cohortType": "study-defined"}]
METADATA = {
    "individuals": ("individual", INDIVIDUALS),
    "biosamples": ("biosample", BIOSAMPLES),
    "runs": ("run", RUNS),
    "analyses": ("analysis", ANALYSES),
    "cohorts": ("cohort", COHORTS),
}


@pytest.fixture(scope="module")
def client():
    store = open_store("mongomock://memory/entry_type_tests")
    load_vcf(store, VCF, DATASET, "GRCh38")
    for collection, (scope, records) in METADATA.items():
        store.collection(collection).insert_many(
            [entry_document(collection, DATASET, record) for record in records]
        )
        store.collection(FILTERING_TERMS).insert_many(
            filtering_term_documents(DATASET, scope, records)
        )
    return create_app(OPEN_ACCESS, store=store).test_client()


@pytest.fixture(scope="module")
def carried():
    return carried_alleles(str(VCF))


def ids(answer: dict) -> list[str]:
    return sorted(
        record["id"]
        for result_set in answer["response"]["resultSets"]
        for record in result_set["results"]
    )


def variant_positions(answer: dict) -> list[tuple[str, int, str]]:
    """(chromosome, 0-based start, REF) of every returned variant, one per allele."""
    positions = []
    for result_set in answer["response"]["resultSets"]:
        for record in result_set["results"]:
            variation = record["variation"]
            positions.append(
                (
                    record["variantInternalId"].split(":")[1],
                    variation["location"]["interval"]["start"]["value"],
                    variation["referenceBases"],
                )
            )
    return sorted(positions)


def truth_positions(alleles: set[tuple[str, int, str, str]]) -> list[tuple[str, int, str]]:
    return sorted((chrom, start, ref) for chrom, start, ref, _ in alleles)


def get(client, url: str, schema: str = "responses/beaconResultsetsResponse.json") -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.json
    validate_framework(response.json, schema)
    return response.json


@pytest.mark.parametrize(
    ("path", "model", "expected"),
    [
        ("/individuals", "individuals", ["I1", "I2", "I3", "I4"]),
        ("/biosamples", "biosamples", ["S1", "S2", "S3", "S4"]),
        ("/runs", "runs", ["R1", "R2", "R3", "R4"]),
        ("/analyses", "analyses", ["A1", "A2", "A3", "A4"]),
    ],
)
def test_each_entry_type_lists_its_records_valid_under_its_model(client, path, model, expected):
    answer = get(client, f"{path}?requestedGranularity=record")
    assert ids(answer) == expected
    for result_set in answer["response"]["resultSets"]:
        assert result_set["id"] == DATASET
        for record in result_set["results"]:
            validate_model(record, model)


@pytest.mark.parametrize("path", ["/individuals", "/biosamples", "/runs", "/analyses"])
def test_granularities_behave_as_on_g_variants(client, path):
    boolean = get(
        client, f"{path}?requestedGranularity=boolean", "responses/beaconBooleanResponse.json"
    )
    assert boolean["responseSummary"] == {"exists": True}
    count = get(client, f"{path}?requestedGranularity=count", "responses/beaconCountResponse.json")
    assert count["responseSummary"]["numTotalResults"] == 4
    assert all(result_set["results"] == [] for result_set in count["response"]["resultSets"])


def test_single_entries_and_unknown_ids(client):
    assert ids(get(client, "/individuals/I3?requestedGranularity=record")) == ["I3"]
    missing = get(client, "/runs/R9?requestedGranularity=count")
    assert missing["responseSummary"] == {"exists": False, "numTotalResults": 0}


def test_ontology_filter_on_individuals(client):
    assert ids(get(client, "/individuals?requestedGranularity=record&filters=NCIT:C16576")) == [
        "I1",
        "I3",
    ]
    both = "/individuals?requestedGranularity=record&filters=NCIT:C16576,HP:0001250"
    assert ids(get(client, both)) == ["I3"]


def test_biosample_filter_reaches_individuals_through_the_links(client):
    answer = get(client, "/individuals?requestedGranularity=record&filters=UBERON:0001836")
    assert ids(answer) == ["I4"]


def test_alphanumeric_filters_over_post(client):
    body = {
        "meta": {},
        "query": {
            "requestedGranularity": "record",
            "filters": [
                {"id": "diseases.ageOfOnset.iso8601duration", "operator": ">", "value": "P18Y"}
            ],
        },
    }
    response = client.post("/individuals", json=body)
    validate_framework(response.json, "responses/beaconResultsetsResponse.json")
    assert ids(response.json) == ["I2"]
    body["query"]["filters"] = [{"id": "libraryStrategy", "operator": "=", "value": "WES"}]
    assert ids(client.post("/biosamples", json=body).json) == ["S4"]


def test_g_variants_filtered_by_individual_phenotype(client, carried):
    answer = get(client, "/g_variants?requestedGranularity=record&limit=100&filters=HP:0000822")
    assert variant_positions(answer) == truth_positions(carried["S1"])


def test_individuals_constrained_by_a_variant(client, carried):
    rs671 = ("1", 899, "G", "A")
    expected = sorted(f"I{sample[1:]}" for sample, alleles in carried.items() if rs671 in alleles)
    url = (
        "/individuals?requestedGranularity=record&assemblyId=GRCh38&referenceName=1"
        "&start=899&referenceBases=G&alternateBases=A"
    )
    answer = get(client, url)
    assert ids(answer) == expected == ["I1", "I4"]
    assert answer["meta"]["receivedRequestSummary"]["requestParameters"]["g_variant"]


@pytest.mark.parametrize("path", ["individuals/I2", "biosamples/S2", "runs/R2", "analyses/A2"])
def test_variants_of_one_entry(client, carried, path):
    answer = get(client, f"/{path}/g_variants?requestedGranularity=record&limit=100")
    assert variant_positions(answer) == truth_positions(carried["S2"])
    assert answer["responseSummary"]["numTotalResults"] == len(carried["S2"])


def test_cross_entry_endpoints(client):
    assert ids(get(client, "/individuals/I2/biosamples?requestedGranularity=record")) == ["S2"]
    assert ids(get(client, "/biosamples/S3/runs?requestedGranularity=record")) == ["R3"]
    assert ids(get(client, "/biosamples/S3/analyses?requestedGranularity=record")) == ["A3"]
    assert ids(get(client, "/runs/R4/analyses?requestedGranularity=record")) == ["A4"]
    everyone = ["I1", "I2", "I3", "I4"]
    assert ids(get(client, f"/datasets/{DATASET}/individuals?requestedGranularity=record")) == (
        everyone
    )
    assert ids(get(client, f"/datasets/{DATASET}/biosamples?requestedGranularity=record")) == [
        "S1",
        "S2",
        "S3",
        "S4",
    ]
    assert ids(get(client, "/cohorts/C1/individuals?requestedGranularity=record")) == everyone


def test_variant_to_its_carriers(client, carried):
    records = get(
        client,
        "/g_variants?requestedGranularity=record&limit=100&referenceName=1"
        "&start=899&referenceBases=G&alternateBases=A&assemblyId=GRCh38",
    )
    (variant_id,) = {
        record["variantInternalId"]
        for result_set in records["response"]["resultSets"]
        for record in result_set["results"]
    }
    answer = get(client, f"/g_variants/{variant_id}/individuals?requestedGranularity=record")
    assert ids(answer) == ["I1", "I4"]
    samples = get(client, f"/g_variants/{variant_id}/biosamples?requestedGranularity=record")
    assert ids(samples) == ["S1", "S4"]


def test_cohorts_are_collections(client):
    answer = get(client, "/cohorts", "responses/beaconCollectionsResponse.json")
    assert [cohort["id"] for cohort in answer["response"]["collections"]] == ["C1"]
    for cohort in answer["response"]["collections"]:
        validate_model(cohort, "cohorts")
    one = get(client, "/cohorts/C1", "responses/beaconCollectionsResponse.json")
    assert one["responseSummary"]["numTotalResults"] == 1


@pytest.mark.parametrize(
    "url", ["/cohorts/nope", "/cohorts/nope/individuals", "/datasets/nope/individuals"]
)
def test_unknown_collections_are_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    validate_framework(response.json, "responses/beaconErrorResponse.json")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/individuals?filters=asian", "neither an ontology term"),
        (
            "/individuals/I1?referenceName=1&start=899&referenceBases=G&alternateBases=A",
            "takes no request parameters",
        ),
    ],
)
def test_bad_filters_are_400(client, url, message):
    response = client.get(url)
    assert response.status_code == 400
    validate_framework(response.json, "responses/beaconErrorResponse.json")
    assert message in response.json["error"]["errorMessage"]


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ([{"id": "NCIT:C16576", "scope": "planets"}], "scope 'planets'"),
        ([{"id": "heightInFeet", "operator": ">", "value": "5"}], "no such field"),
        ([{"id": "sex.label", "operator": "~", "value": "x"}], "operator"),
        ([{"id": "HP:0000822", "similarity": "somewhat"}], "similarity"),
        ([{"id": "HP:0000822", "colour": "red"}], "colour"),
        ([42], "filter"),
        (
            [{"id": "sex.label", "operator": "=", "value": "%" * 9 + "QQ"}],
            "at most 8 % wildcards; this one holds 9",
        ),
    ],
)
def test_bad_filter_objects_are_400(client, filters, message):
    response = client.post("/individuals", json={"meta": {}, "query": {"filters": filters}})
    assert response.status_code == 400
    validate_framework(response.json, "responses/beaconErrorResponse.json")
    assert message in response.json["error"]["errorMessage"]


def test_a_term_nobody_has_answers_no_with_a_warning(client):
    answer = get(client, "/individuals?requestedGranularity=count&filters=UBERON:0002107")
    assert answer["responseSummary"]["exists"] is False
    assert "UBERON:0002107" in answer["info"]["warnings"][0]


def test_filtering_terms_list_what_the_data_holds(client):
    answer = get(client, "/filtering_terms", "responses/beaconFilteringTermsResponse.json")
    terms = {term["id"]: term for term in answer["response"]["filteringTerms"]}
    assert terms["NCIT:C16576"]["scopes"] == ["individual"]
    assert terms["NCIT:C16576"]["label"] == "female"
    assert terms["UBERON:0000178"]["scopes"] == ["biosample"]
    assert terms["libraryStrategy"]["type"] == "alphanumeric"
    assert terms["libraryStrategy"]["values"] == ["WES", "WGS"]
    assert terms["libraryStrategy:WGS"]["type"] == "custom"
    assert "molecularAttributes.geneIds" in terms
    prefixes = {resource["nameSpacePrefix"] for resource in answer["response"]["resources"]}
    assert {"NCIT", "HP", "UBERON"} <= prefixes
    individual = get(
        client, "/individuals/filtering_terms", "responses/beaconFilteringTermsResponse.json"
    )
    scopes = {
        scope for term in individual["response"]["filteringTerms"] for scope in term["scopes"]
    }
    assert scopes == {"individual"}
    per_dataset = get(
        client,
        f"/datasets/{DATASET}/filtering_terms",
        "responses/beaconFilteringTermsResponse.json",
    )
    assert per_dataset["response"]["filteringTerms"] == answer["response"]["filteringTerms"]


def test_map_lists_exactly_the_served_endpoints(client):
    answer = get(client, "/map", "responses/beaconMapResponse.json")
    sample_ids = {
        "g_variants": None,
        "individuals": "I1",
        "biosamples": "S1",
        "runs": "R1",
        "analyses": "A1",
        "cohorts": "C1",
        "datasets": DATASET,
    }
    served = set()
    for endpoint_set in answer["response"]["endpointSets"].values():
        urls = [endpoint_set["rootUrl"], endpoint_set["singleEntryUrl"]]
        urls += [endpoint["url"] for endpoint in endpoint_set["endpoints"].values()]
        if "filteringTermsUrl" in endpoint_set:
            urls.append(endpoint_set["filteringTermsUrl"])
        for url in urls:
            path = url.removeprefix("http://localhost")
            root = path.split("/")[1]
            entry_id = sample_ids[root] or "rs671"
            served.add(path)
            response = client.get(path.replace("{id}", entry_id))
            assert response.status_code == 200, (path, response.json)
    spec_paths = {
        "/g_variants/{id}/biosamples",
        "/g_variants/{id}/individuals",
        "/individuals/{id}/biosamples",
        "/individuals/{id}/g_variants",
        "/individuals/filtering_terms",
        "/biosamples/{id}/analyses",
        "/biosamples/{id}/g_variants",
        "/biosamples/{id}/runs",
        "/runs/{id}/analyses",
        "/runs/{id}/g_variants",
        "/analyses/{id}/g_variants",
        "/cohorts/{id}/filtering_terms",
        "/cohorts/{id}/individuals",
        "/datasets/{id}/biosamples",
        "/datasets/{id}/filtering_terms",
        "/datasets/{id}/g_variants",
        "/datasets/{id}/individuals",
    }
    assert spec_paths <= served


def test_entry_types_and_configuration_cover_every_entry_type(client):
    answer = get(client, "/entry_types", "responses/beaconEntryTypesResponse.json")
    assert set(answer["response"]["entryTypes"]) == {
        "genomicVariation",
        "individual",
        "biosample",
        "run",
        "analysis",
        "cohort",
        "dataset",
    }


def test_scopes_may_be_named_in_the_plural(client):
    body = {"meta": {}, "query": {"requestedGranularity": "record"}}
    body["query"]["filters"] = [{"id": "UBERON:0001836", "scope": "biosamples"}]
    assert ids(client.post("/individuals", json=body).json) == ["I4"]


def test_filtering_terms_answer_post_too(client):
    response = client.post("/individuals/filtering_terms", json={})
    assert response.status_code == 200
    validate_framework(response.json, "responses/beaconFilteringTermsResponse.json")


def test_an_unknown_cohort_is_404_with_filters_too(client):
    response = client.get("/cohorts/nope?filters=NCIT:C16576")
    assert response.status_code == 404


def test_a_page_beyond_every_record_is_empty_not_an_error(client):
    huge = 2**63 - 1
    for path in ("/cohorts", "/individuals", "/datasets"):
        response = client.get(f"{path}?requestedGranularity=record&skip={huge}")
        assert response.status_code == 200, (path, response.json)


def test_a_cohort_in_two_datasets_is_one_cohort_with_both_memberships():
    store = open_store("mongomock://memory/two_dataset_cohort")
    for dataset, people in (("ds-a", ["A1", "A2"]), ("ds-b", ["B1"])):
        records = [{"id": person, "sex": FEMALE} for person in people]
        store.collection("individuals").insert_many(
            [entry_document("individuals", dataset, record) for record in records]
        )
        store.collection("cohorts").insert_one(entry_document("cohorts", dataset, COHORTS[0]))
        store.collection(FILTERING_TERMS).insert_many(
            filtering_term_documents(dataset, "individual", records)
        )
    two = create_app(OPEN_ACCESS, store=store).test_client()
    answer = get(two, "/cohorts", "responses/beaconCollectionsResponse.json")
    assert [cohort["id"] for cohort in answer["response"]["collections"]] == ["C1"]
    assert answer["responseSummary"]["numTotalResults"] == 1
    members = get(two, "/cohorts/C1/individuals?requestedGranularity=record")
    assert ids(members) == ["A1", "A2", "B1"]


@pytest.mark.parametrize(
    ("path", "field", "operator", "value", "expected"),
    [
        ("/runs", "runDate", ">=", "2024", ["R1", "R2", "R3", "R4"]),
        ("/biosamples", "collectionDate", ">=", "2023", ["S3", "S4"]),
        ("/biosamples", "collectionDate", "<", "2022-06-01", ["S1", "S2"]),
        ("/individuals", "sex.label", "=", "FEMALE", ["I1", "I3"]),
        ("/runs", "platform", "!", "illumina", []),
        ("/individuals", "sex.label", "=", "%F%e%M%%a%l%E%", ["I1", "I3"]),
        ("/individuals", "sex.label", "!", "%%%%%%%%ale", []),
    ],
)
def test_alphanumeric_filters_compare_by_the_field_type(
    client, path, field, operator, value, expected
):
    filters = [{"id": field, "operator": operator, "value": value}]
    body = {"meta": {}, "query": {"requestedGranularity": "record", "filters": filters}}
    response = client.post(path, json=body)
    assert response.status_code == 200, response.json
    assert (
        sorted(r["id"] for rs in response.json["response"]["resultSets"] for r in rs["results"])
        == expected
    )


@pytest.mark.parametrize(
    ("path", "field", "value", "message"),
    [
        ("/cohorts", "cohortSize", "abc", "not a number"),
        ("/individuals", "diseases.familyHistory", "maybe", "true or false"),
        ("/individuals", "sex.label", "a\u0000b", "NUL"),
    ],
)
def test_values_of_the_wrong_type_are_400(client, path, field, value, message):
    filters = [{"id": field, "operator": "=", "value": value}]
    response = client.post(path, json={"meta": {}, "query": {"filters": filters}})
    assert response.status_code == 400
    assert message in response.json["error"]["errorMessage"]
