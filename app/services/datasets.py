"""The datasets this beacon holds: described (`datasets`), with variants (`variantStats`) or
with metadata (`filteringTerms`, which every metadata load writes), and how many entries of
each type they hold (`variantStats`, `metadataStats`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.entry_types import GENOMIC_VARIATION, RECORD_ENTRY_TYPES
from app.store import DATASETS, VARIANT_STATS, Store
from app.store.collections import FILTERING_TERMS, METADATA_STATS


@dataclass(frozen=True)
class DatasetSummary:
    id: str
    variant_count: int = 0
    longest_variant: int | None = None
    # the lowest allele frequency among its variants (0 when some have none); None: not known
    rarest_allele_frequency: float | None = None
    assembly_ids: tuple[str, ...] = ()  # of its variants (a hub routes queries by assembly)
    # (entry type id, how many it holds), for the types its loads counted (published totals)
    totals: tuple[tuple[str, int], ...] = ()

    def total_of(self, entry_type_id: str) -> int | None:
        """How many entries of that type the dataset holds; None when not known."""
        return dict(self.totals).get(entry_type_id)


def known_datasets(store: Store) -> list[DatasetSummary]:
    """Every dataset with a description, variants or metadata, ordered by id (read once per
    served release, not per request)."""
    return list(store.per_release("known_datasets", lambda: _known_datasets(store)))


def _known_datasets(store: Store) -> tuple[DatasetSummary, ...]:
    summary = ("variantCount", "longestVariant", "rarestAlleleFrequency", "assemblyIds")
    stats = store.by_dataset(VARIANT_STATS, fields=summary)
    described = store.dataset_ids_of(DATASETS) | store.dataset_ids_of(FILTERING_TERMS)
    metadata = store.by_dataset(METADATA_STATS)
    return tuple(
        DatasetSummary(
            id=dataset_id,
            variant_count=stats.get(dataset_id, {}).get("variantCount", 0),
            longest_variant=stats.get(dataset_id, {}).get("longestVariant"),
            rarest_allele_frequency=stats.get(dataset_id, {}).get("rarestAlleleFrequency"),
            assembly_ids=tuple(stats.get(dataset_id, {}).get("assemblyIds", ())),
            totals=_totals(stats.get(dataset_id), metadata.get(dataset_id)),
        )
        for dataset_id in sorted(described | set(stats))
    )


def _totals(
    variant_stats: dict[str, Any] | None, metadata_stats: dict[str, Any] | None
) -> tuple[tuple[str, int], ...]:
    """Entry type id -> count, from the stats the VCF loader (``variantCount``) and the metadata
    loader (``individualCount``, ``biosampleCount``...) write."""
    totals = []
    if variant_stats and isinstance(variant_stats.get("variantCount"), int):
        totals.append((GENOMIC_VARIATION.id, variant_stats["variantCount"]))
    for entry in RECORD_ENTRY_TYPES:
        count = (metadata_stats or {}).get(f"{entry.id}Count")
        if entry is not GENOMIC_VARIATION and isinstance(count, int):
            totals.append((entry.id, count))
    return tuple(totals)


def dataset_records(store: Store, levels: dict[str, str]) -> list[dict[str, Any]]:
    """Beacon dataset documents of the datasets ``levels`` names, with their access level in
    ``accessLevel`` (an extension field, like ``country``: the model's ``info`` refers to a
    schema file the official model does not ship); a dataset with variants but no description
    gets a minimal one."""
    dataset_ids = list(levels)
    found = store.by_dataset(DATASETS, dataset_ids)
    records = []
    for dataset_id in dataset_ids:
        document = dict(found.get(dataset_id) or {"name": dataset_id})
        records.append({"id": dataset_id, **document, "accessLevel": levels[dataset_id]})
    return records
