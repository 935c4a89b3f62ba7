"""A load that finds the disk full: one line saying so, exit status 2, nothing left behind and
the served release unchanged. The full disk is injected in the store's database (SQLite may
grow by a few pages only, and answers as for ENOSPC), so no real disk is filled."""

from __future__ import annotations

import errno
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from app.store import AuditEntry, open_store, sqlite_store

DATA = Path(__file__).resolve().parent / "data"
VCF = str(DATA / "vcf_sites_only.vcf")


def _load(uri: str, dataset: str):
    command = ["load", "vcf", VCF, "--dataset", dataset, "--assembly", "GRCh38"]
    return CliRunner().invoke(main, [*command, "--no-progress", "--mongo-uri", uri])


def _fill_database_after(monkeypatch, pages: int) -> None:
    """The store's database may grow by ``pages`` pages only: SQLite then answers SQLITE_FULL,
    what it answers for ENOSPC, without any real disk filling up."""
    connecting = sqlite_store.SqliteDatabase._connection
    capped_already: set[int] = set()

    def capped(self):
        connection = connecting(self)
        if id(connection) not in capped_already:
            capped_already.add(id(connection))
            (count,) = connection.execute("PRAGMA page_count").fetchone()
            connection.execute(f"PRAGMA max_page_count = {count + pages}")
        return connection

    monkeypatch.setattr(sqlite_store.SqliteDatabase, "_connection", capped)


@pytest.mark.parametrize("pages", [0, 1], ids=["at once", "after a page"])
def test_a_load_on_a_full_disk_says_so_in_one_line_and_leaves_nothing(pages, tmp_path, monkeypatch):
    uri = f"sqlite://{tmp_path}"
    assert _load(uri, "before").exit_code == 0
    served = [(release.id, release.active) for release in open_store(uri).releases()]
    _fill_database_after(monkeypatch, pages)
    failed = _load(uri, "full")
    assert failed.exit_code == 2, (failed.output, repr(failed.exception))
    (line,) = failed.output.splitlines()
    assert line.startswith("error: disk full: cannot write ") and "nothing was changed" in line
    assert str(tmp_path) in line
    monkeypatch.undo()  # space was freed
    store = open_store(uri)
    assert [(release.id, release.active) for release in store.releases()] == served
    assert store.variants.distinct("datasetId") == ["before"]
    with store._backend.session() as connection:
        assert connection.execute(
            "SELECT DISTINCT dataset_id FROM stored_part WHERE collection = 'genomicVariations'"
        ).fetchall() in ([("before",)], [("before",), ("full",)])  # removed by the next write
    assert _load(uri, "full").exit_code == 0
    assert sorted(open_store(uri).variants.distinct("datasetId")) == ["before", "full"]


def test_an_export_to_a_full_disk_says_so_in_one_line(tmp_path, monkeypatch):
    class FullOutput:
        def write(self, text):
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out.jsonl"))

    store = open_store("mongomock://memory/export_full")
    store.audit.append(AuditEntry(datetime(2026, 1, 1), "x", False, "GET", "/info", 200))
    monkeypatch.setattr("app.cli._open", lambda uri: store)
    monkeypatch.setattr("click.File.convert", lambda self, value, param, ctx: FullOutput())
    failed = CliRunner().invoke(main, ["audit", "export", "--output", "out.jsonl"])
    assert failed.exit_code == 2, failed.output
    (line,) = failed.output.splitlines()
    assert line.startswith(f"error: disk full: cannot write {tmp_path / 'out.jsonl'}")
