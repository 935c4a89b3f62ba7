"""Budgets and the audit log on the embedded store: every gunicorn worker writes them at once."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta

import bson
import mongomock
import pytest
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError
from store_backends import fill_journal, free_journal

from app.store import StorageFullError, journal, open_store
from app.store.collections import AUDIT_LOG, QUERY_BUDGETS

WRITERS, WRITES = 4, 25


def _write_from_another_process(uri: str, writer: int) -> None:
    store = open_store(uri)
    for number in range(WRITES):
        store.collection(AUDIT_LOG).insert_one({"writer": writer, "n": number})
        store.collection(QUERY_BUDGETS).find_one_and_update(
            {"_id": "caller@1"},
            {"$inc": {"spent": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )


def test_processes_writing_at_once_lose_nothing(tmp_path):
    uri = f"mongomock://{tmp_path}"
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_write_from_another_process, args=(uri, writer))
        for writer in range(WRITERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    store = open_store(uri)
    logged = list(store.collection(AUDIT_LOG).find({}, {"_id": 0}))
    assert sorted((d["writer"], d["n"]) for d in logged) == [
        (writer, number) for writer in range(WRITERS) for number in range(WRITES)
    ]
    spent = store.collection(QUERY_BUDGETS).find_one({"_id": "caller@1"})["spent"]
    assert spent == WRITERS * WRITES  # every increment counted once: no lost update


def test_budgets_past_their_expiry_are_dropped_as_mongodb_ttl_drops_them(tmp_path):
    budgets = open_store(f"mongomock://{tmp_path}").collection(QUERY_BUDGETS)
    now = datetime.now(UTC)
    budgets.insert_many(
        [
            {"_id": "old", "spent": 3, "expiresAt": now - timedelta(seconds=1)},
            {"_id": "current", "spent": 1, "expiresAt": now + timedelta(hours=1)},
        ]
    )
    assert [d["_id"] for d in budgets.find({})] == ["current"]


def _budget(identity: int) -> dict:
    return {"_id": f"caller{identity}@1", "spent": 1, "identity": f"caller{identity}"}


def test_a_budget_read_and_charge_read_one_document_whatever_the_number_of_identities(
    tmp_path, monkeypatch
):
    """The budgets of every other identity are neither read nor written back."""
    budgets = open_store(f"mongomock://{tmp_path}").collection(QUERY_BUDGETS)
    budgets.insert_many([_budget(identity) for identity in range(2000)])
    handed = []
    real = journal.scratch_collection

    def counting(documents):
        documents = list(documents)
        handed.append(len(documents))
        return real(documents)

    monkeypatch.setattr(journal, "scratch_collection", counting)
    assert budgets.find_one({"_id": "caller7@1"}, {"spent": 1}) == {"_id": "caller7@1", "spent": 1}
    charged = budgets.find_one_and_update(
        {"_id": "caller7@1"}, {"$inc": {"spent": 1}}, return_document=ReturnDocument.AFTER
    )
    assert charged["spent"] == 2
    assert handed == [1, 1]
    assert budgets.count_documents({}) == 2000  # a filter without the _id still reads them all


@pytest.mark.parametrize("backend", ["embedded-disk", "mongomock"])
def test_a_conditional_charge_is_refused_at_the_limit_as_mongodb_refuses_it(backend, tmp_path):
    """Check-and-charge as one conditional upsert: below the limit it charges, at the limit the
    upsert's insert collides with the spent budget (MongoDB's duplicate key error)."""
    if backend == "mongomock":
        budgets = mongomock.MongoClient()["beacon"][QUERY_BUDGETS]
    else:
        budgets = open_store(f"mongomock://{tmp_path}").collection(QUERY_BUDGETS)

    def charge():
        return budgets.find_one_and_update(
            {"_id": "caller@1", "spent": {"$lt": 2}},
            {"$inc": {"spent": 1}, "$setOnInsert": {"identity": "caller"}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )

    assert [charge()["spent"], charge()["spent"]] == [1, 2]
    with pytest.raises(DuplicateKeyError):
        charge()
    assert budgets.find_one({"_id": "caller@1"}) == {
        "_id": "caller@1",
        "spent": 2,
        "identity": "caller",
    }


def test_a_journal_write_on_a_full_disk_fails_whole_and_leaves_the_journal_whole(tmp_path):
    store = open_store(f"mongomock://{tmp_path}")
    log = store.collection(AUDIT_LOG)
    fill_journal(store, AUDIT_LOG)
    held = log.count_documents({})
    big = [{"who": f"caller{n}", "query": "x" * 3000} for n in range(5)]
    with pytest.raises(StorageFullError, match=r"disk full: cannot write .*auditLog\.sqlite3"):
        log.insert_many(big)
    assert log.count_documents({}) == held  # none of the batch: no torn record either
    free_journal(store, AUDIT_LOG)
    log.insert_many(big)
    assert log.count_documents({}) == held + 5
    assert open_store(f"mongomock://{tmp_path}").collection(AUDIT_LOG).count_documents({}) == (
        held + 5
    )


def _earlier_journal(path, documents, torn_after: int) -> bytes:
    """A journal of the earlier format: BSON records appended, the one after ``torn_after``
    cut short (a full disk) and the later ones appended after it (once space was freed)."""
    records = [bson.encode(document) for document in documents]
    records[torn_after] = records[torn_after][: len(records[torn_after]) // 2]
    data = b"".join(records)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def test_a_journal_of_the_earlier_format_is_imported_and_its_torn_record_skipped(tmp_path):
    entries = [
        {"_id": bson.ObjectId(), "at": datetime(2026, 11, 1, 12, n), "who": f"caller{n}"}
        for n in range(6)
    ]
    earlier = tmp_path / "journals" / f"{AUDIT_LOG}.bson"
    _earlier_journal(earlier, entries, torn_after=2)
    store = open_store(f"mongomock://{tmp_path}")
    logged = list(store.collection(AUDIT_LOG).find({}, {"_id": 0, "who": 1}))
    assert [entry["who"] for entry in logged] == [f"caller{n}" for n in (0, 1, 3, 4, 5)]
    (skipped,) = store.skipped_records(AUDIT_LOG)
    assert str(earlier) in skipped and "not a whole record" in skipped
    assert not earlier.exists() and earlier.with_name(earlier.name + ".imported").exists()
    # another process (or a restart) imports nothing twice and still reports the gap
    again = open_store(f"mongomock://{tmp_path}")
    assert again.collection(AUDIT_LOG).count_documents({}) == 5
    assert len(again.skipped_records(AUDIT_LOG)) == 1


def test_a_torn_record_at_the_end_of_an_earlier_journal_is_skipped():
    records = [bson.encode({"_id": n, "n": n}) for n in range(3)]
    data = b"".join(records) + records[0][:7]
    documents, problems = journal.whole_records(data)
    assert [document["n"] for document in documents] == [0, 1, 2]
    assert problems == [f"bytes {len(data) - 7}-{len(data)} are not a whole record"]
