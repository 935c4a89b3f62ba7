"""Plain HTTP calls to served nodes, for tests that check a node directly (not through a hub).

The standard library's client, so the harness's checks share nothing with the hub's own client.
An HTTP error status is an answer like any other; only a transport failure raises.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return next((v for k, v in self.headers.items() if k.lower() == "content-type"), "")

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    url: str,
    *,
    body: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> Answer:
    """GET ``url``, or POST ``body`` as JSON to it."""
    data = None if body is None else json.dumps(body).encode()
    sent = {"Accept": "application/json", **dict(headers or {})}
    if data is not None:
        sent["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Answer(error.code, dict(error.headers.items()), error.read())
