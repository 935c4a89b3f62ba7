"""Round trip: `asia-beacon templates` writes the filled example, it loads beside a VCF whose
sample columns are the example's biosamples, and queries over it return the ids computed here
from the CSV files and the genotypes this test wrote."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from beacon_schemas import validate_framework, validate_model
from click.testing import CliRunner
from open_access import OPEN_ACCESS

from app import create_app
from app.cli import main
from app.store import open_store
from loaders.metadata import load_metadata
from loaders.vcf import load_vcf

DATASET = "template-example"
# (POS, REF, ALT, index of the biosample rows carrying the ALT)
VARIANTS = ((1000, "G", "A", {0, 5}), (2000, "C", "T", {1}), (3000, "T", "G", {0, 2, 3}))


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: v for k, v in row.items() if v} for row in csv.DictReader(handle)]


def holds(row: dict[str, str], term: str) -> bool:
    """The row names ``term`` in a column of an item not marked excluded."""
    excluded = {
        column.rsplit(".", 1)[0]
        for column, value in row.items()
        if column.endswith(".excluded") and value == "true"
    }
    return any(
        column.endswith(".id") and value == term and not any(column.startswith(e) for e in excluded)
        for column, value in row.items()
    )


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates")
    result = CliRunner().invoke(main, ["templates", str(folder)])
    assert result.exit_code == 0, result.output
    rows = {entry: read_rows(folder / "example" / f"{entry}.csv") for entry in ENTRIES}
    samples = [row["id"] for row in rows["biosamples"]]
    vcf = folder / "example.vcf"
    lines = [
        "##fileformat=VCFv4.2",
        "##contig=<ID=1,length=248956422>",
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"])
        + "\t"
        + "\t".join(samples),
    ]
    for pos, ref, alt, carriers in VARIANTS:
        calls = ["0/1" if index in carriers else "0/0" for index in range(len(samples))]
        lines.append("\t".join(["1", str(pos), ".", ref, alt, ".", "PASS", ".", "GT", *calls]))
    vcf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = open_store("mongomock://memory/template_round_trip")
    load_vcf(store, vcf, DATASET, "GRCh38")
    summary = load_metadata(store, [folder / "example"], DATASET)
    assert dict(summary.loaded) == {entry: len(rows[entry]) for entry in ENTRIES}
    client = create_app(OPEN_ACCESS, store=store).test_client()
    return client, rows, samples


ENTRIES = ("individuals", "biosamples", "runs", "analyses", "cohorts")


def ids(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.json
    validate_framework(response.json, "responses/beaconResultsetsResponse.json")
    return sorted(
        record["id"]
        for result_set in response.json["response"]["resultSets"]
        for record in result_set["results"]
    )


def test_every_example_record_is_served_and_valid(example):
    client, rows, _ = example
    for entry in ("individuals", "biosamples", "runs", "analyses"):
        answer = client.get(f"/{entry}?requestedGranularity=record&limit=50").json
        records = [r for rs in answer["response"]["resultSets"] for r in rs["results"]]
        assert sorted(r["id"] for r in records) == sorted(row["id"] for row in rows[entry])
        for record in records:
            validate_model(record, entry)
    cohorts = client.get("/cohorts").json
    assert [c["id"] for c in cohorts["response"]["collections"]] == [
        row["id"] for row in rows["cohorts"]
    ]


@pytest.mark.parametrize(
    "term", ["NCIT:C16576", "HP:0001513", "HP:0000822", "ICD10:E11", "ISO3166:JP", "UBERON:0001836"]
)
def test_ontology_filters(example, term):
    client, rows, _ = example
    entry = "biosamples" if term.startswith("UBERON") else "individuals"
    expected = sorted(row["id"] for row in rows[entry] if holds(row, term))
    assert expected, f"the example should use {term}"
    assert ids(client, f"/{entry}?requestedGranularity=record&filters={term}") == expected


def test_alphanumeric_filter_on_dates(example):
    client, rows, _ = example
    expected = sorted(r["id"] for r in rows["biosamples"] if r["collectionDate"] >= "2023-06-01")
    body = {
        "meta": {},
        "query": {
            "requestedGranularity": "record",
            "filters": [{"id": "collectionDate", "operator": ">=", "value": "2023-06-01"}],
        },
    }
    answer = client.post("/biosamples", json=body).json
    assert sorted(r["id"] for rs in answer["response"]["resultSets"] for r in rs["results"]) == (
        expected
    )


def test_cross_entry_endpoints(example):
    client, rows, _ = example
    for individual in rows["individuals"]:
        expected = sorted(
            b["id"] for b in rows["biosamples"] if b["individualId"] == individual["id"]
        )
        url = f"/individuals/{individual['id']}/biosamples?requestedGranularity=record"
        assert ids(client, url) == expected
    for run in rows["runs"]:
        expected = sorted(a["id"] for a in rows["analyses"] if a.get("runId") == run["id"])
        assert ids(client, f"/runs/{run['id']}/analyses?requestedGranularity=record") == expected


def test_variant_constrained_individuals(example):
    client, rows, samples = example
    person_of = {row["id"]: row["individualId"] for row in rows["biosamples"]}
    for pos, ref, alt, carriers in VARIANTS:
        expected = sorted(person_of[samples[index]] for index in carriers)
        url = (
            f"/individuals?requestedGranularity=record&assemblyId=GRCh38&referenceName=1"
            f"&start={pos - 1}&referenceBases={ref}&alternateBases={alt}"
        )
        assert ids(client, url) == expected
        women = sorted(
            person
            for person in expected
            if any(r["id"] == person and holds(r, "NCIT:C16576") for r in rows["individuals"])
        )
        assert ids(client, url + "&filters=NCIT:C16576") == women


def test_variants_of_individuals_with_a_phenotype(example):
    client, rows, samples = example
    index_of = {sample: index for index, sample in enumerate(samples)}
    obese = {row["id"] for row in rows["individuals"] if holds(row, "HP:0001513")}
    carrying = {index_of[b["id"]] for b in rows["biosamples"] if b["individualId"] in obese}
    expected = sum(1 for *_, carriers in VARIANTS if carriers & carrying)
    answer = client.get("/g_variants?requestedGranularity=count&filters=HP:0001513").json
    assert answer["responseSummary"]["numTotalResults"] == expected > 0
