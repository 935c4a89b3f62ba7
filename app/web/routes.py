"""The catalog page: GET /catalog, and GET / for a browser that prefers HTML (see ``prefers_html``);
its script and style sheet are served from this package under /catalog/static."""

from __future__ import annotations

from flask import Blueprint, render_template
from werkzeug.datastructures import MIMEAccept

from app.access.flask_access import current_views
from app.access.protections import published_total
from app.beacon.visibility import visible_datasets
from app.catalog.laws import bundled_registry
from app.context import current_settings, current_store
from app.genome import ASSEMBLY_SYNONYMS
from app.services.datasets import dataset_records
from app.store.collections import METADATA_STATS
from app.web.view import catalog_by_country

blueprint = Blueprint(
    "catalog_page",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/catalog/static",
)


def prefers_html(accept: MIMEAccept) -> bool:
    """True when the client ranks text/html above application/json (a browser); a tie, ``*/*``
    or no Accept header keeps the JSON a Beacon client expects."""
    return accept.best_match(("application/json", "text/html")) == "text/html"


@blueprint.get("/catalog")
def catalog() -> str:
    return catalog_page()


def catalog_page() -> str:
    """The page over the datasets this request's caller may see."""
    settings = current_settings()
    datasets = visible_datasets()
    store = current_store()
    records = dataset_records(
        store, {dataset.id: settings.access.level_of(dataset.id) for dataset in datasets}
    )
    views = current_views(dataset.id for dataset in datasets)
    threshold = settings.access.protections.small_count_threshold

    def published(dataset_id: str, total: int) -> int:
        """A protected dataset's small totals are banded here too."""
        return published_total(total, threshold) if views[dataset_id].protected else total

    metadata_counts = {
        dataset_id: {
            name: published(dataset_id, value) if isinstance(value, int) else value
            for name, value in counts.items()
        }
        for dataset_id, counts in store.by_dataset(
            METADATA_STATS, [dataset.id for dataset in datasets]
        ).items()
    }
    groups = catalog_by_country(
        records,
        {dataset.id: published(dataset.id, dataset.variant_count) for dataset in datasets},
        metadata_counts,
        bundled_registry().by_id,
    )
    return render_template(
        "web/catalog.html", settings=settings, groups=groups, assemblies=tuple(ASSEMBLY_SYNONYMS)
    )
