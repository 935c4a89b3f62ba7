"""``/healthz`` (the process answers) and ``/readyz`` (it can reach its database), for load
balancers and orchestrators. Neither is audited, neither needs a token."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify

from app.context import current_store
from schemas.ops import HealthStatusSchema

log = logging.getLogger(__name__)
blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def liveness():
    return jsonify(_STATUS.dump({"status": "ok"}))


@blueprint.get("/readyz")
def readiness():
    try:
        current_store().ping()
    except Exception as error:
        log.warning("readiness check failed: %s", error)
        unavailable = {"status": "unavailable", "detail": "the database does not answer"}
        return jsonify(_STATUS.dump(unavailable)), 503
    return jsonify(_STATUS.dump({"status": "ready"}))


_STATUS = HealthStatusSchema()
