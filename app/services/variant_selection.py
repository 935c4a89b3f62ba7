"""Which variants a request selects, dataset by dataset, whatever selected them: request
parameters, a variant named in the path (as the entry asked for, or as the parent of the
entries asked for), variant-scoped filters. It is the one place where selected variants pass
the caller's protection (:func:`app.access.protections.variant_protection`), so the
conditions it gives the entry query and the charge of the query budget see the same variants,
and no way of naming a variant goes round them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from app.access.policy import DatasetView, Protections
from app.access.protections import variant_protection
from app.entry_types import GENOMIC_VARIATION, EntryType
from app.services.datasets import DatasetSummary
from app.services.entries import Condition
from app.store.query import Predicate, in_dataset

VariantSelector = Callable[[DatasetSummary], Predicate]


@dataclass(frozen=True)
class VariantSelection:
    """The variant constraints of one request and the protection of each dataset it reads.

    ``constraints`` are ANDed on a variant query (each describes the variants asked for); on
    another entry type each stays its own condition (an entry linked to a variant matching
    each), as separate filters do.
    """

    constraints: tuple[VariantSelector, ...]
    target: EntryType
    protections: Mapping[str, Predicate | None]  # dataset id -> what may be shown (None: all)

    @property
    def selects_variants(self) -> bool:
        """Whether the answer depends on variants: the query is about them or names some."""
        return self.target is GENOMIC_VARIATION or bool(self.constraints)

    def selectors(self, dataset: DatasetSummary) -> list[Predicate]:
        """The variants selected in ``dataset``, each selection within what its caller
        may be told of: one on a variant query, one per constraint otherwise."""
        return [self._selector(dataset, group) for group in self._groups()]

    def conditions(self) -> list[Condition]:
        """The selection as conditions of the entry query (joined to the target if needed)."""
        if not self.selects_variants:
            return []
        return [
            Condition(
                GENOMIC_VARIATION.id, lambda dataset, group=group: self._selector(dataset, group)
            )
            for group in self._groups()
        ]

    def _groups(self) -> list[tuple[VariantSelector, ...]]:
        if self.target is GENOMIC_VARIATION:
            return [self.constraints]
        return [(constraint,) for constraint in self.constraints]

    def _selector(
        self, dataset: DatasetSummary, constraints: tuple[VariantSelector, ...]
    ) -> Predicate:
        parts = [constraint(dataset) for constraint in constraints]
        shown = self.protections[dataset.id]  # every dataset read has a view: KeyError else
        if shown is not None:
            parts.append(shown)
        return in_dataset(dataset.id, *parts)


def variant_selection(
    target: EntryType,
    constraints: Iterable[VariantSelector],
    views: Mapping[str, DatasetView],
    protections: Protections,
) -> VariantSelection:
    """The request's selection; ``views`` are the caller's views of the datasets it reads."""
    return VariantSelection(
        tuple(constraints),
        target,
        {ident: variant_protection(view, protections) for ident, view in views.items()},
    )
