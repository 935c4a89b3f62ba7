"""The journals every serving process writes, outside any release: query budgets and the audit
log, in terms of ours.

A :class:`Store` hands out one :class:`Budgets` (``store.budgets``) and one :class:`AuditLog`
(``store.audit``); each backend keeps them its own way (MongoDB collections in
``mongo_journals.py``, SQLite tables on the embedded store in ``journal.py``), so nothing
outside ``app/store/`` knows how a budget or an entry is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class BudgetPeriod:
    """One identity's budget for one period: ``index`` counts periods since the epoch, and the
    budget is forgotten once ``ends_at`` has passed."""

    identity: str
    index: int
    ends_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    """One logged query, or a loss record (``lost`` entries of a process could not be written,
    the first at ``lost_since``). ``query`` and ``request_id`` are None on entries written by
    versions that did not record them."""

    at: datetime
    who: str  # token issuer and subject, or the client address
    authenticated: bool
    method: str
    endpoint: str
    status: int
    datasets: tuple[tuple[str, str], ...] = field(default=())  # (dataset id, granularity)
    request_id: str | None = ""  # the answer's X-Request-ID, to find it in the server's logs
    query: str | None = ""  # what was asked, as app.access.audit.recorded_query gives it
    lost: int | None = None
    lost_since: datetime | None = None


def entry_fields(entry: AuditEntry) -> dict[str, Any]:
    """An entry's fields under the names the log is exported and stored with, times as they
    are, what the entry lacks (None) left out."""
    fields = {
        "at": entry.at,
        "who": entry.who,
        "authenticated": entry.authenticated,
        "method": entry.method,
        "endpoint": entry.endpoint,
        "query": entry.query,
        "status": entry.status,
        "datasets": [{"id": ident, "granularity": level} for ident, level in entry.datasets],
        "requestId": entry.request_id,
        "lost": entry.lost,
        "lostSince": entry.lost_since,
    }
    return {name: value for name, value in fields.items() if value is not None}


class Budgets(Protocol):
    """Units spent per budget period, shared by every process; each call is atomic."""

    def spent(self, period: BudgetPeriod) -> int:
        """What the period has spent (0 for a period never charged, or one that ended)."""
        ...

    def charge(self, period: BudgetPeriod, units: int) -> int:
        """Add ``units``, room or not; what the period has spent after it."""
        ...

    def reserve(self, period: BudgetPeriod, units: int, limit: int) -> bool:
        """Add ``units`` only if the spending stays within ``limit``; whether it did. However
        many processes reserve at once, no period ever spends past its limit this way."""
        ...


class AuditLog(Protocol):
    """The log of queries, appended to by every process."""

    def append(self, entry: AuditEntry) -> None:
        """Write one entry, whole or not at all; raises what the storage raises (a full disk:
        :class:`app.store.errors.StorageFullError`)."""
        ...

    def entries(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> Iterator[AuditEntry]:
        """Entries in time order, within ``[since, until)`` when given (naive times are UTC);
        their ``at`` is in UTC."""
        ...

    def skipped_records(self) -> list[str]:
        """What reads had to leave out because it was not whole, one line each (the embedded
        store, importing a journal of an earlier format)."""
        ...
