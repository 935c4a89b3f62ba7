"""``asia-beacon load metadata``: every problem on its own line and exit 2, or a summary."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from app.cli import main

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
