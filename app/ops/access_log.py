"""gunicorn's logs as JSON lines (``LOG_FORMAT=json``): one access line per answered request on
stdout, and gunicorn's own messages on stderr, in the shape of the application's logs
(:mod:`app.ops.logs`), so one collector parses all three.

The access line carries the ``X-Request-ID`` the application answered with, which ties it to
the application's request line and to the audit record. Like the application's line, it holds
neither the query string nor the client address: the audit log keeps who asked what.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from typing import Any

from gunicorn import glogging

from app.ops.logs import JsonFormatter
from app.ops.request_ids import HEADER

ACCESS_LOGGER = "gunicorn.access"


def access_entry(
    environ: dict[str, Any],
    status: str | int,
    headers: list[tuple[str, str]],
    sent: int | None,
    request_time: timedelta,
) -> dict[str, Any]:
    """The access line of one answered request."""
    code = int(str(status).split(None, 1)[0])
    request_id = next((value for name, value in headers if name.lower() == HEADER.lower()), None)
    method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
    return {
        "time": datetime.now(UTC).isoformat(),
        "level": "info",
        "logger": ACCESS_LOGGER,
        "message": f"{method} {path} {code}",
        "requestId": request_id,
        "method": method,
        "path": path,
        "status": code,
        "bytes": sent,
        "milliseconds": round(request_time.total_seconds() * 1000, 1),
        "worker": os.getpid(),
    }


class JsonLogger(glogging.Logger):
    """gunicorn's logger class (setting ``logger_class``) writing JSON lines."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> None:
        if not self.cfg.accesslog:
            return
        entry = access_entry(
            environ, resp.status, list(resp.headers), getattr(resp, "sent", None), request_time
        )
        self.access_log.info(json.dumps(entry))
