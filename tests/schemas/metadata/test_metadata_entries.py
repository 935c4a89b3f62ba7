"""The metadata model: real-world records load unchanged, broken values are refused on the field
that holds them, our Asia-specific expectations apply wherever the component is used."""

from __future__ import annotations

import json
from typing import Any

import pytest
from marshmallow import ValidationError
from metadata_records import BIOSAMPLE, ENTRIES, INDIVIDUAL, cineca_records

from schemas.metadata import ENTRY_SCHEMAS, load_entry, scalar_list_paths
from schemas.metadata.flat import flatten, unflatten


def messages(entry: str, record: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        load_entry(entry, record)
    return caught.value.messages


def with_changes(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**json.loads(json.dumps(record)), **changes}


def test_entry_schemas_are_keyed_by_collection():
    assert tuple(ENTRY_SCHEMAS) == ENTRIES


@pytest.mark.parametrize("entry", ENTRIES)
def test_every_cineca_record_loads_unchanged(entry):
    records = cineca_records(entry)
    assert records
    for record in records:
        assert load_entry(entry, record) == record


@pytest.mark.parametrize("entry", ENTRIES)
def test_cineca_records_survive_the_spreadsheet_form(entry):
    for record in cineca_records(entry)[:200]:
        row = flatten(record)
        assert load_entry(entry, unflatten(row, scalar_list_paths(entry))) == record


def test_cells_are_converted_by_the_schema():
    row = {
        "id": "IND-2",
        "sex.id": "NCIT:C20197",
        "diseases[0].diseaseCode.id": "MONDO:0005148",
        "diseases[0].familyHistory": "true",
        "measures[0].assayCode.id": "LOINC:8302-2",
        "measures[0].measurementValue.value": "171.5",
        "measures[0].measurementValue.unit.id": "NCIT:C49668",
        "measures[0].date": "2023-04-02",
        "pedigrees[0].id": "FAM-1",
        "pedigrees[0].numSubjects": "4",
        "pedigrees[0].disease.diseaseCode.id": "ICD10:E11",
        "pedigrees[0].members[0].memberId": "IND-2",
        "pedigrees[0].members[0].role.id": "NCIT:C64435",
        "pedigrees[0].members[0].affected": "false",
    }
    record = load_entry("individuals", unflatten(row))
    assert record["diseases"][0]["familyHistory"] is True
    assert record["measures"][0]["measurementValue"]["value"] == 171.5
    assert record["pedigrees"][0]["numSubjects"] == 4
    assert record["pedigrees"][0]["members"][0]["affected"] is False


def test_dates_come_back_as_iso_text():
    record = load_entry("biosamples", BIOSAMPLE)
    assert record["collectionDate"] == "2023-03-14"
    cohort = {
        "id": "C1",
        "name": "c",
        "cohortType": "study-defined",
        "collectionEvents": [{"eventDate": "2018-10-01T13:23:45Z", "eventSize": "12"}],
    }
    event = load_entry("cohorts", cohort)["collectionEvents"][0]
    assert event == {"eventDate": "2018-10-01T13:23:45+00:00", "eventSize": 12}


@pytest.mark.parametrize(
    ("entry", "record", "expected"),
    [
        ("individuals", {"id": "X"}, {"sex": ["Missing data for required field."]}),
        (
            "biosamples",
            {"id": "B"},
            {
                "biosampleStatus": ["Missing data for required field."],
                "sampleOriginType": ["Missing data for required field."],
            },
        ),
        (
            "runs",
            {"id": "R"},
            {
                "biosampleId": ["Missing data for required field."],
                "runDate": ["Missing data for required field."],
            },
        ),
        (
            "analyses",
            {"id": "A"},
            {
                "analysisDate": ["Missing data for required field."],
                "pipelineName": ["Missing data for required field."],
            },
        ),
        (
            "cohorts",
            {"id": "C"},
            {
                "name": ["Missing data for required field."],
                "cohortType": ["Missing data for required field."],
            },
        ),
    ],
)
def test_required_fields_of_the_default_model(entry, record, expected):
    assert messages(entry, record) == expected


def only_message(found: Any) -> str:
    """The single message at the end of a one-branch nested message tree."""
    while isinstance(found, dict):
        assert len(found) == 1, found
        found = next(iter(found.values()))
    assert isinstance(found, list) and len(found) == 1, found
    return found[0]


def path_of(found: Any) -> tuple:
    path: list = []
    while isinstance(found, dict):
        key = next(iter(found))
        path.append(key)
        found = found[key]
    return tuple(path)


@pytest.mark.parametrize(
    ("changes", "path", "text"),
    [
        ({"sex": {"id": "NCIT:C1799"}}, ("sex", "id"), "must be one of NCIT:C20197 (Male)"),
        ({"sex": {"id": "male"}}, ("sex", "id"), "must be a CURIE"),
        ({"sex": {"id": "NCIT:C20197", "code": "M"}}, ("sex", "code"), "Unknown field."),
        ({"geographicOrigin": {"id": "ISO3166:XX"}}, ("geographicOrigin", "id"), "XX is not"),
        ({"geographicOrigin": {"id": "ISO3166:tha"}}, ("geographicOrigin", "id"), "ISO3166 id"),
        ({"geographicOrigin": {"id": "GAZ:123"}}, ("geographicOrigin", "id"), "GAZ id"),
        (
            {"geographicOrigin": {"id": "NCIT:C16761"}},
            ("geographicOrigin", "id"),
            "must be an id of ISO3166",
        ),
        (
            {"diseases": [{"diseaseCode": {"id": "ICD10:E1"}}]},
            ("diseases", 0, "diseaseCode", "id"),
            "ICD10 id",
        ),
        (
            {"diseases": [{"diseaseCode": {"id": "HP:0000822"}}]},
            ("diseases", 0, "diseaseCode", "id"),
            "must be an id of ICD10",
        ),
        (
            {"diseases": [{"diseaseCode": {"id": "MONDO:5148"}}]},
            ("diseases", 0, "diseaseCode", "id"),
            "MONDO id",
        ),
        (
            {"phenotypicFeatures": [{"featureType": {"id": "MONDO:0005148"}}]},
            ("phenotypicFeatures", 0, "featureType", "id"),
            "HP (Human Phenotype Ontology)",
        ),
        (
            {
                "diseases": [
                    {"diseaseCode": {"id": "ICD10:E11"}, "ageOfOnset": {"iso8601duration": "45Y"}}
                ]
            },
            ("diseases", 0, "ageOfOnset", "iso8601duration"),
            "not an ISO 8601 duration",
        ),
        (
            {"diseases": [{"diseaseCode": {"id": "ICD10:E11"}, "familyHistory": "maybe"}]},
            ("diseases", 0, "familyHistory"),
            "Not a valid boolean.",
        ),
        ({"karyotypicSex": "XYZ"}, ("karyotypicSex",), "Must be one of"),
        ({"ethnicity": {"id": "NCIT C41260"}}, ("ethnicity", "id"), "must be a CURIE"),
        ({"info": "text"}, ("info",), "Not a valid mapping type."),
        ({"familyHistory": True}, ("familyHistory",), "Unknown field."),
    ],
)
def test_broken_individual_values_are_reported_on_their_field(changes, path, text):
    found = messages("individuals", with_changes(INDIVIDUAL, **changes))
    assert path_of(found) == path
    assert text in only_message(found)


@pytest.mark.parametrize(
    ("changes", "path", "text"),
    [
        ({"collectionDate": "14/03/2023"}, ("collectionDate",), "ISO 8601 date"),
        ({"collectionDate": "2023-02-30"}, ("collectionDate",), "ISO 8601 date"),
        ({"collectionMoment": "52 years"}, ("collectionMoment",), "ISO 8601 duration"),
        ({"biosampleStatus": {"id": "OBI:0001479"}}, ("biosampleStatus", "id"), "EFO"),
        ({"sampleOriginType": {"id": "EFO:0009654"}}, ("sampleOriginType", "id"), "UBERON"),
        ({"sampleOriginType": {"id": "UBERON:178"}}, ("sampleOriginType", "id"), "UBERON id"),
    ],
)
def test_broken_biosample_values_are_reported_on_their_field(changes, path, text):
    found = messages("biosamples", with_changes(BIOSAMPLE, **changes))
    assert path_of(found) == path
    assert text in only_message(found)


@pytest.mark.parametrize(
    "origin",
    ["UBERON:0000178", "NCIT:C12434", "OBI:0001479"],
)
def test_sample_origin_type_accepts_uberon_ncit_and_the_models_obi(origin):
    assert load_entry("biosamples", with_changes(BIOSAMPLE, sampleOriginType={"id": origin}))


@pytest.mark.parametrize("code", ["ICD10:E11", "ICD10:C22.0", "ICD10:F3181", "ICD10:S72.001A"])
def test_icd10_codes_of_both_shapes(code):
    record = with_changes(INDIVIDUAL, diseases=[{"diseaseCode": {"id": code}}])
    assert load_entry("individuals", record)["diseases"][0]["diseaseCode"]["id"] == code


@pytest.mark.parametrize(
    "onset",
    [
        {"iso8601duration": "P3Y6M"},
        {"start": {"iso8601duration": "P18Y"}, "end": {"iso8601duration": "P30Y"}},
        {"weeks": "30", "days": 2},
        {"start": "2019-01-01T00:00:00Z", "end": "2019-06-30T00:00:00+07:00"},
        {"id": "NCIT:C27954", "label": "Adolescent"},
    ],
)
def test_time_elements_of_every_shape(onset):
    record = with_changes(
        INDIVIDUAL, diseases=[{"diseaseCode": {"id": "ICD10:E11"}, "ageOfOnset": onset}]
    )
    assert load_entry("individuals", record)["diseases"][0]["ageOfOnset"]


@pytest.mark.parametrize(
    ("onset", "path", "text"),
    [
        ({"iso8601duration": "P3Y", "id": "NCIT:C27954"}, (), "mixes fields"),
        ({}, (), "is empty"),
        ({"years": 3}, ("years",), "Unknown field."),
        ("P3Y", (), "must be an object"),
        ({"start": "2019-01-01", "end": "2019-06-30T00:00:00Z"}, ("start",), "time zone"),
        (
            {"start": {"iso8601duration": "P30Y"}, "end": {"iso8601duration": "P18Y"}},
            ("end",),
            "must not be below the start age",
        ),
    ],
)
def test_time_element_problems_name_the_shape_or_field(onset, path, text):
    record = with_changes(
        INDIVIDUAL, diseases=[{"diseaseCode": {"id": "ICD10:E11"}, "ageOfOnset": onset}]
    )
    found = messages("individuals", record)["diseases"][0]["ageOfOnset"]
    assert path_of(found) == path
    assert text in only_message(found)


def test_measurement_values_of_every_shape():
    quantity = {"value": 1.5, "unit": {"id": "NCIT:C49668"}}
    shapes = [
        quantity,
        {"id": "NCIT:C25626", "label": "Positive"},
        {"typedQuantities": [{"quantityType": {"id": "NCIT:C25298"}, "quantity": quantity}]},
    ]
    for value in shapes:
        measure = {"assayCode": {"id": "LOINC:8302-2"}, "measurementValue": value}
        record = load_entry("individuals", with_changes(INDIVIDUAL, measures=[measure]))
        assert record["measures"][0]["measurementValue"] == value


def test_numbers_refuse_text_and_infinity():
    for value in ("tall", "inf", "nan", True):
        measure = {
            "assayCode": {"id": "LOINC:8302-2"},
            "measurementValue": {"value": value, "unit": {"id": "NCIT:C49668"}},
        }
        found = messages("individuals", with_changes(INDIVIDUAL, measures=[measure]))
        assert path_of(found) == ("measures", 0, "measurementValue", "value")


def test_cohort_criteria_use_the_same_sex_and_location_rules():
    cohort = {
        "id": "C1",
        "name": "c",
        "cohortType": "study-defined",
        "inclusionCriteria": {
            "genders": [{"id": "NCIT:C20197"}, {"id": "NCIT:C1799"}],
            "locations": [{"id": "ISO3166:JP"}, {"id": "GAZ:00150372"}, {"id": "ISO3166:ZZ"}],
        },
    }
    found = messages("cohorts", cohort)["inclusionCriteria"]
    assert set(found) == {"genders", "locations"}
    assert list(found["genders"]) == [1]
    assert list(found["locations"]) == [2]


def test_counts_are_whole_numbers():
    cohort = {"id": "C1", "name": "c", "cohortType": "study-defined", "cohortSize": "6.5"}
    assert path_of(messages("cohorts", cohort)) == ("cohortSize",)
    cohort["cohortSize"] = 6.0
    assert load_entry("cohorts", cohort)["cohortSize"] == 6


def test_unknown_entry_type():
    with pytest.raises(KeyError, match="unknown entry type 'variants'"):
        load_entry("variants", {})


def test_info_columns_keep_anything_outside_the_model_as_text():
    row = {"id": "A", "sex.id": "NCIT:C20197", "info.consentVersion": "v2", "info.site.code": "7"}
    record = load_entry("individuals", unflatten(row))
    assert record["info"] == {"consentVersion": "v2", "site": {"code": "7"}}
