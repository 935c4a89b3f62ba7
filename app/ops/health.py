"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: its database answers, no
stored file it serves from was found damaged, no audit entry was lost unrecorded), for load
balancers and orchestrators. Neither is audited, neither needs a token."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Flask, current_app, jsonify

from app.context import current_store
from app.store import StoreDamagedError
from schemas.dumping import compiled_dump
from schemas.ops import HealthStatusSchema

log = logging.getLogger(__name__)
blueprint = Blueprint("health", __name__)
READINESS_KEY = "asia_beacon.readiness_checks"

# A readiness check: why this process is not ready, or None when it is.
ReadinessCheck = Callable[[], "str | None"]


def add_readiness_check(app: Flask, check: ReadinessCheck) -> None:
    """Have ``/readyz`` ask ``check`` too (after the store's own check)."""
    app.extensions.setdefault(READINESS_KEY, []).append(check)


@blueprint.get("/healthz")
def liveness():
    return jsonify(_STATUS({"status": "ok"}))


@blueprint.get("/readyz")
def readiness():
    problem = _store_problem()
    for check in current_app.extensions.get(READINESS_KEY, ()):
        if problem is not None:
            break
        problem = check()
    if problem is not None:
        return jsonify(_STATUS({"status": "unavailable", "detail": problem})), 503
    return jsonify(_STATUS({"status": "ready"}))


def _store_problem() -> str | None:
    try:
        current_store().ping()
    except StoreDamagedError as error:
        log.error("readiness check failed: %s", error)
        return f"damaged store file {error.name}: {error.problem}"
    except Exception as error:
        log.warning("readiness check failed: %s", error)
        return "the database does not answer"
    return None


_STATUS = compiled_dump(HealthStatusSchema())
