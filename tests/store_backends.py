"""Stores of the MongoDB backend for tests, which run its code over mongomock's client."""

from __future__ import annotations

import mongomock

from app.store import Store
from app.store.mongo import MongoDatabase


def mongodb_store() -> Store:
    """The MongoDB backend's code (release collections, manifest document) over mongomock."""
    return Store(MongoDatabase(mongomock.MongoClient(), "beacon"), durable=True)
