"""A damaged file of the embedded store (its database, a journal) is found, named in the
server's log and in /readyz, which then reports not ready; the process itself stays alive."""

from __future__ import annotations

import json
import logging
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest
from open_access import OPEN_ACCESS
from store_backends import individuals_release

from app import create_app
from app.store import AuditEntry, BudgetPeriod, open_store
from app.store.collections import AUDIT_LOG, QUERY_BUDGETS, VARIANTS
from app.store.errors import StoreDamagedError
from app.store.query import EVERYTHING

PEOPLE = 40


def _load(store, prefix: str = "p") -> None:
    individuals_release(store, PEOPLE, prefix)


def _damage_table(directory, table: str) -> None:
    """Overwrite the first page of a table's B-tree with bytes no page starts with."""
    path = directory / "store.sqlite3"
    with closing(sqlite3.connect(path)) as database:
        database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (page_size,) = database.execute("PRAGMA page_size").fetchone()
        (root,) = database.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
    with open(path, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * 64)


def _serving(directory):
    """A process that opens the store afresh (as a restarted worker does)."""
    return create_app(OPEN_ACCESS, store=open_store(f"sqlite://{directory}")).test_client()


def test_a_damaged_table_is_named_and_the_process_not_ready(tmp_path, caplog):
    _load(open_store(f"sqlite://{tmp_path}"))
    _damage_table(tmp_path, "entry")
    client = _serving(tmp_path)
    with caplog.at_level(logging.ERROR):
        answer = client.get("/individuals?requestedGranularity=record")
    assert answer.status_code == 500
    assert "internal server error" in json.dumps(answer.json)  # nothing leaks to the caller
    assert str(tmp_path / "store.sqlite3") in caplog.text
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["detail"].startswith("damaged store file store.sqlite3: ")
    assert client.get("/healthz").status_code == 200  # the process itself is alive


def test_a_file_that_is_no_database_is_named_and_the_process_not_ready(tmp_path):
    store = open_store(f"sqlite://{tmp_path}")
    _load(store)
    store.close()  # its last writes checkpointed into the file
    path = tmp_path / "store.sqlite3"
    for stale in (tmp_path / "store.sqlite3-wal", tmp_path / "store.sqlite3-shm"):
        stale.unlink(missing_ok=True)
    path.write_bytes(b"this is no SQLite database" + path.read_bytes()[26:])
    client = _serving(tmp_path)
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["detail"].startswith("damaged store file store.sqlite3: ")
    assert client.get("/individuals").status_code == 500
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("journal", [QUERY_BUDGETS, AUDIT_LOG])
def test_a_damaged_journal_is_named_and_the_process_not_ready(journal, tmp_path):
    store = open_store(f"sqlite://{tmp_path}")
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


def test_a_file_of_another_layout_is_refused_on_every_read_and_write(tmp_path):
    """A store written by another version (its tables of another layout) answers nothing from
    tables it cannot read: every call names the file and what to do."""
    uri = f"sqlite://{tmp_path}/store"
    store = open_store(uri)
    store.ensure_indexes()
    path = tmp_path / "store" / "store.sqlite3"
    with closing(sqlite3.connect(path)) as connection:
        (layout,) = connection.execute("PRAGMA user_version").fetchone()
        connection.execute(f"PRAGMA user_version = {layout - 1}")
    reopened = open_store(uri)
    for call in (
        lambda: reopened.count(VARIANTS, EVERYTHING),
        lambda: list(reopened.records(VARIANTS, EVERYTHING, 0, 10)),
        lambda: reopened.ping(),
    ):
        with pytest.raises(StoreDamagedError, match="load the data again"):
            call()
    with (
        pytest.raises(StoreDamagedError, match="load the data again"),
        reopened.release("a load") as release,
    ):
        release.replace_dataset(VARIANTS, "ds", [])
