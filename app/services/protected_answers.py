"""The re-identification protections applied to entry-type answers, dataset by dataset."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from app.access.policy import DatasetView
from app.access.protections import count_band
from app.services.datasets import DatasetSummary
from app.services.entries import DatasetResult
from app.services.variant_selection import VariantSelection
from app.store import VARIANTS, Store
from app.store.query import AnyOf, Predicate, RareAllele, in_dataset


def band_counts(
    results: Iterable[DatasetResult],
    views: Mapping[str, DatasetView],
    granularity: str,
    threshold: int,
    totals: Mapping[str, int | None],
) -> list[DatasetResult]:
    """Counts of protected datasets reported in their band (:func:`count_band`), given each
    dataset's published total of the entries counted (``totals``, None when not known).

    Record answers are not banded: their records show how many there are anyway, and a level
    gives records only where the configuration allows it.
    """
    if granularity == "record":
        return list(results)
    answered = []
    for result in results:
        if result.count is not None and views[result.dataset_id].protected:
            band = count_band(result.count, threshold, totals.get(result.dataset_id))
            if not band.exact:
                result = replace(result, count=band.reported, count_band=(band.low, band.high))
        answered.append(result)
    return answered


def found_rare_variant(
    store: Store,
    datasets: Iterable[DatasetSummary],
    variant_selector: Callable[[DatasetSummary], Predicate],
    frequency: float,
) -> bool:
    """Whether a variant the query matched in one of ``datasets`` is rarer than ``frequency``:
    what a "yes" costs from the query budget."""
    rare = RareAllele(frequency)
    for dataset in datasets:
        rarest = dataset.rarest_allele_frequency
        if rarest is not None and rarest >= frequency:
            continue  # none of its variants is rare: no need to look
        if store.exists(VARIANTS, in_dataset(dataset.id, variant_selector(dataset), rare)):
            return True
    return False


def rare_check(
    protected: Iterable[DatasetSummary], frequency: float
) -> Callable[[DatasetSummary], Predicate | None]:
    """The check a variant query may make of the variants it counts so that
    :func:`rare_yes_cost` needs no read of its own (``find_entries``' ``also``): rarer than
    ``frequency``, in the protected datasets that may hold such a variant (None elsewhere)."""
    rare = RareAllele(frequency)
    may_hold = {
        dataset.id
        for dataset in protected
        if dataset.rarest_allele_frequency is None or dataset.rarest_allele_frequency < frequency
    }
    return lambda dataset: rare if dataset.id in may_hold else None


def rare_yes_cost(
    store: Store,
    protected: Iterable[DatasetSummary],
    results: Iterable[DatasetResult],
    selection: VariantSelection,
    frequency: float,
) -> int:
    """What an answer costs from the query budget (the "rare yes" rule): one unit when a
    protected dataset said yes and a variant the request selected in it (as the caller may
    see it) is rarer than ``frequency``; charged once the answer is known
    (:meth:`QueryBudget.spending`).

    A result's ``also_met``, where it is not None, is that check already made over the
    variants it counted, which must then be the ones the request selected (the query asked
    :func:`rare_check` of ``frequency``, with no condition but the selection)."""
    if not selection.selects_variants:
        return 0
    answered = {result.dataset_id: result for result in results if result.exists}
    hits = [dataset for dataset in protected if dataset.id in answered]
    if any(answered[dataset.id].also_met for dataset in hits):
        return 1
    unchecked = [dataset for dataset in hits if answered[dataset.id].also_met is None]

    def selected(dataset: DatasetSummary) -> Predicate:
        found = selection.selectors(dataset)
        return found[0] if len(found) == 1 else AnyOf(tuple(found))

    return int(bool(unchecked) and found_rare_variant(store, unchecked, selected, frequency))
