"""Validate answers against the schema the server's own OpenAPI document declares for them."""

from __future__ import annotations

from typing import Any

from openapi_schema_validator import OAS30Validator

DATA_CONNECT_PREFIX = "/data-connect"
ERROR_COMPONENTS = {
    "beacon": "#/components/schemas/BeaconErrorResponse",
    "data connect": "#/components/schemas/DataConnectErrorResponse",
}


def declared_schema(
    document: dict[str, Any],
    path: str,
    method: str,
    status: int,
    media_type: str = "application/json",
) -> dict[str, Any]:
    """The schema of one answer as the document states it (KeyError when it states none)."""
    responses = document["paths"][path][method.lower()]["responses"]
    return responses[str(status)]["content"][media_type]["schema"]


def validate_against(document: dict[str, Any], schema: dict[str, Any], body: Any) -> None:
    """Raise jsonschema's ValidationError unless ``body`` fits ``schema`` (OpenAPI 3.0 dialect,
    references resolved in the document's components)."""
    OAS30Validator({**schema, "components": document["components"]}).validate(body)


def surface_of(path: str) -> str:
    """Which API an answer comes from, so which error body it must carry."""
    return "data connect" if path.startswith(DATA_CONNECT_PREFIX) else "beacon"


def validate_error_body(document: dict[str, Any], path: str, body: Any) -> None:
    validate_against(document, {"$ref": ERROR_COMPONENTS[surface_of(path)]}, body)
