"""The network's catalog page: the registry's nodes and whether each can be asked, every node's
datasets by country, and the variant search asked of the whole network."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.catalog.laws import bundled_registry
from app.context import current_settings
from app.genome import ASSEMBLY_SYNONYMS
from app.network.context import fresh_hub
from app.network.status import network_status, node_problem
from app.network.unions import datasets_by_node
from app.web.view import catalog_by_country, network_nodes

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
    """Datasets are those of the nodes' /datasets as last read, a down node's too (marked as
    such): what the network holds, even when part of it cannot be searched now."""
    hub = fresh_hub()
    nodes = network_nodes(network_status(hub)["nodes"], node_problem)
    by_node = datasets_by_node(hub.read_nodes())
    records = [
        {**record, "accessLevel": record.get("accessLevel") or "not stated"}
        for node in nodes
        for record in by_node.get(node.id, ())
    ]
    return render_template(
        "web/network.html",
        settings=current_settings(),
        groups=catalog_by_country(records, {}, {}, bundled_registry().by_id),
        nodes=nodes,
        nodes_by_id={node.id: node for node in nodes},
        assemblies=tuple(ASSEMBLY_SYNONYMS),
    )
