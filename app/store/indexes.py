"""Indexes a production MongoDB needs for every query shape the beacon serves.

One place lists them so the loaders create them and the docs can show them.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.store.collections import DATASETS, VARIANTS


@dataclass(frozen=True)
class IndexSpec:
    name: str
    keys: tuple[tuple[str, int], ...]
    unique: bool = False


ASCENDING = 1

INDEXES: dict[str, tuple[IndexSpec, ...]] = {
    VARIANTS: (
        # sequence, range and bracket queries: equality on dataset/assembly/chromosome,
        # then a range on start (end is checked from the same index entries).
        IndexSpec(
            "position",
            (
                ("datasetId", ASCENDING),
                ("assemblyId", ASCENDING),
                ("referenceName", ASCENDING),
                ("start", ASCENDING),
                ("end", ASCENDING),
            ),
        ),
        IndexSpec("gene", (("datasetId", ASCENDING), ("geneIds", ASCENDING))),
        IndexSpec("aminoacid_change", (("datasetId", ASCENDING), ("aminoacidChanges", ASCENDING))),
        IndexSpec("variant_id", (("variantInternalId", ASCENDING),)),
        IndexSpec("external_id", (("identifiers", ASCENDING),)),
        IndexSpec("hgvs_id", (("record.identifiers.genomicHGVSId", ASCENDING),)),
    ),
    DATASETS: (),
}
