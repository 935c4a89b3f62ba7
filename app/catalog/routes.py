"""``/catalog/privacy_laws``: the privacy-law registry as JSON, an extension of this beacon
(docs/catalog.md). Informational: the same for every caller."""

from __future__ import annotations

from flask import Blueprint, jsonify

from app.catalog.laws import bundled_registry
from app.context import current_settings
from app.errors import NotFoundError
from app.services.informational import informational_meta
from schemas.responses import PrivacyLawsResponseSchema

blueprint = Blueprint("catalog_laws", __name__, url_prefix="/catalog")


@blueprint.get("/privacy_laws")
def privacy_laws():
    registry = bundled_registry()
    return _answer(list(registry.entries))


@blueprint.get("/privacy_laws/<law_id>")
def privacy_law(law_id: str):
    entry = bundled_registry().by_id(law_id)
    if entry is None:
        known = ", ".join(entry["id"] for entry in bundled_registry().entries)
        raise NotFoundError(f"no privacy law {law_id!r}; known: {known}")
    return _answer([entry])


def _answer(entries: list[dict]):
    registry = bundled_registry()
    body = {
        "meta": informational_meta(current_settings()),
        "response": {
            "version": registry.version,
            "reviewed": registry.reviewed,
            "entries": entries,
        },
    }
    return jsonify(_SHAPE.dump(body))


_SHAPE = PrivacyLawsResponseSchema()
