"""The exception tree of the API and the one handler that turns any of them into an error body.

Every failure a client can cause is a :class:`BeaconError` subclass with an HTTP status; anything
else is a server fault, logged in full and answered with a generic 500 that leaks nothing.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

log = logging.getLogger(__name__)


class BeaconError(Exception):
    status = 500

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequestError(BeaconError):
    """The request breaks the Beacon specification or asks for what this beacon cannot serve."""

    status = 400


class UnauthorizedError(BeaconError):
    """A bearer token was sent but is not valid (a caller without a token is anonymous)."""

    status = 401


class NotFoundError(BeaconError):
    status = 404


class TooManyRequestsError(BeaconError):
    """The caller's query budget is spent."""

    status = 429


class ServiceUnavailableError(BeaconError):
    """Something the answer depends on (e.g. the token signing keys) cannot be reached."""

    status = 503


def register_error_handlers(app: Flask, render_error) -> None:
    """Answer every error with ``render_error(status, message)``, the API surface's error body."""

    @app.errorhandler(BeaconError)
    def _beacon_error(error: BeaconError):
        return jsonify(render_error(error.status, error.message)), error.status, error.headers

    @app.errorhandler(RequestEntityTooLarge)
    def _body_too_large(error: RequestEntityTooLarge):
        # Werkzeug raises it wherever a body over MAX_CONTENT_LENGTH is read, past the limit unread
        message = (
            f"the request body is larger than {request.max_content_length} bytes, "
            "the most this server accepts"
        )
        return jsonify(render_error(413, message)), 413

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        # the exception's own headers (e.g. Allow on a 405) still hold; its HTML type does not
        headers = [(name, value) for name, value in error.get_headers() if name != "Content-Type"]
        return jsonify(render_error(status, error.description or error.name)), status, headers

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error while serving a request")
        return jsonify(render_error(500, "internal server error")), 500
