"""A request id on every answer (``X-Request-ID``), taken from the caller or a proxy when it
looks like one, else made up, so one query can be followed through logs and the audit log."""

from __future__ import annotations

import re
import uuid

from flask import Flask, Response, g, request

HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,128}")  # nothing that could forge a log line


def current_request_id() -> str:
    if "request_id" not in g:
        given = request.headers.get(HEADER, "")
        g.request_id = given if _ACCEPTED.fullmatch(given) else uuid.uuid4().hex
    return g.request_id


def install_request_ids(app: Flask) -> None:
    def tag(response: Response) -> Response:
        response.headers[HEADER] = current_request_id()
        return response

    app.after_request(tag)
