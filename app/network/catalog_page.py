"""The network's catalog page: every node's datasets by country, and which nodes are down."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.catalog.laws import bundled_registry
from app.context import current_settings
from app.genome import ASSEMBLY_SYNONYMS
from app.network.context import fresh_hub
from app.network.status import network_status
from app.network.unions import datasets_union
from app.web.view import catalog_by_country

blueprint = Blueprint(
    "network_catalog",
    __name__,
    template_folder="../web/templates",
    static_folder="../web/static",
    static_url_path="/catalog/static",
)


@blueprint.get("/catalog")
def catalog() -> str:
    return network_catalog_page()


def network_catalog_page() -> str:
    hub = fresh_hub()
    records = [
        {**record, "accessLevel": record.get("accessLevel") or "not stated"}
        for record in datasets_union(hub.usable_nodes())
    ]
    groups = catalog_by_country(records, {}, {}, bundled_registry().by_id)
    return render_template(
        "web/network.html",
        settings=current_settings(),
        groups=groups,
        records=records,
        network=network_status(hub),
        assemblies=tuple(ASSEMBLY_SYNONYMS),
    )
