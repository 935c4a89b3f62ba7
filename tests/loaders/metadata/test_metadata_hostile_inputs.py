"""Inputs that once crashed the loader or slipped through it: each must end as a
``file:row:column`` problem with nothing written, never a traceback or a half-applied load."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from app.cli import main
from app.store import open_store
from app.store.collections import FILTERING_TERMS, METADATA_ENTRIES
from loaders.metadata import MetadataLoadError, load_metadata

DATASET = "hostile"
INDIVIDUALS = "id,sex.id\nIND-1,NCIT:C20197\nIND-2,NCIT:C16576\n"
BIOSAMPLE = '"biosampleStatus": {"id": "EFO:0009654"}, "sampleOriginType": {"id": "UBERON:0000178"}'


def _snapshot(store) -> dict[str, list[dict]]:
    return {
        name: list(store.collection(name).find({}, {"_id": 0}))
        for name in (*METADATA_ENTRIES, FILTERING_TERMS)
    }


def _fails(tmp_path, files: dict[str, str]) -> list[str]:
    """Load the files over a first good load; return the problems, checking nothing changed."""
    store = open_store(f"mongomock://memory/hostile_{abs(hash(tuple(files)))}")
    first = tmp_path / "first"
    first.mkdir()
    (first / "individuals.csv").write_text("id,sex.id\nIND-0,NCIT:C20197\n", encoding="utf-8")
    load_metadata(store, [first], DATASET)
    before = _snapshot(store)
    folder = tmp_path / "input"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    with pytest.raises(MetadataLoadError) as raised:
        load_metadata(store, [folder], DATASET)
    assert _snapshot(store) == before
    return [str(problem) for problem in raised.value.problems]


def test_an_unmatched_quote_is_a_problem_not_a_swallowed_file(tmp_path):
    text = 'id,sex.id,sex.label\nIND-1,NCIT:C16576,"Female\nIND-2,NCIT:C20197,Male\n'
    (problem,) = _fails(tmp_path, {"individuals.csv": text})
    assert "individuals.csv" in problem and "not valid CSV" in problem


def test_a_bad_file_stops_the_other_entry_types_too(tmp_path):
    biosamples = f'[{{"id": "S1", "individualId": "IND-1", {BIOSAMPLE}, "info": {{"n": 1e999}}}}]'
    problems = _fails(tmp_path, {"individuals.csv": INDIVIDUALS, "biosamples.json": biosamples})
    assert any("biosamples.json:1" in problem for problem in problems)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "biosamples.json",
            f'[{{"id": "S1", {BIOSAMPLE}, "info": {{"n": 100000000000000000000000}}}}]',
            "biosamples.json:1:info.n: 100000000000000000000000 is beyond the 64-bit",
        ),
        (
            "biosamples.json",
            f'[{{"id": "S1", {BIOSAMPLE}, "info": {{"n": NaN}}}}]',
            "biosamples.json:1: NaN and infinite numbers are not JSON data",
        ),
        (
            "individuals.yaml",
            "- id: IND-1\n  sex: {id: 'NCIT:C20197'}\n  info: !!set {a}\n",
            "JSON",
        ),
        ("individuals.yaml", "- id: IND-1\n  info: !!binary aGVsbG8=\n", "JSON"),
        ("individuals.json", "[" * 100_000, "individuals.json"),
    ],
)
def test_values_no_json_answer_can_carry(tmp_path, name, text, expected):
    problems = _fails(tmp_path, {name: text})
    assert any(expected in problem for problem in problems), problems


def test_official_examples_name_their_schema_and_still_load(tmp_path):
    folder = tmp_path / "official"
    folder.mkdir()
    (folder / "individuals.json").write_text(
        '[{"$schema": "https://example.org/individual.json", "id": "I1",'
        ' "sex": {"id": "NCIT:C20197", "label": "male"}}]',
        encoding="utf-8",
    )
    store = open_store("mongomock://memory/hostile_official")
    assert load_metadata(store, [folder], DATASET).loaded == {"individuals": 1}


def test_a_full_template_with_every_column_loads(tmp_path):
    result = CliRunner().invoke(main, ["templates", str(tmp_path), "--all-fields"])
    assert result.exit_code == 0, result.output
    store = open_store("mongomock://memory/hostile_all_fields")
    summary = load_metadata(store, [tmp_path / "example"], DATASET)
    assert summary.loaded["individuals"] > 0


def test_a_dataset_describes_one_cohort(tmp_path):
    cohorts = "id,name,cohortType\nC1,First,study-defined\nC2,Second,study-defined\n"
    (problem,) = _fails(tmp_path, {"cohorts.csv": cohorts})
    assert problem.startswith(str(tmp_path / "input" / "cohorts.csv") + ":3:id: a dataset")


def test_an_id_is_one_url_segment(tmp_path):
    (problem,) = _fails(tmp_path, {"individuals.csv": "id,sex.id\nIND/1,NCIT:C20197\n"})
    assert problem.endswith(
        "individuals.csv:2:id: an id cannot contain '/', which would split its URL"
    )


def test_a_yaml_alias_bomb_is_refused_quickly(tmp_path):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        aliases = ", ".join([f"*a{level - 1}"] * 10)
        levels.append(f"a{level}: &a{level} [{aliases}]")
    bomb = "- id: IND-1\n  info:\n" + "".join(f"    {line}\n" for line in levels)
    (problem,) = _fails(tmp_path, {"individuals.yaml": bomb})
    assert "expands to far more values" in problem


def test_records_nested_deeper_than_mongodb_allows(tmp_path):
    deep = '{"a": ' * 95 + "1" + "}" * 95
    text = f'[{{"id": "IND-1", "sex": {{"id": "NCIT:C20197"}}, "info": {deep}}}]'
    problems = _fails(tmp_path, {"individuals.json": text})
    assert any("nested deeper than 90 levels" in problem for problem in problems)
