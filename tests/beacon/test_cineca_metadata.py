"""Someone else's metadata joined to someone else's variants: the CINECA UK1 BFF metadata loaded
as it is beside its chr22 VCF, then queried across entry types. Expected ids are computed here
from the BFF JSON files and pysam genotypes, sharing no code with the beacon."""

from __future__ import annotations

import json

import pysam
import pytest
from beacon_schemas import validate_framework, validate_model
from open_access import OPEN_ACCESS
from shared_data import CINECA_BFF, CINECA_DATASET, CINECA_VCF, shared_dir, shared_file
from vcf_truth import carried_alleles

from app import create_app
from loaders.metadata.load import load_metadata

RARE_DISEASE = "ICD10:D70"  # agranulocytosis: a few dozen individuals
FEMALE = "NCIT:C16576"


def bff(name: str) -> list[dict]:
    path = shared_dir() / CINECA_BFF / f"{name}.json"
    if not path.is_file():
        pytest.skip(f"{path} is absent (set ASIA_BEACON_SHARED_DIR)")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def client(cineca_variants):
    store, _ = cineca_variants
    load_metadata(store, [shared_dir() / CINECA_BFF], CINECA_DATASET)
    return create_app(OPEN_ACCESS, store=store).test_client()


@pytest.fixture(scope="module")
def individual_of_biosample() -> dict[str, str]:
    return {sample["id"]: sample["individualId"] for sample in bff("biosamples")}


def with_term(records: list[dict], term: str) -> set[str]:
    """Ids of records holding ``term`` anywhere, found by plain text search of the JSON."""
    return {record["id"] for record in records if f'"{term}"' in json.dumps(record)}


def result_ids(answer: dict) -> set[str]:
    return {
        record["id"]
        for result_set in answer["response"]["resultSets"]
        for record in result_set["results"]
    }


def post(client, path: str, query: dict) -> dict:
    response = client.post(path, json={"meta": {}, "query": query})
    assert response.status_code == 200, response.json
    return response.json


def snvs_with_carriers(count: int) -> list[tuple[pysam.VariantRecord, set[str]]]:
    """The first biallelic SNVs of the VCF carried by 20 to 400 samples, with their carriers."""
    chosen = []
    with pysam.VariantFile(str(shared_file(CINECA_VCF))) as vcf:
        for record in vcf:
            if len(record.alts or ()) != 1 or len(record.ref) != 1 or len(record.alts[0]) != 1:
                continue
            carriers = {
                name
                for name, sample in record.samples.items()
                if any(allele == 1 for allele in sample["GT"] or ())
            }
            if 20 <= len(carriers) <= 400:
                chosen.append((record, carriers))
            if len(chosen) == count:
                return chosen
    return chosen


def test_every_bff_record_is_served(client):
    for path, name in (
        ("/individuals", "individuals"),
        ("/biosamples", "biosamples"),
        ("/runs", "runs"),
        ("/analyses", "analyses"),
    ):
        answer = post(client, path, {"requestedGranularity": "count"})
        assert answer["responseSummary"]["numTotalResults"] == len(bff(name)), path
    cohorts = client.get("/cohorts").json
    assert [cohort["id"] for cohort in cohorts["response"]["collections"]] == [
        cohort["id"] for cohort in bff("cohorts")
    ]
    members = post(client, f"/cohorts/{bff('cohorts')[0]['id']}/individuals", {})
    assert members["responseSummary"]["exists"] is True


def test_records_validate_against_the_default_model(client):
    for path, model in (
        ("/individuals", "individuals"),
        ("/biosamples", "biosamples"),
        ("/runs", "runs"),
        ("/analyses", "analyses"),
    ):
        answer = post(client, path, {"requestedGranularity": "record", "pagination": {"limit": 25}})
        validate_framework(answer, "responses/beaconResultsetsResponse.json")
        for result_set in answer["response"]["resultSets"]:
            for record in result_set["results"]:
                validate_model(record, model)
    cohorts = client.get("/cohorts").json
    validate_framework(cohorts, "responses/beaconCollectionsResponse.json")
    for cohort in cohorts["response"]["collections"]:
        validate_model(cohort, "cohorts")


def test_individuals_with_a_disease_and_a_variant(client, individual_of_biosample):
    individuals = bff("individuals")
    diseased = with_term(individuals, RARE_DISEASE)
    women = with_term(individuals, FEMALE)
    for record, carriers in snvs_with_carriers(3):
        carrying = {individual_of_biosample[sample] for sample in carriers}
        parameters = {
            "assemblyId": "GRCh37",
            "referenceName": "22",
            "start": [record.start],
            "referenceBases": record.ref,
            "alternateBases": record.alts[0],
        }
        query = {
            "requestParameters": parameters,
            "requestedGranularity": "record",
            "pagination": {"limit": 100},
        }
        assert result_ids(post(client, "/individuals", query)) == carrying

        query["filters"] = [FEMALE]
        assert result_ids(post(client, "/individuals", query)) == carrying & women
        query["filters"] = [{"id": RARE_DISEASE, "scope": "individual"}]
        answer = post(client, "/individuals", {**query, "requestedGranularity": "count"})
        assert answer["responseSummary"]["numTotalResults"] == len(carrying & diseased)


def test_variants_carried_by_individuals_with_a_disease(client, individual_of_biosample):
    diseased = with_term(bff("individuals"), RARE_DISEASE)
    samples = sorted(s for s, person in individual_of_biosample.items() if person in diseased)
    carried = carried_alleles(str(shared_file(CINECA_VCF)), samples)
    expected = len(set().union(*carried.values()))
    answer = post(
        client, "/g_variants", {"filters": [RARE_DISEASE], "requestedGranularity": "count"}
    )
    assert answer["responseSummary"]["numTotalResults"] == expected
    assert expected > 100  # the disease is rare but its carriers hold many variants


def test_runs_filtered_by_an_alphanumeric_field(client):
    runs = bff("runs")
    strategy = runs[0]["libraryStrategy"]
    query = {
        "filters": [{"id": "libraryStrategy", "operator": "=", "value": strategy}],
        "requestedGranularity": "count",
    }
    answer = post(client, "/runs", query)
    expected = sum(run.get("libraryStrategy") == strategy for run in runs)
    assert answer["responseSummary"]["numTotalResults"] == expected


def test_filtering_terms_hold_the_cohort_terms(client):
    answer = client.get("/filtering_terms").json
    validate_framework(answer, "responses/beaconFilteringTermsResponse.json")
    terms = {term["id"]: term for term in answer["response"]["filteringTerms"]}
    assert RARE_DISEASE in terms and "individual" in terms[RARE_DISEASE]["scopes"]
    assert "UBERON:0000178" in terms and terms["UBERON:0000178"]["scopes"] == ["biosample"]
