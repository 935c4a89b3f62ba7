"""The hub's informational answers, as unions of its healthy nodes' own (pure functions).

Each input is a list of ``(node, metadata)`` pairs in registry order; the first node to name
something (an entry type, an endpoint set) gives its definition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.network.merge import without_relayed_repeats
from app.network.metadata import NodeMetadata
from app.network.provenance import Answerer, origin_of, unrelayable, unrelayable_warning
from app.network.registry import NodeEntry

Usable = Sequence[tuple[NodeEntry, NodeMetadata]]


def entry_types_union(nodes: Usable) -> dict[str, Any]:
    """``entryTypes`` of every node's /entry_types (camelCase, as the nodes sent them)."""
    union: dict[str, Any] = {}
    for _, metadata in nodes:
        for entry_id, definition in metadata.response("entry_types").get("entryTypes", {}).items():
            union.setdefault(entry_id, definition)
    return union


def map_union(nodes: Usable, hub_url: str) -> dict[str, Any]:
    """Endpoint sets of every node, with URLs pointing at the hub (which answers for all);
    per-entry filtering-terms URLs are left out, as the hub serves only ``/filtering_terms``."""
    union: dict[str, Any] = {}
    for node, metadata in nodes:
        for entry_id, endpoint_set in metadata.response("map").get("endpointSets", {}).items():
            if entry_id not in union and isinstance(endpoint_set, Mapping):
                rebased = _rebased(endpoint_set, node.url, hub_url)
                rebased.pop("filteringTermsUrl", None)
                union[entry_id] = rebased
    return union


def _rebased(value: Any, node_url: str, hub_url: str) -> Any:
    """A node's URLs as the hub's: the node's base (or whatever precedes the entry path)."""
    if isinstance(value, str):
        if value.startswith(node_url):
            return hub_url + value[len(node_url) :]
        return value
    if isinstance(value, Mapping):
        return {key: _rebased(item, node_url, hub_url) for key, item in value.items()}
    return value


def configuration_union(nodes: Usable) -> dict[str, Any]:
    """The nodes' entry types, their security levels together, and the most cautious maturity
    (a network is only as production-ready as its least ready node)."""
    levels: list[str] = []
    maturity_rank = {"PROD": 2, "TEST": 1, "DEV": 0}
    maturity = "PROD" if nodes else "DEV"
    for _, metadata in nodes:
        configuration = metadata.response("configuration")
        for level in configuration.get("securityAttributes", {}).get("securityLevels", []):
            if level not in levels:
                levels.append(level)
        status = configuration.get("maturityAttributes", {}).get("productionStatus", "DEV")
        if maturity_rank.get(status, 0) < maturity_rank[maturity]:
            maturity = status if status in maturity_rank else "DEV"
    return {
        "maturity": maturity,
        "security_levels": levels or ["PUBLIC"],
        "entry_types": entry_types_union(nodes),
    }


def filtering_terms_union(nodes: Usable) -> dict[str, Any]:
    """Terms merged by id: the first label, the union of scopes (and of known values); the
    ontology resources merged by id."""
    terms: dict[str, dict[str, Any]] = {}
    resources: dict[str, dict[str, Any]] = {}
    for _, metadata in nodes:
        response = metadata.response("filtering_terms")
        for term in response.get("filteringTerms", []) or []:
            if not isinstance(term, Mapping) or not isinstance(term.get("id"), str):
                continue
            merged = terms.setdefault(term["id"], {**term, "scopes": []})
            for scope in term.get("scopes", []) or []:
                if scope not in merged["scopes"]:
                    merged["scopes"].append(scope)
            for value in term.get("values", []) or []:
                known = merged.setdefault("values", [])
                if value not in known:
                    known.append(value)
        for resource in response.get("resources", []) or []:
            if isinstance(resource, Mapping) and isinstance(resource.get("id"), str):
                resources.setdefault(resource["id"], dict(resource))
    for term in terms.values():
        if not term["scopes"]:
            del term["scopes"]
    return {"filteringTerms": list(terms.values()), "resources": list(resources.values())}


def datasets_union(nodes: Usable) -> list[dict[str, Any]]:
    """Every node's datasets, each saying which beacon holds it, which node it came through and
    the country; a dataset reached twice (directly and through another hub) is listed once."""
    return [record for _, record in _datasets(nodes)]


def datasets_by_node(nodes: Usable) -> dict[str, list[dict[str, Any]]]:
    """Every node's datasets under the id of the registry node they were read from (which
    ``nodeId`` then names, so a dataset relayed by another hub is listed under that hub); a
    dataset reached twice is listed once, under the node holding it directly."""
    by_node: dict[str, list[dict[str, Any]]] = {}
    for node_id, record in _datasets(nodes):
        by_node.setdefault(node_id, []).append({**record, "nodeId": node_id})
    return by_node


def unrelayable_datasets(nodes: Usable) -> list[str]:
    """A warning for each node whose /datasets lists datasets of a beacon it may not answer
    for (``app.network.provenance``), which the unions leave out."""
    warnings = []
    for node, metadata in nodes:
        answerer = _answerer(node, metadata)
        refused = unrelayable(answerer, _listed_datasets(metadata))
        if refused:
            warnings.append(unrelayable_warning(answerer, refused, "datasets"))
    return warnings


def _datasets(nodes: Usable) -> list[tuple[str, dict[str, Any]]]:
    """(registry node id, dataset record) of every node's /datasets, relayed repeats left out."""
    return without_relayed_repeats(
        [(bool(node.relays), _node_datasets(node, metadata)) for node, metadata in nodes],
        lambda pair: (pair[1]["beaconId"], pair[1]["id"]),
    )


def _node_datasets(node: NodeEntry, metadata: NodeMetadata) -> list[tuple[str, dict[str, Any]]]:
    """The node's datasets: its own, as it describes them but for the beacon and node they
    are of, and those of the beacons the registry lets it relay."""
    answerer = _answerer(node, metadata)
    records = []
    for record in _listed_datasets(metadata):
        origin = origin_of(answerer, record)
        if origin is None:
            continue
        shown = {
            **record,
            "beaconId": origin.beacon_id,
            "nodeId": origin.node_id,
            "country": record.get("country") or origin.country,
        }
        records.append((node.id, shown))
    return records


def _listed_datasets(metadata: NodeMetadata) -> list[Mapping[str, Any]]:
    listed = metadata.response("datasets").get("collections", []) or []
    return [
        record
        for record in (listed if isinstance(listed, list) else [])
        if isinstance(record, Mapping) and isinstance(record.get("id"), str)
    ]


def _answerer(node: NodeEntry, metadata: NodeMetadata) -> Answerer:
    return Answerer(node.id, node.country, metadata.beacon_id, node.relays)
