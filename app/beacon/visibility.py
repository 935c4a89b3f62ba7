"""The datasets (and cohorts) this request's caller may see; the others are absent from every
Beacon answer, informational ones included, exactly as if they were not loaded."""

from __future__ import annotations

from flask import g

from app.access.flask_access import current_views
from app.context import current_store
from app.services.cohorts import cohort_dataset_ids
from app.services.datasets import DatasetSummary, known_datasets


def visible_datasets() -> list[DatasetSummary]:
    """The datasets this request's caller may see; the others are absent from every answer.
    Read once per request."""
    if "visible_datasets" not in g:
        datasets = known_datasets(current_store())
        views = current_views(dataset.id for dataset in datasets)
        g.visible_datasets = [dataset for dataset in datasets if dataset.id in views]
    return list(g.visible_datasets)


def visible_cohort_datasets(cohort_id: str) -> set[str]:
    """The datasets of a cohort the caller may see (none: no such cohort, for this caller)."""
    members = cohort_dataset_ids(current_store(), cohort_id)
    return {dataset.id for dataset in visible_datasets() if dataset.id in members}
