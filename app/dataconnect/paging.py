"""Continuation tokens for ``next_page_url``: the query and where the next page starts, encoded
in the URL itself, so any gunicorn worker (or a restarted one) serves the next page.

A token is not signed: it holds nothing a client could not send itself as a new query.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

MAX_OFFSET = 2**62  # MongoDB's $skip takes a 64-bit integer; no table holds more rows


class BadPageTokenError(ValueError):
    """A page token this server did not write (or that was cut short)."""


@dataclass(frozen=True)
class PageToken:
    offset: int
    table: str | None = None  # table data pages
    query: str | None = None  # search pages: the SQL and its parameters
    parameters: tuple[Any, ...] = ()

    def encode(self) -> str:
        body = {"o": self.offset, "t": self.table, "q": self.query, "p": list(self.parameters)}
        text = json.dumps(body, separators=(",", ":"), allow_nan=False)
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_page_token(token: str) -> PageToken:
    try:
        padded = token + "=" * (-len(token) % 4)
        body = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset = body["o"]
        if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= MAX_OFFSET:
            raise TypeError("offset")
        if not isinstance(body["p"], list):
            raise TypeError("parameters")
        return PageToken(offset, body["t"], body["q"], tuple(body["p"]))
    except (binascii.Error, UnicodeDecodeError, ValueError, KeyError, TypeError, RecursionError):
        raise BadPageTokenError("page_token is not a token this server wrote") from None
