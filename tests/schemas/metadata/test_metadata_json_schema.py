"""The generated JSON Schemas say what the marshmallow model says: valid draft 2020-12, accepting
the records the model accepts and refusing the ones it refuses."""

from __future__ import annotations

import copy
import re

import pytest
from jsonschema import Draft202012Validator
from marshmallow import ValidationError
from metadata_records import BIOSAMPLE, ENTRIES, INDIVIDUAL, cineca_records

from app.durations import duration_days
from schemas.metadata import load_entry
from schemas.metadata.curies import curie_problem, strict_curie_pattern
from schemas.metadata.json_schema import DURATION_PATTERN, entry_json_schema


def validator(entry: str) -> Draft202012Validator:
    schema = entry_json_schema(entry)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("entry", ENTRIES)
def test_schema_is_valid_draft_2020_12_with_defs(entry):
    schema = entry_json_schema(entry)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert "id" in schema["required"]
    for definition in schema["$defs"].values():
        assert definition["additionalProperties"] is False


def test_descriptions_examples_and_rules_are_carried():
    schema = entry_json_schema("individuals")
    sex = schema["properties"]["sex"]
    assert sex["allOf"][0] == {"$ref": "#/$defs/OntologyTerm"}
    assert "NCIT:C16576" in sex["allOf"][1]["properties"]["id"]["enum"]
    assert "Expected: NCIT:C20197 (Male)" in sex["description"]
    assert schema["properties"]["karyotypicSex"]["enum"][0] == "UNKNOWN_KARYOTYPE"
    disease = schema["$defs"]["Disease"]
    assert disease["required"] == ["diseaseCode"]
    assert {"$ref": "#/$defs/Age"} in disease["properties"]["ageOfOnset"]["oneOf"]
    assert schema["properties"]["id"]["examples"] == ["IND-0001"]


@pytest.mark.parametrize("entry", ENTRIES)
def test_cineca_records_are_accepted(entry):
    check = validator(entry)
    for record in cineca_records(entry)[:300]:
        assert not list(check.iter_errors(record)), record["id"]


def test_model_accepted_records_are_accepted():
    check = validator("individuals")
    record = copy.deepcopy(INDIVIDUAL)
    record["diseases"][0]["ageOfOnset"] = {
        "start": {"iso8601duration": "P18Y"},
        "end": {"iso8601duration": "P30Y"},
    }
    record["measures"] = [
        {
            "assayCode": {"id": "LOINC:8302-2"},
            "measurementValue": {"value": 150.0, "unit": {"id": "NCIT:C49668"}},
            "date": "2023-01-02",
        }
    ]
    assert load_entry("individuals", record)
    assert not list(check.iter_errors(record))


BROKEN_INDIVIDUALS = [
    {"sex": {"id": "NCIT:C1799"}},
    {"sex": {"id": "NCIT:C20197", "code": "M"}},
    {"geographicOrigin": {"id": "ISO3166:XX"}},
    {"geographicOrigin": {"id": "NCIT:C16761"}},
    {"diseases": [{"diseaseCode": {"id": "HP:0000822"}}]},
    {"diseases": [{"diseaseCode": {"id": "ICD10:E1"}}]},
    {"diseases": [{"diseaseCode": {"id": "ICD10:E11"}, "ageOfOnset": {"iso8601duration": "45Y"}}]},
    {"diseases": [{"notes": "no code"}]},
    {"phenotypicFeatures": [{"featureType": {"id": "MONDO:0005148"}}]},
    {"ethnicity": {"id": "HP:123"}},
    {"karyotypicSex": "XYZ"},
    {"familyHistory": True},
]


@pytest.mark.parametrize("changes", BROKEN_INDIVIDUALS)
def test_records_the_model_refuses_are_refused(changes):
    record = {**copy.deepcopy(INDIVIDUAL), **changes}
    with pytest.raises(ValidationError):
        load_entry("individuals", record)
    assert list(validator("individuals").iter_errors(record))


@pytest.mark.parametrize(
    "changes",
    [{"collectionDate": "2023-02-30"}, {"collectionMoment": "P"}, {"sampleOriginType": {}}],
)
def test_broken_biosamples_are_refused(changes):
    record = {**BIOSAMPLE, **changes}
    with pytest.raises(ValidationError):
        load_entry("biosamples", record)
    assert list(validator("biosamples").iter_errors(record))


@pytest.mark.parametrize(
    "text",
    ["P45Y", "P3M2W", "P1Y2M3DT4H5M6S", "PT36H", "P0.5Y", "P", "PT", "P1YT", "45Y", "P1S", "p1y"],
)
def test_duration_pattern_agrees_with_the_model(text):
    assert bool(re.match(DURATION_PATTERN, text)) == (duration_days(text) is not None)


@pytest.mark.parametrize(
    "text",
    [
        "HP:0001250",
        "HP:1250",
        "ISO3166:TH",
        "ISO3166:XX",
        "GAZ:00002640",
        "ICD10:F3181",
        "ICD10:e11",
        "OPCS4:L46.3",
        "LOINC:8308-9",
        "NCIT:C20197",
        "NCIT:20197",
        "X:1",
        "no colon",
        "OMIM:141900",
        "ORPHA:x",
    ],
)
def test_curie_pattern_agrees_with_the_model(text):
    assert bool(re.match(strict_curie_pattern(), text)) == (curie_problem(text) is None)
