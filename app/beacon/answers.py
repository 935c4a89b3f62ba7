"""The steps every entry-type endpoint shares: parse, validate, build conditions, query, shape."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from flask import Request

from app.access.budget import Bill, BudgetExhaustedError
from app.access.flask_access import current_access, current_caller, current_views, note_answer
from app.access.policy import DatasetView, Protections, lowest_granularity
from app.access.protections import hides_rare_alleles, shown_variants
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
from app.services.protected_answers import band_counts, rare_check, rare_yes_cost
from app.services.variant_selection import VariantSelection, VariantSelector, variant_selection
from app.store.query import EntryIds, InDatasets
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
    scoped, warnings = _scoped_filters(request.filters, target.id, RECORD_SCOPES)

    by_parameters: list[VariantSelector] = []
    if constrained_by_variant:
        by_parameters.append(lambda dataset: selector(dataset.id, dataset.longest_variant))
    named = _entries_named(target, entry_id, parent, parent_id)
    selection, conditions = _selection_and_conditions(
        target, by_parameters, named, scoped, views, protections
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
    store = current_store()
    rare = protections.budget_rare_frequency
    with _budget_for(selection, protected) as bill:
        # a variant query selecting by nothing else checks its counted variants for the bill
        also = None
        if (
            bill is not None
            and target is GENOMIC_VARIATION
            and len(conditions) == len(selection.conditions())
        ):
            also = rare_check(protected, rare)
        results = find_entries(
            store, target, datasets, conditions, granularity, offset, limit, also
        )
        if bill is not None:
            bill.cost = rare_yes_cost(store, protected, results, selection, rare)
    note_answer(views.values(), granularity)
    if target is GENOMIC_VARIATION and granularity == "record":
        results = _with_combined_frequencies(results, views, protections)
    threshold = protections.small_count_threshold
    totals = {dataset.id: dataset.total_of(target.id) for dataset in datasets}
    results = band_counts(results, views, granularity, threshold, totals)
    if any(result.count_band for result in results):
        warnings.append(
            f"counts are reported in bands (small-count protection): 1 to {threshold - 1} as "
            f"{threshold}, larger ones rounded down to a multiple of {threshold}; "
            "info.countBand gives each band"
        )
    meta = response_meta(
        settings, request, settings.default_granularity, granularity, target, parameters, limit
    )
    return resultsets_response(
        meta, granularity, results, request.include_resultset_responses, warnings
    )


def _selection_and_conditions(
    target: EntryType,
    parameters: list[VariantSelector],
    named: list[tuple[EntryType, str]],
    scoped: list[ScopedCondition],
    views: dict[str, DatasetView],
    protections: Protections,
) -> tuple[VariantSelection, list[Condition]]:
    """The request's variant selection and the conditions of its entry query. Every way the
    request names variants (the parameters, a variant of the path, variant-scoped filters) goes
    into the selection, so each passes the same protection and the same charge; the other
    entries named and filters become conditions of their own."""
    variants = list(parameters)
    variants.extend(_variant_named(ident) for entry, ident in named if entry is GENOMIC_VARIATION)
    variants.extend(
        (lambda dataset, found=item.where: found)
        for item in scoped
        if item.scope == GENOMIC_VARIATION.id
    )
    selection = variant_selection(target, variants, views, protections)
    conditions = selection.conditions()
    conditions.extend(
        Condition(entry.id, lambda dataset, ident=ident: EntryIds((ident,)))
        for entry, ident in named
        if entry is not GENOMIC_VARIATION
    )
    conditions.extend(
        Condition(item.scope, lambda dataset, found=item.where: found)
        for item in scoped
        if item.scope != GENOMIC_VARIATION.id
    )
    return selection, conditions


def _variant_named(variant_id: str) -> VariantSelector:
    return lambda dataset: variant_id_filter(variant_id, dataset.id)


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


@contextmanager
def _budget_for(
    selection: VariantSelection, protected: list[DatasetSummary]
) -> Iterator[Bill | None]:
    """The caller's budget for this query when it selects variants of protected datasets:
    read before it runs (429 when spent), charged its bill after (429 when a concurrent query
    took the last unit); None when the query costs nothing whatever its answer."""
    budget = current_access().budget
    if not (budget.enabled and selection.selects_variants and protected):
        yield None
        return
    try:
        with budget.spending(current_caller().identity) as bill:
            yield bill
    except BudgetExhaustedError as error:
        raise _exhausted(error) from None


def _exhausted(error: BudgetExhaustedError) -> TooManyRequestsError:
    """429 once the caller's budget of "yes" answers on rare variants is spent."""
    resets = error.resets_at.isoformat().replace("+00:00", "Z")
    return TooManyRequestsError(
        f"query budget exhausted: this identity has had its {error.limit} answers about rare "
        f"variants of this period; it resets at {resets}",
        {"Retry-After": str(max(1, int((error.resets_at - _now()).total_seconds())))},
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
        selectors = [item.where for item in scoped]
        # cohorts of datasets the caller may see, and only those
        selectors.append(InDatasets(tuple(dataset.id for dataset in visible)))
        if collection_id is not None and not visible_cohort_datasets(collection_id):
            raise NotFoundError(f"no cohort with id {collection_id!r}")
        page, total = cohort_records(store, collection_id, selectors, offset, limit)
    note_answer(current_views(dataset.id for dataset in visible).values(), granularity)
    meta = response_meta(
        settings, request, COLLECTION_DEFAULT_GRANULARITY, granularity, entry, {}, limit
    )
    return collections_response(meta, granularity, page, total, warnings)


def _entries_named(
    target: EntryType,
    entry_id: str | None,
    parent: EntryType | None,
    parent_id: str | None,
) -> list[tuple[EntryType, str]]:
    """The record entries the path names: the one asked for, the parent of those asked for
    (a dataset or cohort parent narrows the datasets instead)."""
    named = []
    if entry_id is not None:
        named.append((target, entry_id))
    if parent is not None and parent_id is not None and not parent.collection:
        named.append((parent, parent_id))
    return named


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
