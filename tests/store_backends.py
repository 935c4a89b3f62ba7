"""Stores of the MongoDB backend for tests, which run its code over mongomock's client."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import mongomock

from app.store import Store
from app.store.mongo import MongoDatabase


def mongodb_store() -> Store:
    """The MongoDB backend's code (release collections, manifest document) over mongomock."""
    return Store(MongoDatabase(mongomock.MongoClient(), "beacon"), durable=True)


FILLER = "filler"  # who the entries written to fill an audit log are by


def fill_journal(audit_log: Any) -> None:
    """Make the audit log of an embedded store on disk fail its next writes as a full disk
    fails them: its SQLite file is capped at its size and filled with entries (SQLite then
    answers SQLITE_FULL, what it answers for ENOSPC), without filling any real disk.
    ``free_journal`` lifts the cap and deletes the filler entries."""
    from app.store import AuditEntry, StorageFullError

    filler = AuditEntry(datetime.now(UTC), FILLER, False, "", "", 0)
    audit_log.append(filler)  # the file exists, with its tables
    connection = audit_log._connected()
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")
    try:
        for _ in range(10_000):
            audit_log.append(filler)
    except StorageFullError:
        return
    raise AssertionError("the capped journal never filled up")


def free_journal(audit_log: Any) -> None:
    connection = audit_log._connected()
    connection.execute("PRAGMA max_page_count = 1000000")
    connection.execute("DELETE FROM entries WHERE who = ?", (FILLER,))


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


def variant_document(dataset_id: str, internal_id: str, start: int = 100, **fields: Any) -> dict:
    """A variant document with every field the loaders write (the embedded store's typed
    columns refuse one without them, as a load never writes one)."""
    return {
        "datasetId": dataset_id,
        "assemblyId": "GRCh38",
        "referenceName": "1",
        "start": start,
        "end": start + 1,
        "referenceBases": "A",
        "alternateBases": "G",
        "variantType": "SNP",
        "variantLength": 1,
        "geneIds": [],
        "geneKeys": [],
        "aminoacidChanges": [],
        "identifiers": [],
        "variantInternalId": internal_id,
        "biosampleIds": [],
        "alleleFrequency": None,
        "record": {"variantInternalId": internal_id},
        **fields,
    }
