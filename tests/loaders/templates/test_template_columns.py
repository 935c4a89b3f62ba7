"""Template columns: each names a field of the model, and its description says what it takes."""

from __future__ import annotations

import pytest

from loaders.templates.columns import (
    CURATED_COLUMNS,
    column_path,
    describe_columns,
    entry_leaves,
    template_columns,
)
from schemas.metadata import ENTRY_SCHEMAS, leaf_fields
from schemas.metadata.flat import parse_column


def test_every_entry_type_has_a_template():
    assert set(CURATED_COLUMNS) == set(ENTRY_SCHEMAS)


@pytest.mark.parametrize("entry", list(ENTRY_SCHEMAS))
@pytest.mark.parametrize("all_fields", [False, True])
def test_columns_name_fields_of_the_model(entry, all_fields):
    columns = template_columns(entry, all_fields)
    assert columns[0] == "id"
    assert len(columns) == len(set(columns))
    for column in columns:
        parse_column(column)
        assert column_path(column) in leaf_fields(entry), column


@pytest.mark.parametrize("entry", list(ENTRY_SCHEMAS))
def test_all_fields_covers_every_leaf(entry):
    columns = template_columns(entry, all_fields=True)
    assert {column_path(column) for column in columns} == set(leaf_fields(entry))
    curated = {column_path(column) for column in CURATED_COLUMNS[entry]}
    assert curated <= {column_path(column) for column in columns}


def describe(entry: str, column: str) -> dict[str, str]:
    (found,) = describe_columns(entry, [column])
    return dict(
        zip(
            ("column", "type", "required", "expectation", "example", "description"),
            found.row(),
            strict=True,
        )
    )


@pytest.mark.parametrize(
    ("entry", "column", "expected"),
    [
        ("individuals", "id", {"type": "string", "required": "yes", "example": "IND-0001"}),
        ("individuals", "sex.id", {"type": "ontology-id", "required": "yes"}),
        ("individuals", "sex.label", {"type": "string", "required": "no"}),
        (
            "individuals",
            "diseases[1].diseaseCode.id",
            {"required": "with diseases[1]", "type": "ontology-id"},
        ),
        (
            "individuals",
            "diseases[0].ageOfOnset.iso8601duration",
            {"required": "with diseases[0].ageOfOnset (as Age)", "type": "duration"},
        ),
        (
            "cohorts",
            "inclusionCriteria.ageRange.start.iso8601duration",
            {"required": "with inclusionCriteria.ageRange"},
        ),
        ("runs", "libraryLayout", {"expectation": "one of PAIRED, SINGLE", "example": "PAIRED"}),
        (
            "biosamples",
            "collectionDate",
            {"type": "date", "expectation": "ISO 8601 date, YYYY-MM-DD"},
        ),
    ],
)
def test_column_descriptions(entry, column, expected):
    found = describe(entry, column)
    assert {key: found[key] for key in expected} == expected
    assert found["description"]


def test_expectations_of_ontology_columns():
    assert "NCIT:C20197 (Male)" in describe("individuals", "sex.id")["expectation"]
    assert describe("individuals", "geographicOrigin.id")["expectation"].startswith("ISO3166")
    assert describe("individuals", "phenotypicFeatures[0].featureType.id")["expectation"] == (
        "HP (Human Phenotype Ontology)"
    )
    assert "NCIT" in describe("individuals", "ethnicity.id")["expectation"]


def test_ontology_examples_come_only_from_the_filled_example():
    assert describe("biosamples", "histologicalDiagnosis.id")["example"] == ""
    (found,) = describe_columns("individuals", ["sex.id"], [{"sex.id": "NCIT:C16576"}])
    assert found.example == "NCIT:C16576"


def test_leaves_know_their_owner_field():
    leaf = entry_leaves("individuals")["sex.label"]
    assert leaf.owner is not None and leaf.column == "sex.label"
