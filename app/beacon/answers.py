"""The steps every entry-type endpoint shares: parse, validate, build conditions, query, shape."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from flask import Request

from app.access.flask_access import current_access, current_caller, current_views, note_answer
from app.access.policy import DatasetView, Protections, lowest_granularity
from app.access.protections import common_alleles, hides_rare_alleles, shown_variants
from app.beacon.parsing import beacon_request, variant_query
from app.beacon.visibility import visible_cohort_datasets, visible_datasets
from app.context import current_ontology, current_settings, current_store
from app.entry_types import COHORT, DATASET, GENOMIC_VARIATION, RECORD_ENTRY_TYPES, EntryType
from app.errors import BadRequestError, NotFoundError, TooManyRequestsError
from app.query.filters import Filter, InvalidFilterError, ScopedCondition, filter_conditions
from app.query.request import page_limit, page_offset, returned_granularity
from app.query.variants import InvalidVariantQueryError, variant_id_filter, variant_selector
from app.responses import collections_response, response_meta, resultsets_response
from app.services.cohorts import cohort_records
from app.services.combined_frequencies import with_combined_frequencies
from app.services.datasets import DatasetSummary, dataset_records
from app.services.entries import Condition, DatasetResult, find_entries
from app.services.filtering_terms import term_catalogue
from app.services.protected_answers import band_small_counts, found_rare_variant
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

    datasets = _datasets_in(parent, parent_id, requested_datasets)
    views = current_views(dataset.id for dataset in datasets)
    protections = current_access().policy.protections
    genomic = target is GENOMIC_VARIATION or constrained_by_variant

    def variants_in(dataset: DatasetSummary) -> dict[str, Any]:
        """The query's variants in one dataset; on PUBLIC ones, rare alleles are absent."""
        found = selector(dataset.id, dataset.longest_variant)
        if hides_rare_alleles(views[dataset.id].level, protections.rare_allele_frequency):
            return {"$and": [found, common_alleles(protections.rare_allele_frequency)]}
        return found

    conditions: list[Condition] = []
    if genomic:
        conditions.append(Condition(GENOMIC_VARIATION.id, variants_in))
    if entry_id is not None:
        conditions.append(_one_entry(target, entry_id))
    if parent is not None and parent_id is not None and not parent.collection:
        conditions.append(_one_entry(parent, parent_id))
    scoped, warnings = _scoped_filters(request.filters, target.id, RECORD_SCOPES)
    conditions.extend(
        Condition(item.scope, lambda dataset, selector=item.selector: selector) for item in scoped
    )

    ceiling = lowest_granularity(
        [view.granularity for view in views.values()], settings.max_granularity
    )
    granularity = returned_granularity(
        request.requested_granularity, settings.default_granularity, ceiling
    )
    limit = page_limit(request.pagination.limit, settings.default_page_size, settings.max_page_size)
    offset = page_offset(request.pagination.skip, limit)
    protected = [dataset for dataset in datasets if views[dataset.id].protected]
    budgeted = genomic and bool(protected) and current_access().budget.enabled
    if budgeted:
        _ensure_budget_left()
    store = current_store()
    results = find_entries(store, target, datasets, conditions, granularity, offset, limit)
    note_answer(views.values(), granularity)
    if budgeted:
        _charge_rare_yes(protected, results, variants_in, protections.budget_rare_frequency)
    if target is GENOMIC_VARIATION and granularity == "record":
        results = _with_combined_frequencies(results, views, protections)
    threshold = protections.small_count_threshold
    results = band_small_counts(results, views, granularity, threshold)
    if any(result.count_band for result in results):
        warnings.append(
            f"counts from 1 to {threshold - 1} are reported as {threshold} (small-count protection)"
        )
    meta = response_meta(
        settings, request, settings.default_granularity, granularity, target, parameters, limit
    )
    return resultsets_response(
        meta, granularity, results, request.include_resultset_responses, warnings
    )


def _with_combined_frequencies(
    results: list[DatasetResult], views: dict[str, DatasetView], protections: Protections
) -> list[DatasetResult]:
    """Each variant record also gets its frequencies summed over every dataset the caller sees,
    counting no allele a protection hides in its dataset."""
    frequency = protections.rare_allele_frequency
    hidden_rare = [i for i, view in views.items() if hides_rare_alleles(view.level, frequency)]
    counted = shown_variants(list(views), hidden_rare, frequency)
    store = current_store()
    return [
        replace(result, records=with_combined_frequencies(store, result.records, counted))
        for result in results
    ]


def _charge_rare_yes(
    protected: list[DatasetSummary],
    results: list[DatasetResult],
    variants_in: Callable[[DatasetSummary], dict[str, Any]],
    rare_frequency: float,
) -> None:
    """One unit of the caller's budget when a protected dataset said yes about a rare variant."""
    answered = {result.dataset_id for result in results if result.exists}
    hits = [dataset for dataset in protected if dataset.id in answered]
    if hits and found_rare_variant(current_store(), hits, variants_in, rare_frequency):
        current_access().budget.charge(current_caller().identity)


def _ensure_budget_left() -> None:
    """429 once the caller's budget of "yes" answers on rare variants is spent."""
    budget = current_access().budget
    state = budget.state(current_caller().identity)
    if state.exhausted:
        resets = state.resets_at.isoformat().replace("+00:00", "Z")
        raise TooManyRequestsError(
            f"query budget exhausted: this identity has had {state.spent} answers about rare "
            f"variants in this period (limit {state.limit}); it resets at {resets}",
            {"Retry-After": str(max(1, int((state.resets_at - _now()).total_seconds())))},
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
    visible = visible_datasets()
    if entry is DATASET:
        if request.filters:
            raise BadRequestError("datasets cannot be filtered; filter their entries instead")
        ids = [dataset.id for dataset in _datasets_in(DATASET, collection_id, None)]
        policy = settings.access
        shown = {ident: policy.level_of(ident) for ident in ids[offset : offset + limit]}
        page, total = dataset_records(store, shown), len(ids)
    else:
        scoped, warnings = _scoped_filters(request.filters, COHORT.id, (COHORT.id,))
        selectors = [item.selector for item in scoped]
        # cohorts of datasets the caller may see, and only those
        selectors.append({"datasetId": {"$in": [dataset.id for dataset in visible]}})
        if collection_id is not None and not visible_cohort_datasets(collection_id):
            raise NotFoundError(f"no cohort with id {collection_id!r}")
        page, total = cohort_records(store, collection_id, selectors, offset, limit)
    note_answer(current_views(dataset.id for dataset in visible).values(), granularity)
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
        visible = [dataset.id for dataset in visible_datasets()]
        catalogue = term_catalogue(current_store(), visible)
        scoped = filter_conditions(filters, target, scopes, catalogue, current_ontology())
    except InvalidFilterError as error:
        raise BadRequestError(str(error)) from None
    return scoped, [item.warning for item in scoped if item.warning]


def _datasets_in(
    parent: EntryType | None, parent_id: str | None, requested: list[str] | None
) -> list[DatasetSummary]:
    """Datasets to answer from: every one, or those of the dataset/cohort in the path (404 when
    unknown), narrowed to the request's ``datasets.datasetIds`` (unknown ones answer nothing)."""
    datasets = visible_datasets()
    if parent is DATASET and parent_id is not None:
        datasets = [dataset for dataset in datasets if dataset.id == parent_id]
        if not datasets:
            raise NotFoundError(f"no dataset with id {parent_id!r}")
    elif parent is COHORT and parent_id is not None:
        members = visible_cohort_datasets(parent_id)
        if not members:
            raise NotFoundError(f"no cohort with id {parent_id!r}")
        datasets = [dataset for dataset in datasets if dataset.id in members]
    if requested is not None:
        datasets = [dataset for dataset in datasets if dataset.id in requested]
    return datasets


def _now() -> datetime:
    return datetime.now(UTC)
