"""The audit log: one document per query saying who asked, when, at which endpoint, and which
datasets answered at which granularity. Kept in the store (``auditLog``) so that every worker
writes to one log; ``asia-beacon audit export`` reads it back."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.store import Store
from app.store.collections import AUDIT_LOG

EXPORT_FORMATS = ("jsonl", "csv")
CSV_COLUMNS = (
    "at",
    "who",
    "authenticated",
    "method",
    "endpoint",
    "status",
    "datasets",
    "requestId",
)


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    who: str  # token issuer and subject, or the client address
    authenticated: bool
    method: str
    endpoint: str
    status: int
    datasets: tuple[tuple[str, str], ...] = field(default=())  # (dataset id, granularity)
    request_id: str = ""  # the answer's X-Request-ID, to find the query in the server's logs

    def document(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "who": self.who,
            "authenticated": self.authenticated,
            "method": self.method,
            "endpoint": self.endpoint,
            "status": self.status,
            "datasets": [{"id": ident, "granularity": level} for ident, level in self.datasets],
            "requestId": self.request_id,
        }


def record(store: Store, entry: AuditEntry) -> None:
    store.collection(AUDIT_LOG).insert_one(entry.document())


def entries(
    store: Store, since: datetime | None = None, until: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """Logged queries in time order, within ``[since, until)`` when given."""
    window: dict[str, Any] = {}
    if since is not None:
        window["$gte"] = since
    if until is not None:
        window["$lt"] = until
    selector = {"at": window} if window else {}
    yield from store.collection(AUDIT_LOG).find(selector, {"_id": 0}).sort([("at", 1)])


def export(documents: Iterable[dict[str, Any]], output_format: str) -> Iterator[str]:
    """Lines of the export: JSON Lines, or CSV with datasets as ``id:granularity;...``."""
    if output_format == "jsonl":
        for document in documents:
            yield json.dumps({**document, "at": _iso(document["at"])}) + "\n"
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for document in documents:
        datasets = ";".join(f"{item['id']}:{item['granularity']}" for item in document["datasets"])
        row = {"requestId": "", **document, "at": _iso(document["at"]), "datasets": datasets}
        writer.writerow([row[column] for column in CSV_COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _iso(moment: datetime) -> str:
    text = moment.isoformat()
    return text if moment.tzinfo is not None else text + "Z"  # stored times are UTC
