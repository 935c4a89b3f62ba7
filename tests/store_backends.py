"""Stores of the MongoDB backend for tests, which run its code over mongomock's client."""

from __future__ import annotations

import mongomock

from app.store import Store
from app.store.mongo import MongoDatabase


def mongodb_store() -> Store:
    """The MongoDB backend's code (release collections, manifest document) over mongomock."""
    return Store(MongoDatabase(mongomock.MongoClient(), "beacon"), durable=True)


def fill_journal(store: Store, collection_name: str) -> None:
    """Make a journal of the embedded store on disk fail its next writes as a full disk fails
    them: its SQLite file is capped at its size and filled (SQLite answers SQLITE_FULL, what
    it answers for ENOSPC), without filling any real disk. ``free_journal`` lifts the cap."""
    from app.store import StorageFullError

    collection = store.collection(collection_name)
    collection.insert_one({"filler": 0})  # the file exists, with its tables
    connection = collection._connected()
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")
    try:
        for _ in range(10_000):
            collection.insert_one({"filler": 1})
    except StorageFullError:
        return
    raise AssertionError("the capped journal never filled up")


def free_journal(store: Store, collection_name: str) -> None:
    store.collection(collection_name)._connected().execute("PRAGMA max_page_count = 1000000")


def individuals_release(store: Store, count: int, prefix: str) -> None:
    """One release: dataset ``x`` (described) with ``count`` individuals ``<prefix><n>``."""
    from app.store.collections import DATASETS, INDIVIDUALS

    people = [
        {"datasetId": "x", "id": f"{prefix}{n:03d}", "record": {"id": f"{prefix}{n:03d}"}}
        for n in range(count)
    ]
    store.replace_many(
        [
            (DATASETS, {"_id": "x"}, [{"_id": "x", "id": "x", "name": "X"}]),
            (INDIVIDUALS, {"datasetId": "x"}, people),
        ]
    )
