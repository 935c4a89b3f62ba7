"""The hub's Beacon API: the same endpoints a node serves, answered from the whole network, and
the GA4GH Service Registry of its nodes (/services)."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, Response, jsonify, make_response, request

from app.context import base_url, current_settings
from app.entry_types import BY_ID, DATASET, ENTRY_TYPES, EntryType
from app.errors import NotFoundError
from app.network import collections, registry_service
from app.network.answers import network_answer
from app.network.context import current_hub, fresh_hub
from app.network.status import metadata_warnings, network_status
from app.network.unions import (
    configuration_union,
    entry_types_union,
    filtering_terms_union,
    map_union,
)
from app.services import informational
from app.web.routes import prefers_html
from schemas import network as network_shapes
from schemas import responses as shapes

info_blueprint = Blueprint("network_info", __name__)
entries_blueprint = Blueprint("network_entries", __name__)
services_blueprint = Blueprint("network_services", __name__)
BOTH = ["GET", "POST"]


def _informational(schema: shapes.Schema, response: dict) -> dict[str, Any]:
    body = {"meta": informational.informational_meta(current_settings()), "response": response}
    return schema.dump(body)


def _with_warnings(body: dict[str, Any], warnings: list[str]) -> Response:
    """An informational answer of the hub, with the nodes it could not rely on named where the
    official schemas leave room (a top-level ``info``, as result sets answers have)."""
    if warnings:
        body["info"] = {"warnings": warnings}
    return jsonify(body)


@info_blueprint.get("/")
def root():
    """Beacon clients get the info response; a browser gets the network's catalog page."""
    from app.network.catalog_page import network_catalog_page

    wants_page = prefers_html(request.accept_mimetypes)
    response = make_response(network_catalog_page() if wants_page else info())
    response.vary.add("Accept")
    return response


@info_blueprint.get("/info")
def info():
    hub = fresh_hub()
    return jsonify(
        _informational(
            shapes.InfoResponseSchema(),
            informational.beacon_info(current_settings(), {"network": network_status(hub)}),
        )
    )


@info_blueprint.get("/service-info")
def service_info():
    return jsonify(shapes.ServiceInfoSchema().dump(informational.service_info(current_settings())))


@info_blueprint.get("/configuration")
def configuration():
    """The hub's configuration, with the nodes' entry types (as they wrote them) and levels."""
    usable, warnings = _usable()
    union = configuration_union(usable)
    content = informational.configuration(current_settings())
    content["maturity_attributes"] = {"production_status": union["maturity"]}
    content["security_attributes"]["security_levels"] = union["security_levels"]
    body = {"meta": informational.informational_meta(current_settings()), "response": content}
    dumped = shapes.ConfigurationResponseSchema().dump(body)
    if union["entry_types"]:
        dumped["response"]["entryTypes"] = union["entry_types"]
    return _with_warnings(dumped, warnings)


@info_blueprint.get("/map")
def beacon_map():
    """The endpoints the healthy nodes serve, at the hub's URLs; with no node healthy, every
    endpoint the hub routes (the official schema wants at least one)."""
    own = informational.beacon_map(base_url())
    usable, warnings = _usable()
    union = map_union(usable, base_url())
    if not union:
        return _with_warnings(_informational(shapes.MapResponseSchema(), own), warnings)
    body = {
        "meta": _informational_meta(),
        "response": {"$schema": own["schema"], "endpointSets": union},
    }
    return _with_warnings(body, warnings)


@info_blueprint.get("/entry_types")
def entry_types():
    usable, warnings = _usable()
    union = entry_types_union(usable)
    if not union:
        own = {"entry_types": informational.entry_type_definitions()}
        return _with_warnings(_informational(shapes.EntryTypesResponseSchema(), own), warnings)
    return _with_warnings(
        {"meta": _informational_meta(), "response": {"entryTypes": union}}, warnings
    )


@info_blueprint.route("/filtering_terms", methods=BOTH)
def filtering_terms():
    usable, warnings = _usable()
    body = {"meta": _informational_meta(), "response": filtering_terms_union(usable)}
    return _with_warnings(body, warnings)


def _informational_meta() -> dict[str, Any]:
    return shapes.InformationalMetaSchema().dump(
        informational.informational_meta(current_settings())
    )


def _usable():
    """The nodes the unions are made of, and the warnings naming those left out."""
    hub = fresh_hub()
    return hub.usable_nodes(), metadata_warnings(hub)


# --- entry types ------------------------------------------------------------------------------
def _records(entry: EntryType, entry_id: str | None = None) -> Response:
    segments = (entry.path,) if entry_id is None else (entry.path, entry_id)
    return _merged(entry, segments)


def _collections(entry: EntryType, entry_id: str | None = None) -> Response:
    if entry is DATASET:
        return jsonify(collections.datasets_answer(request, entry_id))
    return jsonify(collections.cohorts_answer(request, entry_id))


def _nested(parent: EntryType, target: EntryType, entry_id: str) -> Response:
    return _merged(target, (parent.path, entry_id, target.path))


def _merged(target: EntryType, segments: tuple[str, ...]) -> Response:
    """``segments``: the route's path below the beacon root, the ids as the caller sent them."""
    return jsonify(_MERGED.dump(network_answer(request, target, segments)))


for _entry in ENTRY_TYPES:
    _id = "<path:entry_id>" if _entry.path == "g_variants" else "<entry_id>"
    _view = partial(_collections, _entry) if _entry.collection else partial(_records, _entry)
    entries_blueprint.add_url_rule(f"/{_entry.path}", _entry.path, _view, methods=BOTH)
    entries_blueprint.add_url_rule(
        f"/{_entry.path}/{_id}", f"{_entry.path}_one", _view, methods=BOTH
    )
    for _nested_id in _entry.nested:
        _target = BY_ID[_nested_id]
        entries_blueprint.add_url_rule(
            f"/{_entry.path}/<entry_id>/{_target.path}",
            f"{_entry.path}_{_target.path}",
            partial(_nested, _entry, _target),
            methods=BOTH,
        )


# --- GA4GH Service Registry -------------------------------------------------------------------
@services_blueprint.get("/services")
def services():
    return jsonify(registry_service.services(current_hub()))


@services_blueprint.get("/services/types")
def service_types():
    return jsonify(registry_service.service_types(current_hub()))


@services_blueprint.get("/services/<service_id>")
def service(service_id: str):
    found = registry_service.service(current_hub(), service_id)
    if found is None:
        raise NotFoundError(f"no service with id {service_id!r} in this network")
    return jsonify(found)


# Schemas hold no per-request state: built once, not for every answer.
_MERGED = network_shapes.NetworkResultsetsResponseSchema()
