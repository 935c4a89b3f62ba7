"""HTTP calls from the hub to its nodes: JSON in, JSON out, never an exception.

Every failure (refused connection, timeout, HTTP error, a body that is not JSON, a body too
large) comes back as a :class:`Fetched` with ``error`` saying why, so one bad node can only ever
become an empty result set with a reason. Connections are pooled per node (urllib3).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError, TimeoutError

MAX_BODY_BYTES = 64 * 1024 * 1024  # a node's answer larger than this is refused, not read
USER_AGENT = "asia-beacon-hub"


@dataclass(frozen=True)
class Fetched:
    status: int | None  # None: no HTTP answer at all
    body: Any  # the parsed JSON, or None
    error: str | None  # None: HTTP 200 with a JSON body
    seconds: float
    timed_out: bool = False  # no answer within the timeout (connecting or reading)

    @property
    def ok(self) -> bool:
        return self.error is None


class NodeClient:
    """One connection pool for every node; safe to share between threads."""

    def __init__(self, pool_size: int = 16) -> None:
        self._pool = urllib3.PoolManager(num_pools=64, maxsize=pool_size, retries=False)

    def fetch(
        self,
        method: str,
        url: str,
        timeout: float,
        headers: dict[str, str] | None = None,
        body: Any = None,
    ) -> Fetched:
        began = time.perf_counter()
        sent = {"Accept": "application/json", "User-Agent": USER_AGENT, **(headers or {})}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        try:
            response = self._pool.request(
                method,
                url,
                body=payload,
                headers=sent,
                timeout=urllib3.Timeout(connect=min(timeout, 3.0), read=timeout),
                preload_content=False,
                redirect=False,
            )
            try:
                content = response.read(MAX_BODY_BYTES + 1)
            finally:
                response.release_conn()
        except NewConnectionError as error:  # urllib3 files it under timeouts; it is a refusal
            return Fetched(None, None, f"unreachable ({_reason(error)})", _since(began))
        except TimeoutError:
            return Fetched(None, None, f"no answer within {timeout:g} s", _since(began), True)
        except HTTPError as error:
            return Fetched(None, None, f"unreachable ({_reason(error)})", _since(began))
        seconds = _since(began)
        if len(content) > MAX_BODY_BYTES:
            return Fetched(response.status, None, "answer larger than the hub accepts", seconds)
        try:
            parsed = json.loads(content) if content else None
        except (ValueError, UnicodeDecodeError):
            parsed = None
        if response.status != 200:
            return Fetched(response.status, parsed, f"HTTP {response.status}", seconds)
        if parsed is None:
            return Fetched(response.status, None, "answer is not JSON", seconds)
        return Fetched(response.status, parsed, None, seconds)

    def close(self) -> None:
        self._pool.clear()


def _since(began: float) -> float:
    return time.perf_counter() - began


def _reason(error: HTTPError) -> str:
    """The innermost cause, e.g. 'Connection refused', without the library's wrapping."""
    cause: BaseException = error
    while getattr(cause, "reason", None) is not None and cause.reason is not cause:
        cause = cause.reason  # type: ignore[assignment]
    text = str(cause)
    return text.split(": ", 1)[-1] if ": " in text else text
