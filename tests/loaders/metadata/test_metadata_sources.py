"""Reading metadata entry files: which files are entry files, and their rows as a steward sees
them (editor line numbers, comment rows, BOM, storage fields of BFF exports)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from loaders.metadata.sources import EntryFile, entry_of, find_entry_files, read_entry_file

DATASET = "th-test"


def _source(tmp_path: Path, name: str, content: str | bytes) -> EntryFile:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    found, skipped, problems = find_entry_files([path])
    assert (skipped, problems) == ([], [])
    return found[0]


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("individuals.csv", "individuals"),
        ("Biosamples.TSV", "biosamples"),
        ("th-2026_runs.json", "runs"),
        ("release-2.analyses.yaml", "analyses"),
        ("jp-cohorts.yml", "cohorts"),
        ("individuals.fields.tsv", None),  # a template's column descriptions
        ("individual.csv", None),
        ("myindividuals.csv", None),
        ("genomicVariations.json", None),
        ("datasets.json", None),
    ],
)
def test_the_entry_type_comes_from_the_file_name(name, entry):
    assert entry_of(name) == entry


def test_a_directory_gives_its_entry_files_in_entry_order_and_notices_for_the_others(tmp_path):
    for name in ["runs.json", "individuals.csv", "datasets.json", "individuals.xlsx", ".hidden"]:
        (tmp_path / name).write_text("")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "biosamples.csv").write_text("")
    found, skipped, problems = find_entry_files([tmp_path])
    assert [(source.path.name, source.entry, source.format) for source in found] == [
        ("individuals.csv", "individuals", "csv"),
        ("runs.json", "runs", "json"),
    ]
    assert [notice.split(": ", 1)[0] for notice in skipped] == [
        str(tmp_path / "datasets.json"),
        str(tmp_path / "individuals.xlsx"),
    ]
    assert "not a metadata entry file" in skipped[0]
    assert problems == []


def test_a_file_named_explicitly_must_be_an_entry_file(tmp_path):
    (tmp_path / "people.csv").write_text("id\n")
    found, skipped, problems = find_entry_files([tmp_path / "people.csv", tmp_path / "absent"])
    assert (found, skipped) == ([], [])
    assert [str(problem) for problem in problems] == [
        f"{tmp_path / 'people.csv'}: not a metadata entry file (names: individuals, biosamples, "
        "runs, analyses, cohorts, or <prefix>_<name>)",
        f"{tmp_path / 'absent'}: no such file or directory",
    ]


def test_csv_rows_are_unflattened_and_numbered_as_an_editor_shows_them(tmp_path):
    text = (
        "# filled from the individuals template\n"
        "id,sex.id,diseases[1].diseaseCode.id,diseases[0].diseaseCode.id,notes.x\n"
        "#,this second header row of descriptions is a comment too,,,\n"
        "IND-1, NCIT:C20197 ,ICD10:E11,ICD10:I10,\n"
        "\n"
        ',,,,\n"IND-2",NCIT:C16576,,,"two\nlines"\n'
        "IND-3,NCIT:C16576,,,\n"
    )
    content = read_entry_file(_source(tmp_path, "individuals.csv", text), DATASET)
    assert content.problems == []
    assert [row.number for row in content.rows] == [4, 7, 9]
    assert content.rows[0].data == {
        "id": "IND-1",
        "sex": {"id": "NCIT:C20197"},
        "diseases": [{"diseaseCode": {"id": "ICD10:I10"}}, {"diseaseCode": {"id": "ICD10:E11"}}],
    }
    assert content.rows[1].raw == ["IND-2", "NCIT:C16576", "", "", "two\nlines"]
    assert content.layout is not None and content.layout.header[0] == "id"


def test_tsv_with_a_byte_order_mark(tmp_path):
    data = codecs.BOM_UTF8 + b"id\tbiosampleStatus.id\nS1\tEFO:0009654\n"
    content = read_entry_file(_source(tmp_path, "biosamples.txt", data), DATASET)
    assert [row.data for row in content.rows] == [
        {"id": "S1", "biosampleStatus": {"id": "EFO:0009654"}}
    ]
    assert content.layout is not None and content.layout.byte_order_mark


def test_header_problems_name_the_header_line_and_column(tmp_path):
    text = (
        "# notes\nid,sex.id,sex,id,diseases[x].id,,sex.label\n"
        "IND-1,NCIT:C20197,,,,,male\nIND-2,NCIT:C20197,F,,,,\n"
    )
    content = read_entry_file(_source(tmp_path, "individuals.csv", text), DATASET)
    path = str(tmp_path / "individuals.csv")
    assert [(problem.path, problem.line, problem.field) for problem in content.problems] == [
        (path, 2, "id"),
        (path, 2, "diseases[x].id"),
    ]
    repeated, malformed = (problem.message for problem in content.problems)
    assert repeated == "the column appears twice (columns 1 and 4)"
    assert "diseases[x]" in malformed
    assert content.rows[0].data == {"id": "IND-1", "sex": {"id": "NCIT:C20197", "label": "male"}}
    # columns that clash may both stand in a template; a row filling both is refused
    (clash,) = content.rows[1].problems
    assert (clash.line, clash.field) == (4, "sex")
    assert clash.message.startswith("clashes with column sex.id")  # the convention's own words


def test_cells_beyond_the_header_or_under_a_blank_column_name(tmp_path):
    text = "id,,sex.id\nIND-1,,NCIT:C20197,,\nIND-2,x,NCIT:C20197,extra\n"
    content = read_entry_file(_source(tmp_path, "individuals.csv", text), DATASET)
    assert content.rows[0].problems == []
    assert [(problem.line, problem.message) for problem in content.rows[1].problems] == [
        (3, "4 cells, but the header has 3 columns"),
        (3, "a value in column 2, which has no name"),
    ]


def test_json_records_lose_storage_fields_and_keep_record_numbers(tmp_path):
    text = (
        '[{"_id": "ab12", "datasetId": "th-test", "id": "R1"},'
        ' {"datasetId": "other", "id": "R2"}, "R3"]'
    )
    content = read_entry_file(_source(tmp_path, "runs.json", text), DATASET)
    first, second, third = content.rows
    assert (first.number, first.data, first.problems) == (1, {"id": "R1"}, [])
    assert [str(problem) for problem in second.problems] == [
        f"{tmp_path / 'runs.json'}:2:datasetId: the record belongs to dataset 'other', "
        "not 'th-test'"
    ]
    assert third.data is None
    assert third.problems[0].message == "a record must be an object of fields"


def test_one_json_object_is_one_record(tmp_path):
    content = read_entry_file(_source(tmp_path, "cohorts.json", '{"id": "C1"}'), DATASET)
    assert [row.data for row in content.rows] == [{"id": "C1"}]


def test_yaml_dates_stay_iso_text(tmp_path):
    text = "- id: A1\n  analysisDate: 2021-07-01\n"
    content = read_entry_file(_source(tmp_path, "analyses.yaml", text), DATASET)
    assert content.rows[0].data == {"id": "A1", "analysisDate": "2021-07-01"}


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("runs.json", '[{"id": "R1"},\n {"id": }]', ":2: not valid JSON: Expecting value"),
        ("runs.yaml", "- id: R1\n- id: [R2\n", ":3: not valid YAML:"),
        ("runs.json", '"R1"', ": must hold a list of records (or one record)"),
        ("runs.json", "[]", ": no records in the file"),
        ("runs.csv", "# only a comment\n", ": no records in the file"),
        ("runs.csv", "id,runDate\n", ": no records in the file"),
        ("runs.csv", b"id\n\xff\xfe\n", ": not UTF-8 text (byte 4)"),
    ],
)
def test_unreadable_files_are_problems_of_the_whole_file(tmp_path, name, content, problem):
    read = read_entry_file(_source(tmp_path, name, content), DATASET)
    assert read.rows == []
    assert len(read.problems) == 1
    assert str(read.problems[0]).startswith(f"{tmp_path / name}{problem}")
