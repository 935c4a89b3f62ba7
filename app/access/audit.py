"""The audit log: one entry per query saying who asked what, when, at which endpoint, and
which datasets answered at which granularity. Kept in the store (``Store.audit``) so that every
worker writes to one log; ``asia-beacon audit export`` reads it back.

What was asked is kept as JSON text, so that whatever a client sends (keys with ``$`` or ``.``,
bodies nested too deeply, text that is not JSON) can be stored; credentials are left out and the
text is cut short past ``QUERY_CHARACTERS``, saying so, so that a huge request cannot bloat the log.

An entry that cannot be written (a full disk) never fails the answer it is about:
:class:`AuditTrail` logs and counts the loss, and writes a record of it into the log as soon as
it can (until then the process reports not ready).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import socket
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from app.store import AuditEntry, Store
from app.store.journals import entry_fields

EXPORT_FORMATS = ("jsonl", "csv")
CSV_COLUMNS = (
    "at",
    "who",
    "authenticated",
    "method",
    "endpoint",
    "query",
    "status",
    "datasets",
    "requestId",
    "lost",
    "lostSince",
)
QUERY_CHARACTERS = 4096  # of a query's JSON text; the rest is cut, with TRUNCATED saying so
TRUNCATED = "...[truncated: {total} characters in all]"
BODY_BYTES = 1 << 20  # a larger body (or one of unknown length) is not read for the log
REDACTED = "[redacted]"
NESTED_TOO_DEEPLY = "[nested too deeply to record]"
# Names whose values are credentials, wherever they appear (compared in lower case).
CREDENTIAL_NAMES = frozenset(
    {
        "access_token",
        "api_key",
        "apikey",
        "authorization",
        "client_secret",
        "id_token",
        "passwd",
        "password",
        "refresh_token",
        "secret",
        "token",
    }
)
# A bearer credential or a JWT (base64url JSON header, payload, signature) anywhere in the text.
_CREDENTIAL_TEXT = re.compile(
    r"(?i:\bbearer)\s+[^\s\"\\]+|\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"
)

log = logging.getLogger(__name__)


def query_string_parameters(parameters: Iterable[tuple[str, list[str]]]) -> dict[str, Any]:
    """A GET request's parameters: each name's value, or its values when given more than once."""
    return {name: values[0] if len(values) == 1 else values for name, values in parameters}


def body_query(body: bytes) -> Any:
    """What a POST body asks: a Beacon request's ``query`` or Data Connect's ``query`` and
    ``parameters``, that is the JSON body without a Beacon ``meta``; text that is not JSON, as
    sent."""
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return body.decode("utf-8", errors="replace")
    if isinstance(parsed, dict):
        return {key: value for key, value in parsed.items() if key != "meta"}
    return parsed


def unread_body(length: int | None) -> str:
    """Stands for a body too large to read for the log."""
    size = "of unknown length" if length is None else f"of {length} bytes"
    return f"[not read: a body {size}]"


def recorded_query(asked: Any) -> str:
    """``asked`` as the log keeps it: JSON text without credentials, at most
    ``QUERY_CHARACTERS`` long followed by ``TRUNCATED`` when it was longer."""
    try:
        text = json.dumps(_without_credentials(asked))
    except RecursionError:
        text = json.dumps(NESTED_TOO_DEEPLY)
    text = _CREDENTIAL_TEXT.sub(REDACTED, text)
    if len(text) <= QUERY_CHARACTERS:
        return text
    return text[:QUERY_CHARACTERS] + TRUNCATED.format(total=len(text))


def _without_credentials(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: REDACTED if str(key).lower() in CREDENTIAL_NAMES else _without_credentials(inner)
            for key, inner in value.items()
        }
    if isinstance(value, list):
        return [_without_credentials(inner) for inner in value]
    return value


def record(store: Store, entry: AuditEntry) -> None:
    """Write one entry; raises whatever the store raises (see :class:`AuditTrail`)."""
    store.audit.append(entry)


class AuditTrail:
    """The audit log as one serving process writes it.

    An entry that cannot be written is lost, never the answer: the loss is logged as an error
    (with the entry's who, what and request id) and counted, and :meth:`readiness_problem`
    reports the process not ready until a record of the losses (``lost`` entries since
    ``lostSince``) could be written into the log itself. That is tried again before each entry
    and at each readiness check, so the process becomes ready again by itself once there is
    room.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self.unrecorded = 0  # entries lost that no loss record in the log counts yet
        self.lost_total = 0  # entries lost since this process started
        self._lost_since: datetime | None = None

    def record(self, entry: AuditEntry) -> None:
        with self._lock:
            # the record of earlier losses goes just before the entry, at its time
            if self.unrecorded and not self._write_loss_record(entry.at):
                self._lose(entry, "the record of earlier losses could not be written either")
                return
            try:
                record(self._store, entry)
            except Exception as error:  # any failure to write: the answer goes out regardless
                self._lose(entry, f"{type(error).__name__}: {error}")

    def readiness_problem(self) -> str | None:
        """Why this process is not ready, if audit entries were lost and that is not yet in
        the log; None otherwise."""
        with self._lock:
            if not self.unrecorded or self._write_loss_record(datetime.now(UTC)):
                return None
            return (
                f"{self.unrecorded} audit log entries could not be written since "
                f"{_iso(self._lost_since)}; see the server log"
            )

    def _lose(self, entry: AuditEntry, reason: str) -> None:
        if not self.unrecorded:
            self._lost_since = entry.at
        self.unrecorded += 1
        self.lost_total += 1
        log.error(
            "audit log entry LOST (%d not yet recorded, %d since start): %s %s by %s, status "
            "%s, request %s: %s",
            self.unrecorded,
            self.lost_total,
            entry.method,
            entry.endpoint,
            entry.who,
            entry.status,
            entry.request_id,
            reason,
        )

    def _write_loss_record(self, at: datetime) -> bool:
        """Write the record of the unrecorded losses, dated ``at``; whether it was written."""
        assert self._lost_since is not None
        entry = loss_record(self.unrecorded, self._lost_since, at)
        try:
            self._store.audit.append(entry)
        except Exception as error:
            log.error(
                "audit log: could not write the record of %d lost entries either: %s",
                self.unrecorded,
                error,
            )
            return False
        log.warning(
            "audit log: wrote the record of %d entries lost since %s",
            self.unrecorded,
            _iso(self._lost_since),
        )
        self.unrecorded = 0
        self._lost_since = None
        return True


def loss_record(lost: int, since: datetime, at: datetime) -> AuditEntry:
    """The log's own entry saying that ``lost`` entries of this process, the first at
    ``since``, could not be written."""
    return AuditEntry(
        at=at,
        who=f"server:{socket.gethostname()}:{os.getpid()}",
        authenticated=False,
        method="",
        endpoint="",
        status=0,
        lost=lost,
        lost_since=since,
    )


def export(entries: Iterable[AuditEntry], output_format: str) -> Iterator[str]:
    """Lines of the export: JSON Lines, or CSV with datasets as ``id:granularity;...``."""
    if output_format == "jsonl":
        for entry in entries:
            yield json.dumps(exported(entry)) + "\n"
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        datasets = ";".join(f"{ident}:{level}" for ident, level in entry.datasets)
        row = {**_ADDED_LATER, **exported(entry), "datasets": datasets}
        writer.writerow([row[column] for column in CSV_COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def exported(entry: AuditEntry) -> dict[str, Any]:
    """An entry as the export writes it (what entries of earlier versions lack is left out)."""
    fields = entry_fields(entry)
    fields["at"] = _iso(entry.at)
    if entry.lost_since is not None:
        fields["lostSince"] = _iso(entry.lost_since)
    return fields


# columns that entries written by earlier versions (or that are not loss records) lack
_ADDED_LATER = {"requestId": "", "query": "", "lost": "", "lostSince": ""}


def _iso(moment: datetime) -> str:
    """UTC, written with a ``Z`` (a naive time is UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat() + "Z"
