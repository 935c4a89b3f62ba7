"""The datasets this beacon holds: described (`datasets`), with variants (`variantStats`) or
with metadata (`filteringTerms`, which every metadata load writes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.store import DATASETS, VARIANT_STATS, Store
from app.store.collections import FILTERING_TERMS


@dataclass(frozen=True)
class DatasetSummary:
    id: str
    variant_count: int = 0
    longest_variant: int | None = None
    # the lowest allele frequency among its variants (0 when some have none); None: not known
    rarest_allele_frequency: float | None = None
    assembly_ids: tuple[str, ...] = ()  # of its variants (a hub routes queries by assembly)


def known_datasets(store: Store) -> list[DatasetSummary]:
    """Every dataset with a description, variants or metadata, ordered by id (read once per
    served release, not per request)."""
    return list(store.per_release("known_datasets", lambda: _known_datasets(store)))


def _known_datasets(store: Store) -> tuple[DatasetSummary, ...]:
    stats = {
        doc["_id"]: doc
        for doc in store.collection(VARIANT_STATS).find(
            {},
            {"variantCount": 1, "longestVariant": 1, "rarestAlleleFrequency": 1, "assemblyIds": 1},
        )
    }
    described = {doc["_id"] for doc in store.collection(DATASETS).find({}, {"_id": 1})}
    described.update(store.collection(FILTERING_TERMS).distinct("datasetId"))
    return tuple(
        DatasetSummary(
            id=dataset_id,
            variant_count=stats.get(dataset_id, {}).get("variantCount", 0),
            longest_variant=stats.get(dataset_id, {}).get("longestVariant"),
            rarest_allele_frequency=stats.get(dataset_id, {}).get("rarestAlleleFrequency"),
            assembly_ids=tuple(stats.get(dataset_id, {}).get("assemblyIds", ())),
        )
        for dataset_id in sorted(described | set(stats))
    )


def dataset_records(store: Store, levels: dict[str, str]) -> list[dict[str, Any]]:
    """Beacon dataset documents of the datasets ``levels`` names, with their access level in
    ``accessLevel`` (an extension field, like ``country``: the model's ``info`` refers to a
    schema file the official model does not ship); a dataset with variants but no description
    gets a minimal one."""
    dataset_ids = list(levels)
    found = {
        doc["_id"]: doc for doc in store.collection(DATASETS).find({"_id": {"$in": dataset_ids}})
    }
    records = []
    for dataset_id in dataset_ids:
        document = dict(found.get(dataset_id) or {"name": dataset_id})
        document.pop("_id", None)
        records.append({"id": dataset_id, **document, "accessLevel": levels[dataset_id]})
    return records
