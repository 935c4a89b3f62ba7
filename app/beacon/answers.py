"""The steps shared by every variant endpoint: parse, validate, query per dataset, shape."""

from __future__ import annotations

from typing import Any

from flask import Request

from app.beacon.parsing import beacon_request, reject_filters, variant_query
from app.context import current_settings, current_store
from app.entry_types import DATASET, GENOMIC_VARIATION
from app.errors import BadRequestError, NotFoundError
from app.query.request import page_limit, page_offset, returned_granularity
from app.query.variants import (
    InvalidVariantQueryError,
    variant_id_filter,
    variant_selector,
)
from app.responses import collections_response, response_meta, resultsets_response
from app.services.datasets import DatasetSummary, dataset_records, known_datasets
from app.services.variants import find_variants
from schemas.requests import VARIANT_PARAMETERS_KEY, echo_request_parameters

DATASET_DEFAULT_GRANULARITY = "record"


def _datasets(dataset_id: str | None, requested: list[str] | None = None) -> list[DatasetSummary]:
    """Datasets to answer from: all, the one in the path (404 if unknown), and/or those the
    request's ``datasets.datasetIds`` names (unknown ones simply answer nothing)."""
    datasets = known_datasets(current_store())
    if dataset_id is not None:
        datasets = [dataset for dataset in datasets if dataset.id == dataset_id]
        if not datasets:
            raise NotFoundError(f"no dataset with id {dataset_id!r}")
    if requested is not None:
        datasets = [dataset for dataset in datasets if dataset.id in requested]
    return datasets


def answer_variants(
    http_request: Request, dataset_id: str | None = None, variant_id: str | None = None
) -> dict[str, Any]:
    """g_variants queries, optionally restricted to one dataset or one variant id."""
    settings = current_settings()
    request = beacon_request(http_request)
    reject_filters(request)
    query, requested_datasets = variant_query(request)
    parameters = echo_request_parameters(query, requested_datasets)
    if variant_id is not None and parameters.get(VARIANT_PARAMETERS_KEY):
        raise BadRequestError("/g_variants/{id} takes no request parameters")
    try:
        selector = variant_selector(query)
    except InvalidVariantQueryError as error:
        raise BadRequestError(str(error)) from None
    datasets = _datasets(dataset_id, requested_datasets)
    granularity = returned_granularity(
        request.requested_granularity, settings.default_granularity, settings.max_granularity
    )
    limit = page_limit(request.pagination.limit, settings.default_page_size, settings.max_page_size)

    def selector_for(dataset: DatasetSummary) -> dict[str, Any]:
        if variant_id is not None:
            return variant_id_filter(variant_id, dataset.id)
        return selector(dataset.id, dataset.longest_variant)

    offset = page_offset(request.pagination.skip, limit)
    results = find_variants(current_store(), datasets, selector_for, granularity, offset, limit)
    meta = response_meta(
        settings,
        request,
        settings.default_granularity,
        granularity,
        GENOMIC_VARIATION,
        parameters,
        limit,
    )
    return resultsets_response(meta, granularity, results, request.include_resultset_responses)


def answer_datasets(http_request: Request, dataset_id: str | None = None) -> dict[str, Any]:
    """The dataset collection, or one dataset, as a beaconCollectionsResponse."""
    settings = current_settings()
    request = beacon_request(http_request)
    reject_filters(request)
    if request.request_parameters:
        raise BadRequestError("datasets take no request parameters")
    datasets = _datasets(dataset_id)
    # A collection is described, not counted: without a request, datasets answer with records.
    default = DATASET_DEFAULT_GRANULARITY
    granularity = returned_granularity(
        request.requested_granularity, default, settings.max_granularity
    )
    limit = page_limit(request.pagination.limit, settings.default_page_size, settings.max_page_size)
    offset = page_offset(request.pagination.skip, limit)
    page = [dataset.id for dataset in datasets][offset : offset + limit]
    meta = response_meta(settings, request, default, granularity, DATASET, {}, limit)
    collections = dataset_records(current_store(), page)
    return collections_response(meta, granularity, collections, total=len(datasets))
