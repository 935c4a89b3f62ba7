"""The demo cohort's metadata: every VCF sample has a biosample and an individual, and the
cohort example queries the demo prints answer what the CSVs and pysam say they should."""

from __future__ import annotations

import csv

import pysam
import pytest
from open_access import OPEN_ACCESS

from app import create_app
from loaders.demo.load import COHORT_EXAMPLE_QUERIES, DEMO_CONFIG, EXAMPLE_QUERIES, demo_data_dir

METADATA = demo_data_dir() / "metadata"


def rows(entry: str) -> list[dict[str, str]]:
    with (METADATA / f"{entry}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def holding(row: dict[str, str], term: str) -> bool:
    return any(column.endswith(".id") and value == term for column, value in row.items())


@pytest.fixture(scope="module")
def client(demo_store):
    return create_app(OPEN_ACCESS, store=demo_store).test_client()


def test_every_vcf_sample_is_a_biosample_of_one_individual():
    with pysam.VariantFile(str(demo_data_dir() / "demo.vcf.gz")) as vcf:
        samples = list(vcf.header.samples)
    biosamples = rows("biosamples")
    assert [row["id"] for row in biosamples] == samples
    individuals = {row["id"] for row in rows("individuals")}
    assert {row["individualId"] for row in biosamples} == individuals
    assert len(individuals) == len(samples)


def test_individuals_with_hypertension_carrying_rs671(client):
    _, path = COHORT_EXAMPLE_QUERIES[0]
    with pysam.VariantFile(str(demo_data_dir() / "demo.vcf.gz")) as vcf:
        (record,) = [r for r in vcf.fetch("chr12", 111803961, 111803962) if r.alts == ("A",)]
        carriers = {name for name, call in record.samples.items() if 1 in (call["GT"] or ())}
    person_of = {row["id"]: row["individualId"] for row in rows("biosamples")}
    hypertensive = {row["id"] for row in rows("individuals") if holding(row, "HP:0000822")}
    expected = {person_of[sample] for sample in carriers} & hypertensive
    answer = client.get(path).json
    assert answer["responseSummary"]["numTotalResults"] == len(expected) > 0


def test_women_born_in_japan(client):
    _, path = COHORT_EXAMPLE_QUERIES[1]
    expected = [
        row
        for row in rows("individuals")
        if holding(row, "ISO3166:JP") and holding(row, "NCIT:C16576")
    ]
    assert client.get(path).json["responseSummary"]["numTotalResults"] == len(expected) > 0


def test_anemia_includes_its_descendant_terms(client):
    """The demo records no narrower anemia term, so Anemia with its descendants finds exactly
    the individuals recorded with Anemia."""
    _, path = COHORT_EXAMPLE_QUERIES[2]
    answer = client.get(path).json
    assert answer["responseSummary"]["exists"] is True
    anemic = [row for row in rows("individuals") if holding(row, "HP:0001903")]
    count = client.get("/individuals?filters=HP:0001903&requestedGranularity=count").json
    assert count["responseSummary"]["numTotalResults"] == len(anemic) > 0


def test_sex_agrees_with_the_chrx_genotypes():
    """Outside the pseudo-autosomal regions, males have haploid chrX calls."""
    with pysam.VariantFile(str(demo_data_dir() / "demo.vcf.gz")) as vcf:
        record = next(vcf.fetch("chrX", 3_000_000, 150_000_000))
        haploid = {name for name, call in record.samples.items() if len(call["GT"]) == 1}
    person_of = {row["id"]: row["individualId"] for row in rows("biosamples")}
    men = {row["id"] for row in rows("individuals") if holding(row, "NCIT:C20197")}
    assert {person_of[sample] for sample in haploid} == men


@pytest.mark.parametrize(
    "example", [*EXAMPLE_QUERIES, *COHORT_EXAMPLE_QUERIES], ids=lambda example: example[0][:40]
)
def test_every_example_the_demo_prints_finds_something_as_the_demo_serves(demo_store, example):
    """With the demo's own access settings (protections on), each printed query says yes."""
    _, path = example
    served = create_app(DEMO_CONFIG, store=demo_store).test_client()
    answer = served.get(path, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert answer.status_code == 200
    assert answer.json["responseSummary"]["exists"] is True
