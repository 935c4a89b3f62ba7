"""The spreadsheet convention: column names, empty cells, list items and round trips."""

from __future__ import annotations

import pytest

from schemas.metadata.flat import FlatColumnError, column_of, flatten, parse_column, unflatten

INDIVIDUAL = {
    "id": "IND-1",
    "sex": {"id": "NCIT:C16576", "label": "female"},
    "diseases": [
        {"diseaseCode": {"id": "ICD10:E11"}, "ageOfOnset": {"iso8601duration": "P45Y"}},
        {"diseaseCode": {"id": "MONDO:0005148"}, "familyHistory": "true"},
    ],
    "treatments": [
        {
            "treatmentCode": {"id": "NCIT:C29043"},
            "doseIntervals": [{"quantity": {"value": "30"}}, {"quantity": {"value": "60"}}],
        }
    ],
}


def test_flatten_writes_dot_paths_and_indices():
    assert flatten(INDIVIDUAL) == {
        "id": "IND-1",
        "sex.id": "NCIT:C16576",
        "sex.label": "female",
        "diseases[0].diseaseCode.id": "ICD10:E11",
        "diseases[0].ageOfOnset.iso8601duration": "P45Y",
        "diseases[1].diseaseCode.id": "MONDO:0005148",
        "diseases[1].familyHistory": "true",
        "treatments[0].treatmentCode.id": "NCIT:C29043",
        "treatments[0].doseIntervals[0].quantity.value": "30",
        "treatments[0].doseIntervals[1].quantity.value": "60",
    }


def test_round_trip_of_a_record_of_texts():
    assert unflatten(flatten(INDIVIDUAL)) == INDIVIDUAL


def test_flatten_writes_numbers_booleans_and_scalar_lists_as_text():
    row = flatten({"a": 1.5, "b": True, "c": False, "d": [1, "x"], "e": None, "f": [], "g": {}})
    assert row == {"a": "1.5", "b": "true", "c": "false", "d": "1|x"}


def test_scalar_lists_split_only_where_named():
    row = {"names": "a| b ||c", "notes": "x|y", "items[2].tags": "p|q"}
    record = unflatten(row, scalar_lists={"names", "items.tags"})
    assert record == {"names": ["a", "b", "c"], "notes": "x|y", "items": [{"tags": ["p", "q"]}]}
    assert unflatten(flatten(record), scalar_lists={"names", "items.tags"}) == record


def test_empty_cells_are_absent_and_empty_items_vanish():
    row = {
        "id": "IND-2",
        "sex.id": "",
        "sex.label": "  ",
        "diseases[0].diseaseCode.id": "",
        "diseases[4].diseaseCode.id": " ICD10:J45 ",
        "diseases[2].diseaseCode.id": "MONDO:0004979",
    }
    assert unflatten(row) == {
        "id": "IND-2",
        "diseases": [
            {"diseaseCode": {"id": "MONDO:0004979"}},
            {"diseaseCode": {"id": "ICD10:J45"}},
        ],
    }


def test_items_are_kept_in_index_order_not_column_order():
    row = {"d[10].x": "ten", "d[2].x": "two", "d[0].x": "zero"}
    assert unflatten(row) == {"d": [{"x": "zero"}, {"x": "two"}, {"x": "ten"}]}


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ("", "cannot be empty"),
        ("sex..id", "empty field name"),
        ("sex.id.", "empty field name"),
        (".sex", "empty field name"),
        ("sex .id", "no blanks"),
        ("diseases[0]", "an index must be followed by a field name"),
        ("diseases[01].notes", "whole number from 0"),
        ("diseases[-1].notes", "whole number from 0"),
        ("diseases[a].notes", "whole number from 0"),
        ("diseases[0][1].notes", "malformed brackets"),
        ("diseases]0[.notes", "malformed brackets"),
        ("[0].notes", "an index follows a field name"),
        ("2sex.id", "is not a field name"),
        ("sex-id", "is not a field name"),
    ],
)
def test_malformed_column_names_are_refused(column, message):
    with pytest.raises(FlatColumnError) as caught:
        unflatten({column: "x"})
    assert caught.value.column == column
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"sex": "female", "sex.id": "NCIT:C16576"}, "sex cannot be both a value and an object"),
        ({"d[0].x": "1", "d.y": "2"}, "d cannot be both a list and an object"),
        ({"d.y": "2", "d[0].x": "1"}, "d cannot be both an object and a list"),
        ({"d[0].x": "1", "d[0].x.y": "2"}, "d[0].x cannot be both a value and an object"),
    ],
)
def test_a_path_is_one_thing_even_when_cells_are_empty(row, message):
    with pytest.raises(FlatColumnError) as caught:
        unflatten({column: "" for column in row})
    assert message in caught.value.message
    assert caught.value.column == list(row)[1]


def test_parse_column():
    assert parse_column("treatments[0].doseIntervals[12].quantity.value") == (
        "treatments",
        0,
        "doseIntervals",
        12,
        "quantity",
        "value",
    )


@pytest.mark.parametrize(
    ("path", "column"),
    [
        (("sex", "id"), "sex.id"),
        (("diseases", 0, "diseaseCode", "id"), "diseases[0].diseaseCode.id"),
        (("diseases", 3, "_schema"), "diseases[3]"),
        (
            ("treatments", 0, "doseIntervals", 2, "quantity"),
            "treatments[0].doseIntervals[2].quantity",
        ),
    ],
)
def test_column_of_error_paths(path, column):
    assert column_of(path) == column
    if "_schema" not in path:
        assert parse_column(column) == path


def test_column_of_a_scalar_list_item_is_the_list_cell():
    assert column_of(("items", 1, "tags", 4), scalar_lists={"items.tags"}) == "items[1].tags"


@pytest.mark.parametrize(
    "record",
    [{"a": [[1, 2]]}, {"a": [{"b": "c"}, "d"]}, {"a": ["x|y"]}],
)
def test_flatten_refuses_what_a_row_cannot_hold(record):
    with pytest.raises(ValueError, match=r"^a: "):
        flatten(record)
