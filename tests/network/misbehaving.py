"""A node that answers its informational endpoints honestly and its queries badly, on demand.

A hub must survive a node that is slow, fails, or answers something that is not a Beacon
response. ``Misbehaving`` wraps a real node's WSGI application: ``/info``, ``/map``, ``/datasets``
and the other informational endpoints pass through untouched (so the hub can still discover the
node), while entry-type queries (``/g_variants``, ``/individuals``, ``/biosamples``, ``/runs``,
``/analyses``, their sub-paths, and ``/datasets/{id}/g_variants`` and the like) get the fault
named by ``mode``. ``mode`` is a plain attribute, so one served node can go through several;
``every=2`` misbehaves on every second query only (a node that never fails twice in a row).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any

from app.entry_types import RECORD_ENTRY_TYPES

QUERY_PATH_SEGMENTS = frozenset(entry.path for entry in RECORD_ENTRY_TYPES)
JSON = "application/json"


class Fault(StrEnum):
    HANG = "hang"  # wait ``hang_seconds``, then answer as the node would
    ERROR_500 = "error500"  # HTTP 500 with a Beacon error body
    REFUSE = "refuse"  # HTTP 403 with a Beacon error body: the node refuses this query
    INVALID_JSON = "invalid_json"  # 200, JSON, but not a Beacon response (no meta, wrong types)
    NOT_JSON = "not_json"  # 200, Content-Type JSON, the node's answer cut in half
    # 200 and the node's real answer, one byte every ``trickle_seconds`` (a read timeout never
    # fires); each trickle's start and end are noted in ``trickles``
    TRICKLE = "trickle"
    ANSWER = "answer"  # 200, Content-Type JSON, the bytes set in ``answer``


# What ``invalid_json`` answers: parses as JSON, fails every Beacon response schema.
NOT_A_BEACON_RESPONSE: dict[str, Any] = {
    "responseSummary": {"exists": "yes", "numTotalResults": "many"},
    "response": {"resultSets": "none"},
}


def is_query_path(path: str) -> bool:
    """Whether the path asks for entries (a query the hub fans out), not node information.

    ``/individuals/filtering_terms`` describes the node, so it is informational.
    """
    segments = [segment for segment in path.split("/") if segment]
    if not segments or segments[-1] == "filtering_terms":
        return False
    return any(segment in QUERY_PATH_SEGMENTS for segment in segments)


class Misbehaving:
    """WSGI wrapper: ``mode`` None answers honestly, a :class:`Fault` misbehaves on queries.

    ``release()`` ends the hangs in progress early (a test's teardown should not wait them out).
    """

    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        mode: Fault | str | None = None,
        *,
        hang_seconds: float = 2.0,
        trickle_seconds: float = 0.2,
        every: int = 1,
        beacon_id: str = "org.example.misbehaving",
    ) -> None:
        self.app = app
        self.mode = mode
        self.hang_seconds = hang_seconds
        self.trickle_seconds = trickle_seconds
        self.every = every
        self.beacon_id = beacon_id
        self.answer = b""
        self.answer_length = True  # False: ``answer`` in chunks, without Content-Length
        # (began, ended) of each trickled answer, monotonic seconds: ended when the client went
        # away or the answer was whole
        self.trickles: list[tuple[float, float]] = []
        self._queries = 0
        self._lock = threading.Lock()
        self._released = threading.Event()

    @property
    def mode(self) -> Fault | None:
        return self._mode

    @mode.setter
    def mode(self, value: Fault | str | None) -> None:
        self._mode = None if value is None else Fault(value)

    def release(self) -> None:
        self._released.set()

    @property
    def queries(self) -> int:
        """How many requests were taken as queries (each one a candidate for the fault)."""
        with self._lock:
            return self._queries

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        mode = self.mode
        if mode is None or not is_query_path(environ.get("PATH_INFO", "")):
            return self.app(environ, start_response)
        with self._lock:
            self._queries += 1
            honest = self._queries % self.every != 0
        if honest:
            return self.app(environ, start_response)
        if mode is Fault.HANG:
            self._released.wait(self.hang_seconds)
            return self.app(environ, start_response)
        if mode is Fault.ERROR_500:
            body = self._error_body(500, "the node failed (Misbehaving)")
            return _answer(start_response, "500 INTERNAL SERVER ERROR", body)
        if mode is Fault.REFUSE:
            body = self._error_body(403, "the node refuses this query (Misbehaving)")
            return _answer(start_response, "403 FORBIDDEN", body)
        if mode is Fault.INVALID_JSON:
            return _answer(start_response, "200 OK", json.dumps(NOT_A_BEACON_RESPONSE).encode())
        if mode is Fault.ANSWER and not self.answer_length:
            start_response("200 OK", [("Content-Type", JSON)])
            return [self.answer[at : at + 65536] for at in range(0, len(self.answer), 65536)]
        if mode is Fault.ANSWER:
            return _answer(start_response, "200 OK", self.answer)
        if mode is Fault.TRICKLE:
            body = self._real_answer(environ)
            start_response("200 OK", [("Content-Type", JSON), ("Content-Length", str(len(body)))])
            return self._trickled(body)
        body = self._real_answer(environ)
        return _answer(start_response, "200 OK", body[: max(1, len(body) // 2)])

    def _trickled(self, body: bytes) -> Iterable[bytes]:
        """``body`` one byte at a time; the server closes this when the client goes away."""
        began = time.monotonic()
        try:
            for index in range(len(body)):
                if index and self._released.wait(self.trickle_seconds):
                    return
                yield body[index : index + 1]
        finally:
            with self._lock:
                self.trickles.append((began, time.monotonic()))

    def _error_body(self, status: int, message: str) -> bytes:
        body = {
            "meta": {
                "beaconId": self.beacon_id,
                "apiVersion": "v2.0.1",
                "returnedSchemas": [],
            },
            "error": {"errorCode": status, "errorMessage": message},
        }
        return json.dumps(body).encode()

    def _real_answer(self, environ: dict[str, Any]) -> bytes:
        """The node's real answer (to cut or trickle).

        The node is asked without ``Accept-Encoding`` so that what is sent is text, not gzip.
        """
        plain = {key: value for key, value in environ.items() if key != "HTTP_ACCEPT_ENCODING"}
        chunks = self.app(plain, lambda status, headers, exc_info=None: lambda data: None)
        try:
            return b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()


def _answer(start_response: Callable[..., Any], status: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", JSON), ("Content-Length", str(len(body)))])
    return [body]
