"""Entry-type endpoints, GET and POST alike, registered from the entry-type registry:
``/{entry}``, ``/{entry}/{id}`` and ``/{entry}/{id}/{other entry}`` for every nested type."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, jsonify, request

from app.beacon.answers import answer_collections, answer_records
from app.entry_types import BY_ID, ENTRY_TYPES, EntryType

blueprint = Blueprint("beacon_entries", __name__)
BOTH = ["GET", "POST"]


def _root(entry: EntryType) -> Any:
    if entry.collection:
        return jsonify(answer_collections(request, entry))
    return jsonify(answer_records(request, entry))


def _single(entry: EntryType, entry_id: str) -> Any:
    if entry.collection:
        return jsonify(answer_collections(request, entry, entry_id))
    return jsonify(answer_records(request, entry, entry_id=entry_id))


def _nested(parent: EntryType, target: EntryType, entry_id: str) -> Any:
    return jsonify(answer_records(request, target, parent=parent, parent_id=entry_id))


def root_endpoint(entry: EntryType) -> str:
    """Endpoint names of the routes, also used by the API documentation (app/ops/openapi.py)."""
    return entry.path


def single_endpoint(entry: EntryType) -> str:
    return f"{entry.path}_one"


def nested_endpoint(parent: EntryType, target: EntryType) -> str:
    return f"{parent.path}_{target.path}"


for _entry in ENTRY_TYPES:
    # Variant ids may contain slashes (HGVS, VRS); other ids are one path segment.
    _id = "<path:entry_id>" if _entry.path == "g_variants" else "<entry_id>"
    blueprint.add_url_rule(
        f"/{_entry.path}", root_endpoint(_entry), partial(_root, _entry), methods=BOTH
    )
    blueprint.add_url_rule(
        f"/{_entry.path}/{_id}", single_endpoint(_entry), partial(_single, _entry), methods=BOTH
    )
    for _nested_id in _entry.nested:
        _target = BY_ID[_nested_id]
        blueprint.add_url_rule(
            f"/{_entry.path}/<entry_id>/{_target.path}",
            nested_endpoint(_entry, _target),
            partial(_nested, _entry, _target),
            methods=BOTH,
        )
