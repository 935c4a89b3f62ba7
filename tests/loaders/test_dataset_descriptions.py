"""Dataset descriptions: validated as a whole, every problem named by record and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from beacon_schemas import validate_model

from loaders.datasets import load_datasets, read_dataset_descriptions
from loaders.errors import LoadError

DATA = Path(__file__).resolve().parents[1] / "data" / "datasets"


def test_yaml_descriptions_load_and_validate_against_the_official_model(empty_store):
    summary = load_datasets(empty_store, DATA / "two_datasets.yaml")
    assert summary.dataset_ids == ("th-genome-2026", "jp-cohort-b")
    stored = empty_store.datasets.find_one({"_id": "th-genome-2026"})
    assert stored["country"] == "TH"
    assert stored["createDateTime"] == "2026-01-15T00:00:00+00:00"
    document = {key: value for key, value in stored.items() if key != "_id"}
    validate_model(document, "datasets")


def test_json_descriptions_load(tmp_path, empty_store):
    path = tmp_path / "datasets.json"
    path.write_text('[{"id": "kr-1", "name": "Korean cohort", "country": "KR"}]')
    assert load_datasets(empty_store, path).dataset_ids == ("kr-1",)


def test_every_problem_is_reported_with_file_record_and_field(empty_store):
    with pytest.raises(LoadError) as caught:
        load_datasets(empty_store, DATA / "faulty.yaml")
    message = str(caught.value)
    assert message.startswith(f"{DATA / 'faulty.yaml'}:")
    for expected in [
        "record 2 (bad one): id:",
        "record 2 (bad one): name:",
        "record 2 (bad one): country: must be an ISO 3166-1 alpha-2 code",
        "record 2 (bad one): dataUseConditions.duoDataUse.0.id: must be one DUO code",
        "record 3 (no id): id: Missing data for required field.",
        "record 3 (no id): colour: unknown field",
    ]:
        assert expected in message
    assert empty_store.datasets.count_documents({}) == 0, "nothing is written when any record fails"


def test_reloading_replaces_by_id_and_keeps_others(tmp_path, empty_store):
    load_datasets(empty_store, DATA / "two_datasets.yaml")
    path = tmp_path / "update.yaml"
    path.write_text("- id: jp-cohort-b\n  name: Japanese cohort B, release 2\n")
    load_datasets(empty_store, path)
    assert empty_store.datasets.count_documents({}) == 2
    assert empty_store.datasets.find_one({"_id": "jp-cohort-b"})["name"].endswith("release 2")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("- id: [unclosed", "not valid JSON/YAML"),
        ("[]", "no dataset records"),
        ("- just a string", "must be a mapping"),
        ("- {id: a, name: A}\n- {id: a, name: B}", "duplicate dataset id"),
        (
            "- {id: a, name: A, createDateTime: '2026-01-01T00:00:00Z',"
            " updateDateTime: '2026-02-01T00:00:00'}",
            "updateDateTime: give a time zone",
        ),
        (
            "- {id: a, name: A, createDateTime: '2026-03-01', updateDateTime: '2026-02-01'}",
            "updateDateTime: must not be before",
        ),
    ],
)
def test_malformed_files(tmp_path, content, problem):
    path = tmp_path / "datasets.yaml"
    path.write_text(content)
    with pytest.raises(LoadError, match=problem):
        read_dataset_descriptions(path)


def test_missing_file(tmp_path):
    with pytest.raises(LoadError, match="cannot read the file"):
        read_dataset_descriptions(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    ("name", "content"),
    [("empty.yaml", ""), ("comments.yaml", "# to fill in\n"), ("empty.json", "[]")],
)
def test_a_file_without_a_dataset_is_refused_and_changes_nothing(
    tmp_path, empty_store, name, content
):
    load_datasets(empty_store, DATA / "two_datasets.yaml")
    served = empty_store.releases(), list(empty_store.datasets.find({}))
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(LoadError) as caught:
        load_datasets(empty_store, path)
    assert str(caught.value) == f"{path}: no dataset records found"
    assert (empty_store.releases(), list(empty_store.datasets.find({}))) == served
