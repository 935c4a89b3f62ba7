"""What the hub's /info says of its network: every node, its health and what is wrong with it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.network.hub import Hub


def network_status(hub: Hub) -> dict[str, Any]:
    nodes = []
    for node in hub.nodes():
        metadata = hub.metadata(node)
        error = hub.metadata_error(node)
        health = hub.health(node)
        if hub.is_self(node):
            state = "self"  # the registry lists this hub: never asked
        elif error is not None or metadata is None:
            state = "unavailable"
        elif health.circuit_open:
            state = "failing"
        else:
            state = "healthy"
        nodes.append(
            {
                "id": node.id,
                "name": node.name,
                "url": node.url,
                "country": node.country,
                "beaconId": metadata.beacon_id if metadata else None,
                "isHub": bool(metadata and metadata.is_hub),
                "status": state,
                "tokenPolicy": node.token.kind,
                "metadataError": error,
                "metadataProblems": list(metadata.problems) if metadata else [],
                "metadataReadAt": metadata.fetched_at.isoformat(timespec="seconds")
                if metadata
                else None,
                "health": health.report(),
            }
        )
    return {
        "hub": True,
        "nodes": nodes,
        "registry": str(hub.registry.path),
        "registryProblem": hub.registry.problem,
        "answerValidation": "official Beacon v2 schemas and shape checks"
        if hub.schemas.enabled
        else "shape checks only (SCHEMAS_DIR not set)",
        "timeoutSeconds": hub.settings.timeout,
        "maxHops": hub.settings.max_hops,
    }


def node_problem(report: Mapping[str, Any]) -> str | None:
    """Why a node of ``network_status`` cannot be asked now, in words (None: it can be)."""
    status = report.get("status")
    if status == "self":
        return "this hub itself: never asked"
    if status == "unavailable":
        error = report.get("metadataError") or "not read yet"
        return f"its metadata could not be read: {error}"
    if status == "failing":
        health = report.get("health") or {}
        failures = health.get("failuresInARow", 0)
        last = health.get("lastError") or "no answer"
        return f"not asked for now (circuit open after {failures} failures in a row): {last}"
    return None
