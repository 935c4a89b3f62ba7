"""The registry as a GA4GH Service Registry: each node's service-info plus its ``url``."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE

from app.network.hub import Hub
from app.network.registry import NodeEntry
from schemas.network import RegisteredServiceSchema

_SERVICE = RegisteredServiceSchema(unknown=EXCLUDE)


def services(hub: Hub) -> list[dict[str, Any]]:
    return [_service(hub, node) for node in hub.nodes()]


def service(hub: Hub, service_id: str) -> dict[str, Any] | None:
    """A node by its registry id or by its own service id."""
    for found in services(hub):
        if service_id in (found["id"], found.get("nodeId")):
            return found
    return None


def service_types(hub: Hub) -> list[dict[str, Any]]:
    types: list[dict[str, Any]] = []
    for found in services(hub):
        kind = found.get("type")
        if kind and kind not in types:
            types.append(kind)
    return types


def _service(hub: Hub, node: NodeEntry) -> dict[str, Any]:
    """The node's own service-info when the hub could read it; else what the registry says."""
    metadata = hub.metadata(node)
    given = dict(metadata.response("service-info")) if metadata else {}
    loaded = _SERVICE.load(given) if given else {}
    shown = _SERVICE.dump(
        {
            "id": node.id,
            "name": node.name,
            "type": {"group": "org.ga4gh", "artifact": "beacon", "version": "v2.0.0"},
            "organization": {"name": node.name, "url": node.url},
            "version": "unknown",
            **loaded,
            "url": node.url,
            "node_id": node.id,
            "country": node.country,
        }
    )
    return shown
