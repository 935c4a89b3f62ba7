"""Shapes of the operations endpoints: the health checks and the OpenAPI document."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

HEALTH_STATES = ("ok", "ready", "unavailable")


class HealthStatusSchema(Schema):
    """``/healthz`` and ``/readyz``: a state, and why when it is not ready."""

    status = fields.String(required=True, validate=validate.OneOf(HEALTH_STATES))
    detail = fields.String()


class OpenApiDocumentSchema(Schema):
    """``/openapi.json``: an OpenAPI 3 document (its full shape is the OpenAPI specification's)."""

    openapi = fields.String(required=True)
    info = fields.Dict(required=True)
    paths = fields.Dict(required=True)
    components = fields.Dict()
    security = fields.List(fields.Dict())
    tags = fields.List(fields.Dict())
    servers = fields.List(fields.Dict())
