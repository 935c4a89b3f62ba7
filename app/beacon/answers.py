"""The steps every entry-type endpoint shares: parse, validate, build conditions, query, shape."""

from __future__ import annotations

from typing import Any

from flask import Request

from app.beacon.parsing import beacon_request, variant_query
from app.context import current_ontology, current_settings, current_store
from app.entry_types import COHORT, DATASET, GENOMIC_VARIATION, RECORD_ENTRY_TYPES, EntryType
from app.errors import BadRequestError, NotFoundError
from app.query.filters import Filter, InvalidFilterError, ScopedCondition, filter_conditions
from app.query.request import page_limit, page_offset, returned_granularity
from app.query.variants import InvalidVariantQueryError, variant_id_filter, variant_selector
from app.responses import collections_response, response_meta, resultsets_response
from app.services.cohorts import cohort_dataset_ids, cohort_records
from app.services.datasets import DatasetSummary, dataset_records, known_datasets
from app.services.entries import Condition, find_entries
from app.services.filtering_terms import term_catalogue
from schemas.requests import VARIANT_PARAMETERS_KEY, echo_request_parameters

COLLECTION_DEFAULT_GRANULARITY = "record"
# Scopes a filter may name on a record entry type; an unscoped filter is looked up in this order
# after the entry type asked for.
RECORD_SCOPES = tuple(entry.id for entry in RECORD_ENTRY_TYPES)


def answer_records(
    http_request: Request,
    target: EntryType,
    entry_id: str | None = None,
    parent: EntryType | None = None,
    parent_id: str | None = None,
) -> dict[str, Any]:
    """A result-set entry type: all of it, one entry (``entry_id``), or the entries linked to
    one entry of another type (``/{parent}/{parent_id}/{target}``)."""
    settings = current_settings()
    request = beacon_request(http_request)
    query, requested_datasets = variant_query(request)
    parameters = echo_request_parameters(query, requested_datasets)
    constrained_by_variant = bool(parameters.get(VARIANT_PARAMETERS_KEY))
    if entry_id is not None and constrained_by_variant:
        raise BadRequestError(f"/{target.path}/{{id}} takes no request parameters")
    try:
        selector = variant_selector(query)
    except InvalidVariantQueryError as error:
        raise BadRequestError(str(error)) from None

    conditions: list[Condition] = []
    if target is GENOMIC_VARIATION or constrained_by_variant:
        conditions.append(
            Condition(
                GENOMIC_VARIATION.id,
                lambda dataset: selector(dataset.id, dataset.longest_variant),
            )
        )
    if entry_id is not None:
        conditions.append(_one_entry(target, entry_id))
    if parent is not None and parent_id is not None and not parent.collection:
        conditions.append(_one_entry(parent, parent_id))
    scoped, warnings = _scoped_filters(request.filters, target.id, RECORD_SCOPES)
    conditions.extend(
        Condition(item.scope, lambda dataset, selector=item.selector: selector) for item in scoped
    )

    datasets = _datasets_in(parent, parent_id, requested_datasets)
    granularity = returned_granularity(
        request.requested_granularity, settings.default_granularity, settings.max_granularity
    )
    limit = page_limit(request.pagination.limit, settings.default_page_size, settings.max_page_size)
    offset = page_offset(request.pagination.skip, limit)
    results = find_entries(
        current_store(), target, datasets, conditions, granularity, offset, limit
    )
    meta = response_meta(
        settings, request, settings.default_granularity, granularity, target, parameters, limit
    )
    return resultsets_response(
        meta, granularity, results, request.include_resultset_responses, warnings
    )


def answer_collections(
    http_request: Request, entry: EntryType, collection_id: str | None = None
) -> dict[str, Any]:
    """Datasets or cohorts, all or one, as a beaconCollectionsResponse."""
    settings = current_settings()
    request = beacon_request(http_request)
    if request.request_parameters:
        raise BadRequestError(f"{entry.path} take no request parameters")
    granularity = returned_granularity(
        request.requested_granularity, COLLECTION_DEFAULT_GRANULARITY, settings.max_granularity
    )
    limit = page_limit(request.pagination.limit, settings.default_page_size, settings.max_page_size)
    offset = page_offset(request.pagination.skip, limit)
    store = current_store()
    warnings: list[str] = []
    if entry is DATASET:
        if request.filters:
            raise BadRequestError("datasets cannot be filtered; filter their entries instead")
        ids = [dataset.id for dataset in _datasets_in(DATASET, collection_id, None)]
        page, total = dataset_records(store, ids[offset : offset + limit]), len(ids)
    else:
        scoped, warnings = _scoped_filters(request.filters, COHORT.id, (COHORT.id,))
        selectors = [item.selector for item in scoped]
        if collection_id is not None and not cohort_dataset_ids(store, collection_id):
            raise NotFoundError(f"no cohort with id {collection_id!r}")
        page, total = cohort_records(store, collection_id, selectors, offset, limit)
    meta = response_meta(
        settings, request, COLLECTION_DEFAULT_GRANULARITY, granularity, entry, {}, limit
    )
    return collections_response(meta, granularity, page, total, warnings)


def _one_entry(entry: EntryType, entry_id: str) -> Condition:
    if entry is GENOMIC_VARIATION:
        return Condition(entry.id, lambda dataset: variant_id_filter(entry_id, dataset.id))
    return Condition(entry.id, lambda dataset: {"id": entry_id})


def _scoped_filters(
    filters: list[Filter], target: str, scopes: tuple[str, ...]
) -> tuple[list[ScopedCondition], list[str]]:
    """The request's filters as selectors on their scopes, and warnings for unknown terms."""
    if not filters:
        return [], []
    try:
        scoped = filter_conditions(
            filters, target, scopes, term_catalogue(current_store()), current_ontology()
        )
    except InvalidFilterError as error:
        raise BadRequestError(str(error)) from None
    return scoped, [item.warning for item in scoped if item.warning]


def _datasets_in(
    parent: EntryType | None, parent_id: str | None, requested: list[str] | None
) -> list[DatasetSummary]:
    """Datasets to answer from: every one, or those of the dataset/cohort in the path (404 when
    unknown), narrowed to the request's ``datasets.datasetIds`` (unknown ones answer nothing)."""
    datasets = known_datasets(current_store())
    if parent is DATASET and parent_id is not None:
        datasets = [dataset for dataset in datasets if dataset.id == parent_id]
        if not datasets:
            raise NotFoundError(f"no dataset with id {parent_id!r}")
    elif parent is COHORT and parent_id is not None:
        members = cohort_dataset_ids(current_store(), parent_id)
        if not members:
            raise NotFoundError(f"no cohort with id {parent_id!r}")
        datasets = [dataset for dataset in datasets if dataset.id in members]
    if requested is not None:
        datasets = [dataset for dataset in datasets if dataset.id in requested]
    return datasets
