"""load_metadata never replaces stored entries with nothing: with --skip-invalid, a load whose
rows of a stored entry type are all rejected, or that rejected every row of one file, is refused
with the store and its releases unchanged, unless allow_empty; its summary gives each file's
rows read, loaded and rejected."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.store import Store
from app.store.collections import FILTERING_TERMS, METADATA_ENTRIES, METADATA_STATS
from loaders.emptying import EmptyingLoadError, FileRows
from loaders.metadata import load_metadata

DATA = Path(__file__).resolve().parents[2] / "data" / "metadata"
VALID, BROKEN = DATA / "valid", DATA / "broken"
DATASET = "th-test"
# a malformed CURIE, no sex, an id with a slash, a repeated id
INVALID_INDIVIDUALS = "id,sex.id\nX-1,not-a-curie\nX-2,\nX/3,NCIT:C16576\nX-1,NCIT:C16576\n"


def _served(store: Store) -> tuple[dict[str, list[dict]], list]:
    names = (*METADATA_ENTRIES, FILTERING_TERMS, METADATA_STATS)
    documents = {name: list(store.collection(name).find({}, {"_id": 0})) for name in names}
    return documents, store.releases()


def _folder(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "input"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_rejecting_every_stored_individual_is_refused_and_changes_nothing(any_store, tmp_path):
    load_metadata(any_store, [VALID], DATASET)
    before = _served(any_store)
    folder = _folder(tmp_path, **{"individuals.csv": INVALID_INDIVIDUALS})
    with pytest.raises(EmptyingLoadError) as caught:
        load_metadata(any_store, [folder], DATASET, skip_invalid=True)
    rejects = folder / "individuals.rejects.csv"
    assert [str(problem) for problem in caught.value.problems] == [
        f"{folder / 'individuals.csv'}: all 4 rows were rejected (see {rejects})",
        f"dataset {DATASET}: it holds individuals now; this load would leave none",
    ]
    assert _served(any_store) == before
    assert len(rejects.read_text(encoding="utf-8").splitlines()) == 1 + 4, "says why"

    summary = load_metadata(
        any_store, [folder / "individuals.csv"], DATASET, True, allow_empty=True
    )
    assert dict(summary.loaded) == {"individuals": 0}
    assert any_store.collection("individuals").count_documents({"datasetId": DATASET}) == 0


def test_a_file_whose_every_row_is_rejected_is_refused_beside_files_that_load(any_store, tmp_path):
    """Even into an empty dataset, and though the other file has rows to load."""
    folder = _folder(tmp_path, **{"individuals.csv": "id,sex.id\nIND-1,NCIT:C20197\n"})
    shutil.copy(VALID / "runs.json", folder)  # its biosamples S1, S2 are in no file
    with pytest.raises(EmptyingLoadError) as caught:
        load_metadata(any_store, [folder], DATASET, skip_invalid=True)
    assert str(caught.value) == (
        f"{folder / 'runs.json'}: all 2 rows were rejected (see {folder / 'runs.rejects.jsonl'})"
    )
    assert _served(any_store) == ({name: [] for name in _served(any_store)[0]}, [])
    summary = load_metadata(any_store, [folder], DATASET, skip_invalid=True, allow_empty=True)
    assert dict(summary.loaded) == {"individuals": 1, "runs": 0}


def test_the_summary_gives_each_files_rows_read_loaded_and_rejected(empty_store, tmp_path):
    summary = load_metadata(empty_store, [BROKEN], DATASET, skip_invalid=True, rejects_dir=tmp_path)
    read = {
        "individuals.csv": 5,  # data lines of the sheet
        "biosamples.tsv": 4,
        "runs.json": 5,  # records of the list
        "analyses.yaml": 3,
    }
    rejects = {
        "individuals.csv": "individuals.rejects.csv",
        "biosamples.tsv": "biosamples.rejects.tsv",
        "runs.json": "runs.rejects.jsonl",
        "analyses.yaml": "analyses.rejects.jsonl",
    }
    assert summary.files == tuple(
        FileRows(str(BROKEN / name), read[name], 1, str(tmp_path / rejects[name])) for name in read
    )
    for file in summary.files:
        rejected_lines = Path(file.rejects_file).read_text(encoding="utf-8").splitlines()
        header = 1 if file.rejects_file.endswith("sv") else 0
        assert len(rejected_lines) - header == file.rejected
    assert sum(file.rejected for file in summary.files) == summary.rejected
    assert sum(file.loaded for file in summary.files) == sum(summary.loaded.values())
