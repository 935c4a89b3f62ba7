"""A damaged file of the embedded store (a segment's, a journal, the manifest) is found, named
in the server's log and in /readyz, which then reports not ready; the rest keeps its meaning."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from open_access import OPEN_ACCESS
from store_backends import individuals_release

from app import create_app
from app.store import AuditEntry, BudgetPeriod, StoreDamagedError, open_store, releases
from app.store.collections import AUDIT_LOG, INDIVIDUALS, QUERY_BUDGETS

PEOPLE = 40


def _load(store, prefix: str = "p") -> None:
    individuals_release(store, PEOPLE, prefix)


def _segment_of(directory, collection: str):
    manifest = json.loads((directory / "manifest.json").read_text())
    (segment_id,) = releases.active_parts(manifest)[collection]
    return directory / "segments" / segment_id


def _flip_byte(path, at_fraction: float = 0.5) -> None:
    data = bytearray(path.read_bytes())
    data[int(len(data) * at_fraction)] ^= 0x20
    path.write_bytes(bytes(data))


def _serving(directory):
    """A process that opens the store afresh (as a restarted worker does)."""
    return create_app(OPEN_ACCESS, store=open_store(f"mongomock://{directory}")).test_client()


def _change_meta(path) -> None:
    meta = json.loads(path.read_text())
    meta["constants"]["datasetId"] = "y"  # still JSON, no longer what was written
    path.write_text(json.dumps(meta))


@pytest.mark.parametrize(
    ("file_name", "damage"),
    [
        ("documents.bson", _flip_byte),
        ("offsets.npy", lambda path: _flip_byte(path, 0.9)),
        ("index-0.keys.npy", lambda path: _flip_byte(path, 0.9)),
        ("index-1.ordinals.npy", lambda path: path.write_bytes(path.read_bytes()[:-8])),
        ("meta.json", _change_meta),
    ],
)
def test_a_damaged_segment_file_is_named_and_the_process_not_ready(
    file_name, damage, tmp_path, caplog
):
    _load(open_store(f"mongomock://{tmp_path}"))
    segment = _segment_of(tmp_path, INDIVIDUALS)
    damage(segment / file_name)
    client = _serving(tmp_path)
    assert client.get("/readyz").status_code == 200  # not opened yet: not known yet
    with caplog.at_level(logging.ERROR):
        answer = client.get("/individuals?requestedGranularity=record")
    assert answer.status_code == 500
    assert "internal server error" in json.dumps(answer.json)  # nothing leaks to the caller
    assert str(segment / file_name) in caplog.text
    ready = client.get("/readyz")
    assert ready.status_code == 503
    name = f"segments/{segment.name}/{file_name}"
    assert ready.json["detail"].startswith(f"damaged store file {name}: ")
    # the damage is remembered (the file is not read again), and other data is still served
    assert client.get("/individuals?requestedGranularity=record").status_code == 500
    assert client.get("/datasets").status_code == 200


def test_loading_the_data_again_serves_sound_segments_and_the_process_is_ready(tmp_path):
    store = open_store(f"mongomock://{tmp_path}")
    _load(store)
    _flip_byte(_segment_of(tmp_path, INDIVIDUALS) / "documents.bson")
    client = _serving(tmp_path)
    assert client.get("/individuals").status_code == 500
    assert client.get("/readyz").status_code == 503
    _load(store, prefix="q")  # the next release's individuals are a new segment
    assert client.get("/readyz").json == {"status": "ready"}
    answer = client.get("/individuals?requestedGranularity=record").json
    assert answer["response"]["resultSets"][0]["resultsCount"] == PEOPLE


def _as_written_before_checksums(segment) -> None:
    meta = json.loads((segment / "meta.json").read_text())
    del meta["files"], meta["crc32"]
    (segment / "meta.json").write_text(json.dumps(meta))


def test_a_segment_written_before_checksums_is_served_unverified_and_said_so(tmp_path, caplog):
    _load(open_store(f"mongomock://{tmp_path}"))
    segment = _segment_of(tmp_path, INDIVIDUALS)
    _as_written_before_checksums(segment)
    client = _serving(tmp_path)
    with caplog.at_level(logging.WARNING):
        answer = client.get("/individuals?requestedGranularity=record").json
    assert answer["response"]["resultSets"][0]["resultsCount"] == PEOPLE
    assert f"segment {segment} was written before segments kept checksums" in caplog.text
    assert client.get("/readyz").json == {"status": "ready"}


def test_a_segment_written_before_checksums_is_still_checked_for_its_sizes(tmp_path):
    _load(open_store(f"mongomock://{tmp_path}"))
    segment = _segment_of(tmp_path, INDIVIDUALS)
    _as_written_before_checksums(segment)
    documents = segment / "documents.bson"
    documents.write_bytes(documents.read_bytes()[:-100])  # cut short
    store = open_store(f"mongomock://{tmp_path}")
    with pytest.raises(StoreDamagedError, match=r"documents\.bson: wrong size"):
        store.collection(INDIVIDUALS).count_documents({})


def _without_checksum_active_unknown(text: str) -> str:
    """A manifest written before manifests kept a checksum, whose active release is unknown."""
    manifest = json.loads(text)
    del manifest["checksum"]
    manifest["active"] = "r000009"
    return json.dumps(manifest)


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # not JSON any more
        lambda text: text.replace('"replace in', '"REPLACE IN', 1),  # JSON, checksum differs
        _without_checksum_active_unknown,
    ],
    ids=["cut short", "changed", "older, naming no release"],
)
def test_a_damaged_manifest_is_named_and_the_process_not_ready(damage, tmp_path):
    _load(open_store(f"mongomock://{tmp_path}"))
    manifest = tmp_path / "manifest.json"
    manifest.write_text(damage(manifest.read_text()))
    client = _serving(tmp_path)
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["detail"].startswith("damaged store file manifest.json: ")
    assert client.get("/individuals").status_code == 500
    assert client.get("/healthz").status_code == 200  # the process itself is alive


@pytest.mark.parametrize("journal", [QUERY_BUDGETS, AUDIT_LOG])
def test_a_damaged_journal_is_named_and_the_process_not_ready(journal, tmp_path):
    store = open_store(f"mongomock://{tmp_path}")
    _load(store)
    if journal == QUERY_BUDGETS:
        store.budgets.charge(BudgetPeriod("caller", 1, datetime.now(UTC) + timedelta(hours=1)), 1)
    else:
        store.audit.append(AuditEntry(datetime.now(UTC), "caller", False, "GET", "/info", 200))
    store.close()
    path = tmp_path / "journals" / f"{journal}.sqlite3"
    path.write_bytes(b"this is no SQLite database" + path.read_bytes()[26:])
    ready = _serving(tmp_path).get("/readyz")
    assert ready.status_code == 503
    assert ready.json["detail"].startswith(f"damaged store file journals/{journal}.sqlite3: ")
