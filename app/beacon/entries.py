"""Entry-type endpoints: g_variants and datasets, GET and POST alike."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from app.beacon.answers import answer_datasets, answer_variants

blueprint = Blueprint("beacon_entries", __name__)
BOTH = ["GET", "POST"]


@blueprint.route("/g_variants", methods=BOTH)
def g_variants():
    return jsonify(answer_variants(request))


@blueprint.route("/g_variants/<path:variant_id>", methods=BOTH)
def g_variant(variant_id: str):
    return jsonify(answer_variants(request, variant_id=variant_id))


@blueprint.route("/datasets", methods=BOTH)
def datasets():
    return jsonify(answer_datasets(request))


@blueprint.route("/datasets/<dataset_id>", methods=BOTH)
def dataset(dataset_id: str):
    return jsonify(answer_datasets(request, dataset_id))


@blueprint.route("/datasets/<dataset_id>/g_variants", methods=BOTH)
def dataset_variants(dataset_id: str):
    return jsonify(answer_variants(request, dataset_id=dataset_id))
