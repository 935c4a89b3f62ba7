"""Informational endpoints: /, /info, /service-info, /configuration, /map, /entry_types,
/filtering_terms."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, make_response, request

from app.access.flask_access import current_views
from app.access.protections import published_total
from app.beacon.visibility import visible_cohort_datasets, visible_datasets
from app.context import base_url, current_ontology, current_settings, current_store
from app.entry_types import COHORT, DATASET, INDIVIDUAL
from app.errors import NotFoundError
from app.services import informational
from app.services.filtering_terms import filtering_terms as filtering_terms_of
from app.web.routes import catalog_page, prefers_html
from schemas import responses as shapes

blueprint = Blueprint("beacon_info", __name__)


def _informational(schema: shapes.Schema, response: dict) -> Response:
    body = {"meta": informational.informational_meta(current_settings()), "response": response}
    return jsonify(schema.dump(body))


@blueprint.get("/")
def root():
    """Beacon clients get the info response; a browser (HTML preferred) gets the catalog page."""
    response = make_response(catalog_page() if prefers_html(request.accept_mimetypes) else info())
    response.vary.add("Accept")
    return response


@blueprint.get("/info")
def info():
    datasets = visible_datasets()
    policy = current_settings().access
    views = current_views(dataset.id for dataset in datasets)
    threshold = policy.protections.small_count_threshold
    loaded = {
        "datasets": len(datasets),
        # each protected dataset's total as the catalogs publish it (a small one banded)
        "variants": sum(
            published_total(dataset.variant_count, threshold)
            if views[dataset.id].protected
            else dataset.variant_count
            for dataset in datasets
        ),
        # the assemblies of the variants, so a network hub asks this beacon only about those
        "assemblies": sorted(
            {assembly for dataset in datasets for assembly in dataset.assembly_ids}
        ),
        "access": informational.access_summary(
            policy, {dataset.id: policy.level_of(dataset.id) for dataset in datasets}
        ),
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


@blueprint.route("/filtering_terms", methods=["GET", "POST"])
def filtering_terms():
    return _filtering_terms()


@blueprint.route(f"/{INDIVIDUAL.path}/filtering_terms", methods=["GET", "POST"])
def individual_filtering_terms():
    return _filtering_terms(scopes=[INDIVIDUAL.id])


@blueprint.route(f"/{DATASET.path}/<dataset_id>/filtering_terms", methods=["GET", "POST"])
def dataset_filtering_terms(dataset_id: str):
    if dataset_id not in {dataset.id for dataset in visible_datasets()}:
        raise NotFoundError(f"no dataset with id {dataset_id!r}")
    return _filtering_terms(dataset_ids={dataset_id})


@blueprint.route(f"/{COHORT.path}/<cohort_id>/filtering_terms", methods=["GET", "POST"])
def cohort_filtering_terms(cohort_id: str):
    dataset_ids = visible_cohort_datasets(cohort_id)
    if not dataset_ids:
        raise NotFoundError(f"no cohort with id {cohort_id!r}")
    return _filtering_terms(dataset_ids=dataset_ids)


def _filtering_terms(
    dataset_ids: set[str] | None = None, scopes: list[str] | None = None
) -> Response:
    """Terms present in the data of the datasets (all the caller may see by default) and
    scopes (all by default)."""
    datasets = [
        dataset
        for dataset in visible_datasets()
        if dataset_ids is None or dataset.id in dataset_ids
    ]
    dataset_ids = {dataset.id for dataset in datasets}
    with_variants = any(dataset.variant_count for dataset in datasets)
    terms = filtering_terms_of(
        current_store(), current_ontology(), dataset_ids, scopes, variants_loaded=with_variants
    )
    return _informational(shapes.FilteringTermsResponseSchema(), terms)
