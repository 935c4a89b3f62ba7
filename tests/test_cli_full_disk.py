"""A load that finds the disk full: one line saying so, exit status 2, nothing left behind and
the served release unchanged. The full disk is injected at the store's write calls (their
files raise ENOSPC once a few bytes were written), so no real disk is filled."""

from __future__ import annotations

import builtins
import errno
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from app.store import AuditEntry, embedded, open_store, segment

DATA = Path(__file__).resolve().parent / "data"
VCF = str(DATA / "vcf_sites_only.vcf")


class FullDiskFile:
    """A file opened for writing on a disk with ``room`` bytes left: the write that needs more
    writes what fits and raises ENOSPC, as the operating system does."""

    def __init__(self, handle, room: int) -> None:
        self._handle = handle
        self._room = room
        self.name = handle.name

    def write(self, data) -> int:
        if not isinstance(data, str):
            data = bytes(data)
        if len(data) > self._room:
            self._handle.write(data[: self._room])
            self._room = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self._room -= len(data)
        return self._handle.write(data)

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exception) -> None:
        self._handle.close()


def _fill_disk_at(monkeypatch, module, file_name: str, room: int = 10) -> None:
    """Writes to ``file_name`` (opened by ``module``) find the disk full."""

    def opening(path, mode="r", *args, **kwargs):
        handle = builtins.open(path, mode, *args, **kwargs)  # noqa: SIM115 (the store closes it)
        if "w" in mode and Path(path).name.startswith(file_name):
            return FullDiskFile(handle, room)
        return handle

    monkeypatch.setattr(module, "open", opening, raising=False)


def _load(uri: str, dataset: str):
    command = ["load", "vcf", VCF, "--dataset", dataset, "--assembly", "GRCh38"]
    return CliRunner().invoke(main, [*command, "--no-progress", "--mongo-uri", uri])


@pytest.mark.parametrize(
    ("module", "file_name"),
    [
        (segment, segment.DOCUMENTS_FILE),
        (segment, "index-1.keys"),
        (segment, segment.META_FILE),
        (embedded, "manifest.tmp"),
    ],
    ids=["documents", "an index", "a segment's meta", "the manifest"],
)
def test_a_load_on_a_full_disk_says_so_in_one_line_and_leaves_nothing(
    module, file_name, tmp_path, monkeypatch
):
    uri = f"mongomock://{tmp_path}"
    assert _load(uri, "before").exit_code == 0
    segments = {entry.name for entry in (tmp_path / "segments").iterdir()}
    served = [(release.id, release.active) for release in open_store(uri).releases()]
    _fill_disk_at(monkeypatch, module, file_name)
    failed = _load(uri, "full")
    assert failed.exit_code == 2, failed.output
    (line,) = failed.output.splitlines()
    assert line.startswith("error: disk full: cannot write ") and "nothing was changed" in line
    assert str(tmp_path) in line
    assert {entry.name for entry in (tmp_path / "segments").iterdir()} == segments
    assert not (tmp_path / "manifest.tmp").exists()
    store = open_store(uri)
    assert [(release.id, release.active) for release in store.releases()] == served
    assert store.variants.distinct("datasetId") == ["before"]
    monkeypatch.undo()  # space was freed
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
