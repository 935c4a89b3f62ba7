"""Someone else's data end to end: the CINECA UK1 chr22 VCF (GRCh37, 2,504 samples, SnpEff ANN,
symbolic copy-number alleles) loaded as it is, then queried over HTTP; counts must match an
independent pysam reading of the same file."""

from __future__ import annotations

import pytest
from beacon_schemas import validate_framework, validate_model
from open_access import OPEN_ACCESS
from shared_data import CINECA_VCF, shared_file
from vcf_truth import count_matches, generated_queries, read_truth

from app import create_app


@pytest.fixture(scope="module")
def cineca(cineca_variants):
    store, summary = cineca_variants
    client = create_app(OPEN_ACCESS, store=store).test_client()
    return summary, read_truth(str(shared_file(CINECA_VCF))), client


def test_every_allele_of_the_file_is_loaded(cineca):
    summary, truth, _ = cineca
    assert (summary.records, summary.samples) == (5002, 2504)
    assert summary.variants == len(truth)


def test_counts_match_an_independent_reading(cineca):
    _, truth, client = cineca
    queries = generated_queries(truth, per_kind=15)
    assert len(queries) >= 50
    mismatches = []
    for parameters in queries:
        query = {"requestParameters": {"assemblyId": "GRCh37", **parameters}}
        body = {"meta": {}, "query": {**query, "requestedGranularity": "count"}}
        answer = client.post("/g_variants", json=body).json
        expected = count_matches(truth, parameters)
        if answer["responseSummary"]["numTotalResults"] != expected:
            mismatches.append((parameters, answer["responseSummary"], expected))
    assert not mismatches, mismatches[:5]


def test_copy_number_records_validate(cineca):
    _, _, client = cineca
    body = {
        "meta": {},
        "query": {
            "requestParameters": {"referenceName": "22", "start": [0], "end": [60_000_000]},
            "requestedGranularity": "record",
            "pagination": {"limit": 20},
        },
    }
    for variant_type in ("CNV", "INDEL", "SNP"):
        body["query"]["requestParameters"]["variantType"] = variant_type
        answer = client.post("/g_variants", json=body).json
        validate_framework(answer, "responses/beaconResultsetsResponse.json")
        records = answer["response"]["resultSets"][0]["results"]
        assert records, variant_type
        for record in records:
            validate_model(record, "genomicVariations")
