"""Counts and existence for generated queries, against an independent pysam reading of the VCF."""

from __future__ import annotations

import pytest
from vcf_truth import count_matches, generated_queries, read_truth

from loaders.demo.load import demo_data_dir


@pytest.fixture(scope="module")
def truth():
    return read_truth(str(demo_data_dir() / "demo.vcf.gz"))


def test_enough_queries_of_every_kind_are_generated(truth):
    queries = generated_queries(truth)
    assert len(queries) >= 50
    hits = sum(1 for q in queries if count_matches(truth, q))
    assert 0 < hits < len(queries), "the generated queries must include both hits and misses"


def test_counts_match_an_independent_reading_of_the_vcf(client, truth):
    mismatches = []
    for parameters in generated_queries(truth):
        body = {
            "meta": {"apiVersion": "v2.0.1"},
            "query": {
                "requestParameters": {"assemblyId": "GRCh38", **parameters},
                "requestedGranularity": "count",
            },
        }
        response = client.post("/g_variants", json=body)
        assert response.status_code == 200, (parameters, response.json)
        summary = response.json["responseSummary"]
        expected = count_matches(truth, parameters)
        if (summary["numTotalResults"], summary["exists"]) != (expected, expected > 0):
            mismatches.append((parameters, summary, expected))
    assert not mismatches, mismatches[:5]


def test_boolean_answers_agree_with_counts(client, truth):
    for parameters in generated_queries(truth)[::4]:
        query = {"requestParameters": parameters, "requestedGranularity": "boolean"}
        response = client.post("/g_variants", json={"meta": {}, "query": query})
        assert response.json["responseSummary"] == {"exists": count_matches(truth, parameters) > 0}
