"""The journals on MongoDB: one document per budget period (``queryBudgets``, dropped by the TTL
index on ``expiresAt`` once the period ends) and one per audit entry (``auditLog``).

This module is where the journals' document layout is declared; the embedded store reads it too,
when it imports a journal of an earlier format (which held these documents).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from app.store.journals import AuditEntry, BudgetPeriod, entry_fields

# The audit document's fields that entries written by earlier versions may lack.
_OPTIONAL = {"requestId": "request_id", "query": "query", "lost": "lost"}


def budget_key(period: BudgetPeriod) -> str:
    """A budget document's ``_id``."""
    return f"{period.identity}@{period.index}"


def _new_budget(period: BudgetPeriod) -> dict[str, Any]:
    return {"identity": period.identity, "expiresAt": period.ends_at}


class MongoBudgets:
    """Budgets as documents changed by single-document updates, which MongoDB applies
    atomically: a reservation is one conditional ``$inc``."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection

    def spent(self, period: BudgetPeriod) -> int:
        document = self._collection.find_one({"_id": budget_key(period)}, {"spent": 1}) or {}
        return int(document.get("spent", 0))

    def charge(self, period: BudgetPeriod, units: int) -> int:
        document = self._collection.find_one_and_update(
            {"_id": budget_key(period)},
            {"$inc": {"spent": units}, "$setOnInsert": _new_budget(period)},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return int(document["spent"])

    def reserve(self, period: BudgetPeriod, units: int, limit: int) -> bool:
        if units > limit:
            return False
        room = {"_id": budget_key(period), "spent": {"$lte": limit - units}}
        update = {"$inc": {"spent": units}, "$setOnInsert": _new_budget(period)}
        try:
            # no document yet: the upsert makes it; one without room fails to be inserted again
            self._collection.find_one_and_update(room, update, {"_id": 1}, upsert=True)
            return True
        except DuplicateKeyError:
            # full, or made by a concurrent query between our look and our insert: ask again
            return self._collection.find_one_and_update(room, update, {"_id": 1}) is not None


class MongoAuditLog:
    """Entries as documents; an export reads a time window through the ``time`` index."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection

    def append(self, entry: AuditEntry) -> None:
        self._collection.insert_one(audit_document(entry))

    def entries(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> Iterator[AuditEntry]:
        window: dict[str, Any] = {}
        if since is not None:
            window["$gte"] = since
        if until is not None:
            window["$lt"] = until
        selector = {"at": window} if window else {}
        for document in self._collection.find(selector, {"_id": 0}).sort([("at", 1)]):
            entry = audit_entry(document)
            if entry is not None:
                yield entry

    def skipped_records(self) -> list[str]:
        return []


def audit_document(entry: AuditEntry) -> dict[str, Any]:
    document = entry_fields(entry)
    if entry.lost_since is not None:
        document["lostSince"] = _iso(entry.lost_since)
    return document


def audit_entry(document: dict[str, Any]) -> AuditEntry | None:
    """The entry a document of the log holds (earlier versions wrote fewer fields); None for a
    document without a time, which no version wrote."""
    at = document.get("at")
    if not isinstance(at, datetime):
        return None
    lost_since = document.get("lostSince")
    return AuditEntry(
        at=utc(at),
        who=str(document.get("who", "")),
        authenticated=bool(document.get("authenticated", False)),
        method=str(document.get("method", "")),
        endpoint=str(document.get("endpoint", "")),
        status=int(document.get("status", 0)),
        datasets=tuple(
            (str(item.get("id")), str(item.get("granularity")))
            for item in document.get("datasets") or ()
            if isinstance(item, dict)
        ),
        **{name: document.get(field) for field, name in _OPTIONAL.items()},
        lost_since=utc(datetime.fromisoformat(lost_since)) if lost_since else None,
    )


def budget_from_document(document: dict[str, Any]) -> tuple[BudgetPeriod, int] | None:
    """The period and spending a budget document holds; None unless it names both its period
    (``<identity>@<index>``) and its end."""
    identity, _, index = str(document.get("_id", "")).rpartition("@")
    ends_at = document.get("expiresAt")
    if not identity or not index.isdigit() or not isinstance(ends_at, datetime):
        return None
    return BudgetPeriod(identity, int(index), utc(ends_at)), int(document.get("spent", 0))


def utc(moment: datetime) -> datetime:
    """A stored time in UTC (MongoDB and BSON keep UTC without saying so)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _iso(moment: datetime) -> str:
    return utc(moment).isoformat()
