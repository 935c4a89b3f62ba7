"""``asia-beacon templates OUTDIR``: writes the templates, side files, JSON Schemas and example."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from app.cli import main
from loaders.templates.columns import FIELD_HEADER, template_columns
from loaders.templates.example import example_records
from schemas.metadata import ENTRY_SCHEMAS, load_entry, scalar_list_paths
from schemas.metadata.flat import unflatten


def read_table(path, delimiter=","):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates")
    result = CliRunner().invoke(main, ["templates", str(folder / "out")])
    assert result.exit_code == 0, result.output
    assert "wrote 20 files" in result.output
    return folder / "out"


@pytest.mark.parametrize("entry", list(ENTRY_SCHEMAS))
def test_template_is_the_header_row(written, entry):
    assert read_table(written / f"{entry}.csv") == [list(template_columns(entry))]


@pytest.mark.parametrize("entry", list(ENTRY_SCHEMAS))
def test_side_file_describes_each_column(written, entry):
    header, *rows = read_table(written / f"{entry}.fields.tsv", "\t")
    assert tuple(header) == FIELD_HEADER
    assert [row[0] for row in rows] == list(template_columns(entry))
    assert all(len(row) == len(FIELD_HEADER) for row in rows)


@pytest.mark.parametrize("entry", list(ENTRY_SCHEMAS))
def test_schema_file_validates_the_example(written, entry):
    schema = json.loads((written / f"{entry}.schema.json").read_text(encoding="utf-8"))
    checker = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for record in example_records()[entry]:
        assert not list(checker.iter_errors(record))


@pytest.mark.parametrize("entry", list(ENTRY_SCHEMAS))
def test_example_file_loads_as_the_example_records(written, entry):
    header, *rows = read_table(written / "example" / f"{entry}.csv")
    template = list(template_columns(entry))
    assert [column for column in header if column in template] == template  # extras interleaved
    loaded = [
        load_entry(entry, unflatten(dict(zip(header, row, strict=True)), scalar_list_paths(entry)))
        for row in rows
    ]
    assert loaded == example_records()[entry]


def test_all_fields_writes_every_leaf_column(tmp_path):
    result = CliRunner().invoke(main, ["templates", "--all-fields", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (header,) = read_table(tmp_path / "individuals.csv")
    assert "treatments[0].doseIntervals[0].quantity.value" in header
    assert len(header) == len(template_columns("individuals", all_fields=True))
