"""``asia-beacon load metadata``: every problem on its own line and exit 2, or a summary."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from app.cli import main
from app.store import open_store

DATA = Path(__file__).resolve().parents[2] / "data" / "metadata"


def _load(*arguments: str):
    return CliRunner().invoke(main, ["load", "metadata", *arguments])


def test_every_problem_is_printed_and_the_exit_code_is_2(monkeypatch):
    monkeypatch.chdir(DATA / "broken")
    result = _load(".", "--dataset", "th-test")
    assert result.exit_code == 2
    expected = (DATA / "broken" / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert result.stderr.splitlines()[-len(expected) - 1 : -1] == expected
    assert result.stderr.splitlines()[-1] == (
        f"error: {len(expected)} problem(s); nothing was loaded "
        "(--skip-invalid loads the valid rows)"
    )
    assert result.stdout == ""


def test_a_load_prints_what_it_loaded_and_skipped():
    result = _load(str(DATA / "valid"), "--dataset", "th-test")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "loaded into dataset th-test: individuals 3, biosamples 3, runs 2, analyses 2; "
    )
    assert f"skipped {DATA / 'valid' / 'notes.md'}: not a metadata entry file" in result.stderr
    assert "is served from" in result.stderr  # the default embedded store keeps it


def test_skip_invalid_says_how_many_rows_were_rejected_and_where(tmp_path):
    folder = tmp_path / "th"
    shutil.copytree(DATA / "broken", folder)
    result = _load(str(folder), "--dataset", "th-test", "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "individuals 1, biosamples 1, runs 1, analyses 1;" in result.stdout
    assert f"rejected 13 row(s), written to {folder / 'individuals.rejects.csv'}, " in result.stdout
    rejects = tmp_path / "rejects"
    result = _load(str(folder), "--dataset", "th-test", "--skip-invalid", "--rejects", str(rejects))
    assert f"written to {rejects / 'individuals.rejects.csv'}, " in result.stdout


def test_a_missing_path_or_dataset_option():
    result = _load("absent-folder", "--dataset", "th-test")
    assert result.exit_code == 2
    assert "absent-folder: no such file or directory" in result.stderr
    result = _load(str(DATA / "valid"))
    assert result.exit_code == 2
    assert "Missing option '--dataset'" in result.output


def test_a_load_that_would_leave_no_individuals_exits_2_and_changes_nothing(tmp_path):
    uri = f"mongomock://{tmp_path / 'store'}"
    assert _load(str(DATA / "valid"), "--dataset", "th-test", "--mongo-uri", uri).exit_code == 0
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "individuals.csv").write_text("id,sex.id\nX-1,male\nX-2,female\n", encoding="utf-8")
    arguments = (str(folder), "--dataset", "th-test", "--skip-invalid", "--mongo-uri", uri)
    refused = _load(*arguments)
    assert refused.exit_code == 2
    assert refused.stderr.splitlines() == [
        f"{folder / 'individuals.csv'}: all 2 rows were rejected "
        f"(see {folder / 'individuals.rejects.csv'})",
        "dataset th-test: it holds individuals now; this load would leave none",
        "error: this load would replace stored data with nothing, so nothing was loaded "
        "(--allow-empty loads it anyway)",
    ]
    assert refused.stdout == ""
    served = open_store(uri)
    assert [release.id for release in served.releases()] == ["r000001"]
    assert served.collection("individuals").count_documents({"datasetId": "th-test"}) == 3

    allowed = _load(str(folder / "individuals.csv"), *arguments[1:], "--allow-empty")
    assert allowed.exit_code == 0, allowed.output
    assert allowed.stdout.splitlines()[1] == (
        f"  {folder / 'individuals.csv'}: 2 row(s) read, 0 loaded, 2 rejected"
    )
    assert served.collection("individuals").count_documents({"datasetId": "th-test"}) == 0


def test_the_output_gives_each_files_rows_read_loaded_and_rejected(tmp_path):
    folder = tmp_path / "th"
    shutil.copytree(DATA / "broken", folder)
    result = _load(str(folder), "--dataset", "th-test", "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:5] == [
        f"  {folder / 'individuals.csv'}: 5 row(s) read, 1 loaded, 4 rejected",
        f"  {folder / 'biosamples.tsv'}: 4 row(s) read, 1 loaded, 3 rejected",
        f"  {folder / 'runs.json'}: 5 row(s) read, 1 loaded, 4 rejected",
        f"  {folder / 'analyses.yaml'}: 3 row(s) read, 1 loaded, 2 rejected",
    ]
