"""CORS, so that browser clients and Beacon network front-ends on other origins can query.

``CORS_ORIGINS`` lists the allowed origins (``*``: any). Answers carry no cookies, so ``*`` is
safe for a public API; bearer tokens travel in ``Authorization``, which preflight allows.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask, Response, request

ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type"
PREFLIGHT_CACHE_SECONDS = "600"


def install_cors(app: Flask, origins: Sequence[str]) -> None:
    allowed = frozenset(origins)

    def add_headers(response: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin is None or not allowed:
            return response
        if "*" in allowed:
            response.headers["Access-Control-Allow-Origin"] = "*"
        elif origin in allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.vary.add("Origin")
        else:
            return response
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = PREFLIGHT_CACHE_SECONDS
        return response

    app.after_request(add_headers)
