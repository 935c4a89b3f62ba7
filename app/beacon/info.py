"""Informational endpoints: /, /info, /service-info, /configuration, /map, /entry_types,
/filtering_terms."""

from __future__ import annotations

from flask import Blueprint, jsonify

from app.context import base_url, current_settings, current_store
from app.services import informational
from app.services.datasets import known_datasets
from schemas import responses as shapes

blueprint = Blueprint("beacon_info", __name__)


def _informational(schema: shapes.Schema, response: dict):
    body = {"meta": informational.informational_meta(current_settings()), "response": response}
    return jsonify(schema.dump(body))


@blueprint.get("/")
@blueprint.get("/info")
def info():
    datasets = known_datasets(current_store())
    loaded = {
        "datasets": len(datasets),
        "variants": sum(dataset.variant_count for dataset in datasets),
    }
    return _informational(
        shapes.InfoResponseSchema(), informational.beacon_info(current_settings(), loaded)
    )


@blueprint.get("/service-info")
def service_info():
    return jsonify(shapes.ServiceInfoSchema().dump(informational.service_info(current_settings())))


@blueprint.get("/configuration")
def configuration():
    return _informational(
        shapes.ConfigurationResponseSchema(), informational.configuration(current_settings())
    )


@blueprint.get("/map")
def beacon_map():
    return _informational(shapes.MapResponseSchema(), informational.beacon_map(base_url()))


@blueprint.get("/entry_types")
def entry_types():
    return _informational(
        shapes.EntryTypesResponseSchema(),
        {"entry_types": informational.entry_type_definitions()},
    )


@blueprint.get("/filtering_terms")
def filtering_terms():
    # g_variants accepts no filters yet, so there are no terms to advertise.
    return _informational(
        shapes.FilteringTermsResponseSchema(), {"filtering_terms": [], "resources": []}
    )
