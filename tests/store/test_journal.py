"""Budgets and the audit log on the embedded store: every gunicorn worker writes them at once."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta

from pymongo import ReturnDocument

from app.store import open_store
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
