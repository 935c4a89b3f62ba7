"""Budgets and the audit log on the embedded store: every gunicorn worker writes them at once."""

from __future__ import annotations

import multiprocessing
import sqlite3
from datetime import UTC, datetime, timedelta

import bson
import pytest
from store_backends import fill_journal, free_journal, mongodb_store

from app.store import AuditEntry, BudgetPeriod, StorageFullError, journal, open_store
from app.store.collections import AUDIT_LOG, QUERY_BUDGETS

WRITERS, WRITES, LIMIT = 4, 25, 30


def _period(identity: str = "caller", index: int = 1, hours: float = 1) -> BudgetPeriod:
    return BudgetPeriod(identity, index, datetime.now(UTC) + timedelta(hours=hours))


def _entry(who: str, at: datetime | None = None, **fields) -> AuditEntry:
    return AuditEntry(at or datetime.now(UTC), who, False, "GET", "/g_variants", 200, **fields)


def _write_from_another_process(uri: str, writer: int, reserved) -> None:
    store = open_store(uri)
    charged, limited = _period("caller"), _period("limited")
    for number in range(WRITES):
        store.audit.append(_entry(f"writer{writer}", request_id=str(number)))
        store.budgets.charge(charged, 1)
        if store.budgets.reserve(limited, 1, LIMIT):
            with reserved.get_lock():
                reserved.value += 1


def test_processes_writing_at_once_lose_nothing_and_never_pass_a_limit(tmp_path):
    uri = f"mongomock://{tmp_path}"
    context = multiprocessing.get_context("fork")
    reserved = context.Value("i", 0)
    workers = [
        context.Process(target=_write_from_another_process, args=(uri, writer, reserved))
        for writer in range(WRITERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    store = open_store(uri)
    logged = list(store.audit.entries())
    assert sorted((entry.who, int(entry.request_id)) for entry in logged) == [
        (f"writer{writer}", number) for writer in range(WRITERS) for number in range(WRITES)
    ]
    # every increment counted once: no lost update
    assert store.budgets.spent(_period("caller")) == WRITERS * WRITES
    # 100 reservations of one unit against a limit of 30: exactly 30 granted, across processes
    assert reserved.value == LIMIT
    assert store.budgets.spent(_period("limited")) == LIMIT


def test_budgets_past_their_end_are_dropped_as_mongodb_ttl_drops_them(tmp_path):
    budgets = open_store(f"mongomock://{tmp_path}").budgets
    ended, current = _period("old", hours=-1), _period("current")
    assert budgets.charge(ended, 3) == 3  # written, then gone: its period is over
    assert budgets.charge(current, 1) == 1
    assert (budgets.spent(ended), budgets.spent(current)) == (0, 1)
    assert not budgets.reserve(ended, 3, 2)  # an ended period holds nothing, limits still hold
    assert budgets.reserve(ended, 2, 2)
    budgets.close()
    database = sqlite3.connect(tmp_path / "journals" / f"{QUERY_BUDGETS}.sqlite3")
    # the first write of a process deletes the rows of ended periods (later ones once a minute)
    reopened = open_store(f"mongomock://{tmp_path}").budgets
    reopened.charge(current, 1)
    assert database.execute("SELECT identity FROM budgets").fetchall() == [("current",)]


def _instructions(budgets, call) -> int:
    """How many SQLite virtual machine instructions ``call`` runs (counted ten at a time)."""
    counted = [0]

    def count() -> int:
        counted[0] += 1
        return 0

    connection = budgets._connected()
    connection.set_progress_handler(count, 10)
    try:
        call()
    finally:
        connection.set_progress_handler(None, 10)
    return counted[0]


def test_a_budget_read_and_charge_touch_one_row_whatever_the_number_of_identities(tmp_path):
    """The budgets of every other identity are neither read nor written: the work of a read
    and of a charge is the same with 20 identities as with 4,000."""
    work = {}
    for identities in (20, 4000):
        budgets = open_store(f"mongomock://{tmp_path / str(identities)}").budgets
        for identity in range(identities):
            budgets.charge(_period(f"caller{identity}"), 1)
        chosen = _period("caller7")
        work[identities] = (
            _instructions(budgets, lambda b=budgets, p=chosen: b.spent(p)),
            _instructions(budgets, lambda b=budgets, p=chosen: b.reserve(p, 1, 10)),
        )
        assert budgets.spent(chosen) == 2
    (few_read, few_charge), (many_read, many_charge) = work[20], work[4000]
    assert many_read <= few_read + 3 and many_charge <= few_charge + 3, work


@pytest.mark.parametrize("backend", ["embedded-disk", "embedded-memory", "mongodb"])
def test_a_reservation_is_refused_at_the_limit_on_every_backend(backend, tmp_path):
    """Check-and-charge as one conditional write: below the limit it charges, at the limit it
    charges nothing."""
    if backend == "mongodb":
        store = mongodb_store()
    elif backend == "embedded-memory":
        store = open_store("mongomock://memory/reservations")
    else:
        store = open_store(f"mongomock://{tmp_path}")
    budgets, period = store.budgets, _period()
    assert [budgets.reserve(period, 1, 2), budgets.reserve(period, 1, 2)] == [True, True]
    assert not budgets.reserve(period, 1, 2)
    assert not budgets.reserve(_period("other"), 3, 2)  # more than the limit: never
    assert budgets.spent(period) == 2 and budgets.spent(_period("other")) == 0
    assert budgets.charge(period, 4) == 6  # a charge passes the limit: it is not a reservation


def test_a_journal_write_on_a_full_disk_fails_whole_and_leaves_the_journal_whole(tmp_path):
    store = open_store(f"mongomock://{tmp_path}")
    log = store.audit
    fill_journal(log)
    held = len(list(log.entries()))
    big = [_entry(f"caller{n}", query="x" * 3000) for n in range(5)]
    for entry in big:
        with pytest.raises(StorageFullError, match=r"disk full: cannot write .*auditLog\.sqlite3"):
            log.append(entry)
    assert len(list(log.entries())) == held  # none of them: no torn record either
    free_journal(log)
    for entry in big:
        log.append(entry)
    assert [entry.who for entry in open_store(f"mongomock://{tmp_path}").audit.entries()] == [
        f"caller{n}" for n in range(5)
    ]


def test_an_export_reads_a_time_window_in_time_order_in_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(journal, "EXPORT_BATCH", 3)
    log = open_store(f"mongomock://{tmp_path}").audit
    start = datetime(2026, 11, 1, 12, tzinfo=UTC)
    for minute in (5, 1, 3, 3, 0, 9, 7, 2, 8, 4, 6, 3):  # appended out of time order
        log.append(_entry(f"m{minute}", start + timedelta(minutes=minute)))
    assert [e.who for e in log.entries()] == [f"m{m}" for m in (0, 1, 2, 3, 3, 3, *range(4, 10))]
    window = log.entries(start + timedelta(minutes=3), (start + timedelta(minutes=7)))
    assert [e.who for e in window] == ["m3", "m3", "m3", "m4", "m5", "m6"]
    naive = log.entries(datetime(2026, 11, 1, 12, 8))  # a naive time is UTC
    assert [(e.who, e.at) for e in naive] == [
        ("m8", start + timedelta(minutes=8)),
        ("m9", start + timedelta(minutes=9)),
    ]


def _earlier_journal(path, documents, torn_after: int) -> bytes:
    """A journal of the first format: BSON records appended, the one after ``torn_after``
    cut short (a full disk) and the later ones appended after it (once space was freed)."""
    records = [bson.encode(document) for document in documents]
    records[torn_after] = records[torn_after][: len(records[torn_after]) // 2]
    data = b"".join(records)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def test_a_journal_of_the_first_format_is_imported_and_its_torn_record_skipped(tmp_path):
    entries = [
        {"_id": bson.ObjectId(), "at": datetime(2026, 11, 1, 12, n), "who": f"caller{n}"}
        for n in range(6)
    ]
    earlier = tmp_path / "journals" / f"{AUDIT_LOG}.bson"
    _earlier_journal(earlier, entries, torn_after=2)
    store = open_store(f"mongomock://{tmp_path}")
    logged = list(store.audit.entries())
    assert [entry.who for entry in logged] == [f"caller{n}" for n in (0, 1, 3, 4, 5)]
    assert logged[0].at == datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    assert (logged[0].query, logged[0].request_id) == (None, None)  # not recorded back then
    (skipped,) = store.audit.skipped_records()
    assert str(earlier) in skipped and "not a whole record" in skipped
    assert not earlier.exists() and earlier.with_name(earlier.name + ".imported").exists()
    # another process (or a restart) imports nothing twice and still reports the gap
    again = open_store(f"mongomock://{tmp_path}")
    assert len(list(again.audit.entries())) == 5
    assert len(again.audit.skipped_records()) == 1


# The format before the journals' own tables: one row per MongoDB document, as BSON.
_DOCUMENTS_TABLE = (
    "CREATE TABLE documents (position INTEGER PRIMARY KEY, key BLOB NOT NULL UNIQUE, "
    "expires REAL, body BLOB NOT NULL)"
)


def _documents_journal(path, documents: list[dict], expiry_field: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    database = sqlite3.connect(path)
    database.execute(_DOCUMENTS_TABLE)
    for document in documents:
        expires = document.get(expiry_field) if expiry_field else None
        database.execute(
            "INSERT INTO documents (key, expires, body) VALUES (?, ?, ?)",
            (
                bson.encode({"_id": document["_id"]}),
                expires.replace(tzinfo=UTC).timestamp() if expires else None,
                bson.encode(document),
            ),
        )
    database.execute("INSERT INTO documents (key, body) VALUES (x'00', x'0badbeef')")
    database.commit()
    database.close()


def test_journals_of_the_documents_format_are_imported_once(tmp_path):
    """Budgets and entries kept as MongoDB documents in SQLite rows (the format before) become
    rows of the journals' tables; ended budgets are left behind, an undecodable row reported."""
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    journals = tmp_path / "journals"
    _documents_journal(
        journals / f"{QUERY_BUDGETS}.sqlite3",
        [
            {"_id": "address:10.0.0.1@7", "spent": 4, "identity": "address:10.0.0.1",
             "expiresAt": now + timedelta(hours=2)},
            {"_id": "address:10.0.0.2@6", "spent": 9, "identity": "address:10.0.0.2",
             "expiresAt": now - timedelta(hours=1)},
        ],
        "expiresAt",
    )  # fmt: skip
    _documents_journal(
        journals / f"{AUDIT_LOG}.sqlite3",
        [
            {"_id": bson.ObjectId(), "at": now, "who": "address:10.0.0.1", "authenticated": False,
             "method": "GET", "endpoint": "/g_variants", "status": 200, "query": "{}",
             "datasets": [{"id": "pub", "granularity": "count"}], "requestId": "r1"},
            {"_id": bson.ObjectId(), "at": now + timedelta(seconds=1), "who": "server:h:1",
             "authenticated": False, "method": "", "endpoint": "", "status": 0, "query": "",
             "datasets": [], "requestId": "", "lost": 2, "lostSince": now.isoformat() + "Z"},
        ],
    )  # fmt: skip
    store = open_store(f"mongomock://{tmp_path}")
    ends = now.replace(tzinfo=UTC) + timedelta(hours=2)
    assert store.budgets.spent(BudgetPeriod("address:10.0.0.1", 7, ends)) == 4
    assert store.budgets.reserve(BudgetPeriod("address:10.0.0.1", 7, ends), 1, 5)
    assert not store.budgets.reserve(BudgetPeriod("address:10.0.0.1", 7, ends), 1, 5)
    assert store.budgets.spent(BudgetPeriod("address:10.0.0.2", 6, ends)) == 0
    logged, lost = store.audit.entries()
    assert (logged.who, logged.datasets, logged.request_id, logged.query) == (
        "address:10.0.0.1",
        (("pub", "count"),),
        "r1",
        "{}",
    )
    assert (lost.lost, lost.lost_since) == (2, now.replace(tzinfo=UTC))
    for journal_of in (store.budgets, store.audit):
        (problem,) = journal_of.skipped_records()
        assert "does not decode" in problem
    store.close()
    again = open_store(f"mongomock://{tmp_path}")  # imported once: the old table is gone
    assert len(list(again.audit.entries())) == 2
    tables = sqlite3.connect(journals / f"{AUDIT_LOG}.sqlite3").execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'"
    )
    assert "documents" not in {name for (name,) in tables}


def test_a_torn_record_at_the_end_of_an_earlier_journal_is_skipped():
    records = [bson.encode({"_id": n, "n": n}) for n in range(3)]
    data = b"".join(records) + records[0][:7]
    documents, problems = journal.whole_records(data)
    assert [document["n"] for document in documents] == [0, 1, 2]
    assert problems == [f"bytes {len(data) - 7}-{len(data)} are not a whole record"]


def test_a_journal_is_not_a_collection(tmp_path):
    """Nothing reads or writes a journal's documents through the collection API."""
    for store in (open_store(f"mongomock://{tmp_path}"), mongodb_store()):
        for name in (QUERY_BUDGETS, AUDIT_LOG):
            with pytest.raises(ValueError, match="is a journal"):
                store.collection(name)


def test_mongodb_budgets_carry_the_field_its_ttl_index_expires():
    store = mongodb_store()
    store.ensure_indexes()
    period = _period()
    store.budgets.charge(period, 1)
    budgets = store._backend.database[QUERY_BUDGETS]
    expiry = budgets.index_information()["expiry"]
    assert expiry["expireAfterSeconds"] == 0
    ((field, _),) = expiry["key"]
    (document,) = budgets.find({})
    # BSON keeps milliseconds
    assert abs(document[field].replace(tzinfo=UTC) - period.ends_at) < timedelta(milliseconds=1)


@pytest.mark.parametrize("backend", ["embedded-disk", "embedded-memory", "mongodb"])
def test_the_audit_log_gives_back_what_was_appended_on_every_backend(backend, tmp_path):
    if backend == "mongodb":
        store = mongodb_store()
    elif backend == "embedded-memory":
        store = open_store("mongomock://memory/audit_round_trip")
    else:
        store = open_store(f"mongomock://{tmp_path}")
    start = datetime(2026, 11, 1, 12, tzinfo=UTC)
    appended = [
        _entry("a", start + timedelta(minutes=2), datasets=(("pub", "count"), ("reg", "record"))),
        _entry("old", start, request_id=None, query=None),  # as earlier versions wrote them
        AuditEntry(
            start + timedelta(minutes=1), "server:h:1", False, "", "", 0,
            lost=3, lost_since=start - timedelta(seconds=30),
        ),
        _entry("b", start + timedelta(minutes=3), request_id="r-7", query='{"x": 1}'),
    ]  # fmt: skip
    for entry in appended:
        store.audit.append(entry)
    by_time = sorted(appended, key=lambda entry: entry.at)
    assert list(store.audit.entries()) == by_time
    window = store.audit.entries(start + timedelta(minutes=1), start + timedelta(minutes=3))
    assert list(window) == by_time[1:3]
    assert store.audit.skipped_records() == []
