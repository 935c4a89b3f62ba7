"""HTTP calls from the hub to its nodes: JSON in, JSON out, never an exception.

Every failure (refused connection, no answer by the deadline, HTTP error, a body that is not
JSON, nested too deeply, or larger than the hub accepts) comes back as a :class:`Fetched` with
``error`` saying why, so one bad node can only ever become an empty result set with a reason.
A call's timeout is its total deadline, connecting, sending, headers and body together
(:mod:`app.network.deadlines`). Connections are pooled per node (urllib3).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError, TimeoutError

from app.network.deadlines import POOL_CLASSES, Call, Watchdog

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 16 * 1024 * 1024  # what one answer may cost (answer_cost) unless told less
# What the hub itself nests a node's answer in (merging, serializing, validating) must never
# run out of recursion; a Beacon answer with its records is about a dozen levels deep.
MAX_NESTING = 64
# What a parsed JSON value costs in memory besides its text, at most (an empty dict: 64 bytes)
VALUE_BYTES = 64
USER_AGENT = "asia-beacon-hub"


@dataclass(frozen=True)
class Fetched:
    status: int | None  # None: no HTTP answer at all
    body: Any  # the parsed JSON, or None
    error: str | None  # None: HTTP 200 with a JSON body
    seconds: float
    timed_out: bool = False  # no whole answer by the deadline (connecting or reading)
    cost: int = 0  # what the answer read takes in memory, about (answer_cost)

    @property
    def ok(self) -> bool:
        return self.error is None


def answer_cost(content: bytes) -> int:
    """About what an answer takes in memory once parsed, at most: its bytes, and
    ``VALUE_BYTES`` for each value (counted by the commas and brackets, at C speed)."""
    values = content.count(b",") + content.count(b"{") + content.count(b"[")
    return len(content) + VALUE_BYTES * values


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether JSON ``value`` has objects or arrays nested more than ``limit`` deep."""
    pending = [(value, 1)] if isinstance(value, dict | list) else []
    while pending:
        item, depth = pending.pop()
        if depth > limit:
            return True
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, dict | list):
                pending.append((child, depth + 1))
    return False


class NodeClient:
    """One connection pool for every node; safe to share between threads."""

    def __init__(self, pool_size: int = 16) -> None:
        self._pool = urllib3.PoolManager(num_pools=64, maxsize=pool_size, retries=False)
        self._pool.pool_classes_by_scheme = POOL_CLASSES
        self._watchdog = Watchdog()

    def fetch(
        self,
        method: str,
        url: str,
        timeout: float,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        max_bytes: int = MAX_BODY_BYTES,
    ) -> Fetched:
        """``timeout``: seconds for the whole call; ``max_bytes``: the most the answer may
        cost (:func:`answer_cost`)."""
        began = time.perf_counter()
        call = Call(time.monotonic() + timeout)
        self._watchdog.watch(call)
        try:
            with call:
                status, content, cost, refused = self._exchange(
                    method, url, timeout, headers, body, max_bytes
                )
        except NewConnectionError as error:  # urllib3 files it under timeouts; it is a refusal
            if call.end():
                return _timed_out(timeout, began)
            return Fetched(None, None, f"unreachable ({_reason(error)})", _since(began))
        except TimeoutError:
            call.end()
            return _timed_out(timeout, began)
        except (HTTPError, OSError) as error:
            if call.end():
                return _timed_out(timeout, began)
            return Fetched(None, None, f"unreachable ({_reason(error)})", _since(began))
        except Exception as error:  # a fault of ours or of the library: still the node's part
            call.end()
            log.exception("calling %s %s failed", method, url)
            return Fetched(
                None, None, f"could not be asked ({type(error).__name__})", _since(began)
            )
        if call.end():
            return _timed_out(timeout, began)
        seconds = _since(began)
        if refused:
            return Fetched(status, None, refused, seconds)
        return _parsed(status, content, seconds, cost)

    def _exchange(
        self,
        method: str,
        url: str,
        timeout: float,
        headers: Mapping[str, str] | None,
        body: Any,
        max_bytes: int,
    ) -> tuple[int, bytes, int, str | None]:
        """The status, the body and its cost, or why the body was refused (too large)."""
        sent = {"Accept": "application/json", "User-Agent": USER_AGENT, **(headers or {})}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        response = self._pool.request(
            method,
            url,
            body=payload,
            headers=sent,
            timeout=urllib3.Timeout(connect=min(timeout, 3.0), read=timeout),
            preload_content=False,
            redirect=False,
        )
        whole = False
        try:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                return response.status, b"", 0, _too_large(max_bytes)
            content = response.read(max_bytes + 1)
            cost = answer_cost(content)
            if cost > max_bytes:
                return response.status, b"", cost, _too_large(max_bytes)
            whole = True
            return response.status, content, cost, None
        finally:
            if not whole:
                response.close()  # the rest unread: this connection cannot carry another call
            response.release_conn()

    def close(self) -> None:
        self._watchdog.close()
        self._pool.clear()


def _parsed(status: int, content: bytes, seconds: float, cost: int) -> Fetched:
    nested = False
    try:
        parsed = json.loads(content) if content else None
    except (ValueError, UnicodeDecodeError):
        parsed = None
    except RecursionError:
        parsed, nested = None, True
    nested = nested or (parsed is not None and nested_deeper_than(parsed, MAX_NESTING))
    if nested:
        parsed = None
    if status != 200:
        return Fetched(status, parsed, f"HTTP {status}", seconds, cost=cost)
    if nested:
        problem = f"answer nested more than {MAX_NESTING} deep"
        return Fetched(status, None, problem, seconds, cost=cost)
    if parsed is None:
        return Fetched(status, None, "answer is not JSON", seconds, cost=cost)
    return Fetched(status, parsed, None, seconds, cost=cost)


def _too_large(max_bytes: int) -> str:
    return f"answer larger than the hub accepts here ({max_bytes:,} bytes)"


def _timed_out(timeout: float, began: float) -> Fetched:
    return Fetched(None, None, f"no answer within {timeout:g} s", _since(began), True)


def _since(began: float) -> float:
    return time.perf_counter() - began


def _reason(error: BaseException) -> str:
    """The innermost cause, e.g. 'Connection refused', without the library's wrapping."""
    cause: BaseException = error
    while getattr(cause, "reason", None) is not None and cause.reason is not cause:
        cause = cause.reason  # type: ignore[assignment,attr-defined]
    text = str(cause)
    return text.split(": ", 1)[-1] if ": " in text else text
