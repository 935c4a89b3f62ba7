"""Counts and existence for generated queries, against an independent pysam reading of the VCF."""

from __future__ import annotations

import random

import pytest
from vcf_truth import count_matches, read_truth

from loaders.demo.load import demo_data_dir

QUERY_COUNT_PER_KIND = 20


@pytest.fixture(scope="module")
def truth():
    return read_truth(str(demo_data_dir() / "demo.vcf.gz"))


def _generated_queries(alleles) -> list[dict]:
    rng = random.Random(20261124)
    short = [a for a in alleles if not a.alt.startswith("<")]
    structural = [a for a in alleles if a.alt.startswith("<")]
    queries: list[dict] = []
    for allele in rng.sample(short, QUERY_COUNT_PER_KIND):
        query = {
            "referenceName": allele.chrom,
            "start": [allele.start],
            "alternateBases": allele.alt,
        }
        if rng.random() < 0.5:
            query["referenceBases"] = allele.ref
        if rng.random() < 0.3:
            query["referenceName"] = "chr" + allele.chrom
        queries.append(query)
    # sequence queries one base off, or with another ALT: mostly misses
    for allele in rng.sample(short, 5):
        queries.append(
            {"referenceName": allele.chrom, "start": [allele.start + 1], "alternateBases": "T"}
        )
    for allele in rng.sample(alleles, QUERY_COUNT_PER_KIND):
        width = rng.choice([1, 50, 2_000, 100_000, 5_000_000])
        low = max(0, allele.start - rng.randrange(width + 1))
        query = {"referenceName": allele.chrom, "start": [low], "end": [low + width]}
        extra = rng.random()
        if extra < 0.2:
            query["variantType"] = rng.choice(["SNP", "INDEL", "DEL", "DUP"])
        elif extra < 0.35:
            query["variantMinLength"] = rng.choice([1, 2, 100])
        elif extra < 0.5:
            query["variantMaxLength"] = rng.choice([1, 5, 10_000])
        queries.append(query)
    for allele in rng.sample(structural, min(10, len(structural))):
        slack = rng.choice([1, 100, 10_000])
        queries.append(
            {
                "referenceName": allele.chrom,
                "start": [max(0, allele.start - slack), allele.start + slack],
                "end": [max(1, allele.end - slack), allele.end + slack],
            }
        )
    genes = sorted({gene for allele in alleles for gene in allele.genes})
    queries.extend({"geneId": gene} for gene in genes)
    queries.append({"geneId": "NOT_A_GENE"})
    for gene in genes[:5]:
        queries.append({"geneId": gene, "variantType": "SNP"})
    return queries


def test_enough_queries_of_every_kind_are_generated(truth):
    queries = _generated_queries(truth)
    assert len(queries) >= 50
    hits = sum(1 for q in queries if count_matches(truth, q))
    assert 0 < hits < len(queries), "the generated queries must include both hits and misses"


def test_counts_match_an_independent_reading_of_the_vcf(client, truth):
    mismatches = []
    for parameters in _generated_queries(truth):
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
    for parameters in _generated_queries(truth)[::4]:
        query = {"requestParameters": parameters, "requestedGranularity": "boolean"}
        response = client.post("/g_variants", json={"meta": {}, "query": query})
        assert response.json["responseSummary"] == {"exists": count_matches(truth, parameters) > 0}
