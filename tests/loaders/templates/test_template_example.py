"""The filled example: valid Beacon records by the official default model, linked, and covering
what the templates are for."""

from __future__ import annotations

import pytest
from beacon_schemas import validate_model

from loaders.templates import vocabulary as v
from loaders.templates.example import example_records
from loaders.templates.write import example_table
from schemas.metadata import load_entry, scalar_list_paths
from schemas.metadata.flat import unflatten

ENTRIES = ("individuals", "biosamples", "runs", "analyses", "cohorts")
RECORDS = example_records()


@pytest.mark.parametrize("entry", ENTRIES)
def test_example_records_are_valid_in_the_official_model(entry):
    for record in RECORDS[entry]:
        validate_model(record, entry)


def test_six_individuals_each_with_a_biosample_a_run_and_an_analysis():
    individuals = {record["id"] for record in RECORDS["individuals"]}
    assert len(individuals) == 6
    biosamples = {b["id"]: b["individualId"] for b in RECORDS["biosamples"]}
    assert sorted(biosamples.values()) == sorted(individuals)
    runs = {r["id"]: r for r in RECORDS["runs"]}
    assert sorted(r["biosampleId"] for r in runs.values()) == sorted(biosamples)
    for analysis in RECORDS["analyses"]:
        run = runs[analysis["runId"]]
        assert analysis["biosampleId"] == run["biosampleId"]
        assert analysis["individualId"] == run["individualId"] == biosamples[run["biosampleId"]]
    assert len(RECORDS["analyses"]) == 6
    assert len(RECORDS["cohorts"]) == 1


def ids_at(entry: str, *path: str) -> set[str]:
    found = set()
    for record in RECORDS[entry]:
        values = [record]
        for key in path:
            values = [
                item
                for value in values
                for item in (
                    value.get(key, []) if isinstance(value.get(key), list) else [value.get(key)]
                )
                if item is not None
            ]
        found.update(value["id"] for value in values)
    return found


def test_example_covers_the_asian_project_essentials():
    assert ids_at("individuals", "sex") == {v.MALE.id, v.FEMALE.id}
    assert ids_at("individuals", "ethnicity") <= {term.id for term in v.ETHNICITIES}
    assert {term.id for term in v.COUNTRIES} == ids_at("individuals", "geographicOrigin")
    diseases = ids_at("individuals", "diseases", "diseaseCode")
    assert any(code.startswith("ICD10:") for code in diseases)
    assert any(code.startswith("MONDO:") for code in diseases)
    assert all(
        f.startswith("HP:") for f in ids_at("individuals", "phenotypicFeatures", "featureType")
    )
    assert v.BLOOD.id in ids_at("biosamples", "sampleOriginType")
    assert ids_at("biosamples", "biosampleStatus") <= {term.id for term in v.BIOSAMPLE_STATUSES}
    assert all(record["collectionDate"] for record in RECORDS["biosamples"])


@pytest.mark.parametrize("entry", ENTRIES)
def test_example_table_reads_back_as_the_records(entry):
    header, rows = example_table(entry)
    assert len(header) == len(set(header))
    for row, record in zip(rows, RECORDS[entry], strict=True):
        assert set(row) <= set(header)
        cells = {column: row.get(column, "") for column in header}
        assert load_entry(entry, unflatten(cells, scalar_list_paths(entry))) == record
