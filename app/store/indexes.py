"""Indexes a production MongoDB needs for every query shape the beacon serves.

One place lists them so the loaders create them and the docs can show them.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.genome import GENE_IDS, GENE_KEYS
from app.store.collections import (
    ANALYSES,
    AUDIT_LOG,
    BIOSAMPLES,
    COHORTS,
    DATASET_ID,
    DATASETS,
    FILTERING_TERMS,
    INDIVIDUALS,
    QUERY_BUDGETS,
    RUNS,
    VARIANTS,
)


@dataclass(frozen=True)
class IndexSpec:
    name: str
    keys: tuple[tuple[str, int], ...]
    unique: bool = False
    expire_after_seconds: int | None = None  # MongoDB deletes a document this long after


ASCENDING = 1

# The links each metadata entry type's documents hold (top-level copies of the record's fields).
_METADATA_LINKS = {
    INDIVIDUALS: (),
    BIOSAMPLES: ("individualId",),
    RUNS: ("individualId", "biosampleId"),
    ANALYSES: ("individualId", "biosampleId", "runId"),
    COHORTS: (),
}


def _metadata_indexes(links: tuple[str, ...]) -> tuple[IndexSpec, ...]:
    """Record by id, ontology filters, joins through each link, duration ranges."""
    return (
        IndexSpec("record_id", ((DATASET_ID, ASCENDING), ("id", ASCENDING)), unique=True),
        IndexSpec("ontology_terms", ((DATASET_ID, ASCENDING), ("ontologyTerms", ASCENDING))),
        *(
            IndexSpec(f"link_{link}", ((DATASET_ID, ASCENDING), (link, ASCENDING)))
            for link in links
        ),
        IndexSpec(
            "durations",
            (
                (DATASET_ID, ASCENDING),
                ("durations.path", ASCENDING),
                ("durations.days", ASCENDING),
            ),
        ),
    )


INDEXES: dict[str, tuple[IndexSpec, ...]] = {
    VARIANTS: (
        # sequence, range and bracket queries: equality on dataset/assembly/chromosome,
        # then a range on start (end is checked from the same index entries).
        IndexSpec(
            "position",
            (
                (DATASET_ID, ASCENDING),
                ("assemblyId", ASCENDING),
                ("referenceName", ASCENDING),
                ("start", ASCENDING),
                ("end", ASCENDING),
            ),
        ),
        # gene queries by the case-folded symbols; by the symbols as annotated on variants
        # loaded before those were written, and for Data Connect's gene_ids
        IndexSpec("gene_key", ((DATASET_ID, ASCENDING), (GENE_KEYS, ASCENDING))),
        IndexSpec("gene", ((DATASET_ID, ASCENDING), (GENE_IDS, ASCENDING))),
        IndexSpec("aminoacid_change", ((DATASET_ID, ASCENDING), ("aminoacidChanges", ASCENDING))),
        IndexSpec("carriers", ((DATASET_ID, ASCENDING), ("biosampleIds", ASCENDING))),
        # the variantType filter (alone, or joined to other entry types)
        IndexSpec("variant_type", ((DATASET_ID, ASCENDING), ("variantType", ASCENDING))),
        IndexSpec("variant_id", (("variantInternalId", ASCENDING),)),
        IndexSpec("external_id", (("identifiers", ASCENDING),)),
        IndexSpec("hgvs_id", (("record.identifiers.genomicHGVSId", ASCENDING),)),
    ),
    DATASETS: (),
    **{entry: _metadata_indexes(links) for entry, links in _METADATA_LINKS.items()},
    FILTERING_TERMS: (
        IndexSpec(
            "term",
            (
                (DATASET_ID, ASCENDING),
                ("scope", ASCENDING),
                ("kind", ASCENDING),
                ("id", ASCENDING),
            ),
        ),
        # the catalogue filters are resolved against: every dataset's terms of some kinds
        IndexSpec("kind", (("kind", ASCENDING), ("scope", ASCENDING), ("id", ASCENDING))),
    ),
    # a period's budget document is dropped once the period is over
    QUERY_BUDGETS: (IndexSpec("expiry", (("expiresAt", ASCENDING),), expire_after_seconds=0),),
    # exports select a time window
    AUDIT_LOG: (IndexSpec("time", (("at", ASCENDING),)),),
}
