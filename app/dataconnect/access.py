"""What one caller may read through Data Connect, as stages around a table's base pipeline.

Data Connect rows are records: a table shows the rows of the datasets the caller may see at
record granularity, and nothing of the others (no counts either, since a SQL ``COUNT`` over
rows is a count the dataset's level may not allow). The catalog lists every dataset the caller
may see, with its level, and with small counts banded on the protected levels. On PUBLIC
datasets, variants rarer than the rare-allele threshold are absent, as on the Beacon side.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.access.policy import DatasetView, Protections
from app.access.protections import hides_rare_alleles, shown_variants
from app.store.lower_mongo import mongo_filter
from app.store.query import Predicate

CATALOG_COUNTS = ("variant_count", "sample_count", "individual_count", "biosample_count")


@dataclass(frozen=True)
class RowAccess:
    levels: Mapping[str, str] = field(default_factory=dict)  # listed datasets and their level
    readable: tuple[str, ...] = ()  # datasets whose rows may be read
    common_only: tuple[str, ...] = ()  # datasets whose rare alleles are absent
    rare_frequency: float = 0.0
    banded: tuple[str, ...] = ()  # datasets whose small counts are banded in the catalog
    threshold: int = 0


def row_access(views: Mapping[str, DatasetView], protections: Protections) -> RowAccess:
    """The caller's reach, from its views of the datasets it may see."""
    readable = tuple(ident for ident, view in views.items() if view.granularity == "record")
    frequency = protections.rare_allele_frequency
    return RowAccess(
        levels={ident: view.level for ident, view in views.items()},
        readable=readable,
        common_only=tuple(i for i in readable if hides_rare_alleles(views[i].level, frequency)),
        rare_frequency=protections.rare_allele_frequency,
        banded=tuple(ident for ident, view in views.items() if view.protected),
        threshold=protections.small_count_threshold,
    )


def stored_selector(
    dataset_field: str | None, catalog: bool, variants: bool, access: RowAccess
) -> dict:
    """Selector of the stored documents the caller may read (they enter the pipeline first);
    a table of no dataset's data (``dataset_field`` None) is read whole."""
    shown = visible_rows(dataset_field, catalog, variants, access)
    return {} if shown is None else mongo_filter(shown, dataset_field)


def visible_rows(
    dataset_field: str | None, catalog: bool, variants: bool, access: RowAccess
) -> Predicate | None:
    """What selects the stored rows the caller may read; None: every row (a table of no
    dataset's data)."""
    if dataset_field is None:
        return None
    allowed = list(access.levels) if catalog else list(access.readable)
    rare_hidden = list(access.common_only) if variants else []
    return shown_variants(allowed, rare_hidden, access.rare_frequency)


def catalog_stages(access: RowAccess) -> list[dict[str, Any]]:
    """The catalog's access level column, and its counts banded where the level protects them."""
    branches = [
        {"case": {"$eq": ["$id", ident]}, "then": level} for ident, level in access.levels.items()
    ]
    level: Any = {"$switch": {"branches": branches, "default": None}} if branches else None
    columns: dict[str, Any] = {"access_level": level if branches else {"$literal": None}}
    if access.threshold > 0 and access.banded:
        for count in CATALOG_COUNTS:
            small = {
                "$and": [
                    {"$in": ["$id", list(access.banded)]},
                    {"$gt": [f"${count}", 0]},
                    {"$lt": [f"${count}", access.threshold]},
                ]
            }
            columns[count] = {"$cond": [small, access.threshold, f"${count}"]}
    return [{"$addFields": columns}]
