"""What the hub's /info says of its network: every node, its health and what is wrong with it;
and the warnings every answer built from the nodes' metadata carries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.network.hub import Hub

LEFT_OUT = frozenset({"unavailable", "failing"})  # statuses of nodes the unions leave out


def network_status(hub: Hub) -> dict[str, Any]:
    conflicts = hub.beacon_id_conflicts()
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
        elif node.id in conflicts:
            state = "sharedBeaconId"  # asked, but its beacon id is not its own alone
        else:
            state = "healthy"
        report = {
            "id": node.id,
            "name": node.name,
            "url": node.url,
            "country": node.country,
            "beaconId": metadata.beacon_id if metadata else None,
            "isHub": bool(metadata and metadata.is_hub),
            "relays": sorted(node.relays),
            "status": state,
            "tokenPolicy": node.token.kind,
            "metadataError": error,
            "metadataProblems": list(metadata.problems) if metadata else [],
            "metadataReadAt": metadata.fetched_at.isoformat(timespec="seconds")
            if metadata
            else None,
            "beaconIdConflict": conflicts.get(node.id),
            "health": health.report(),
        }
        report["problem"] = node_problem(report)
        nodes.append(report)
    return {
        "hub": True,
        "instanceId": hub.instance_id,
        "nodes": nodes,
        "warnings": node_warnings(nodes),
        "registry": str(hub.registry.path),
        "registryProblem": hub.registry.problem,
        "answerValidation": "official Beacon v2 schemas and shape checks"
        if hub.schemas.enabled
        else "shape checks only (SCHEMAS_DIR not set)",
        "timeoutSeconds": hub.settings.timeout,
        "maxHops": hub.settings.max_hops,
    }


def node_problem(report: Mapping[str, Any]) -> str | None:
    """What is wrong with a node of ``network_status``, in words (None: nothing): why it
    cannot be asked now, and a beacon id it shares."""
    problems = [_status_problem(report), report.get("beaconIdConflict"), _relay_problem(report)]
    found = [problem for problem in problems if problem]
    return "; ".join(found) if found else None


def _status_problem(report: Mapping[str, Any]) -> str | None:
    status = report.get("status")
    if status == "self":
        return "this hub itself: never asked"
    if status == "unavailable":
        error = report.get("metadataError")
        if error is None:
            return "its metadata is not read yet"
        return f"its metadata could not be read: {error}"
    if status == "failing":
        health = report.get("health") or {}
        failures = health.get("failuresInARow", 0)
        last = health.get("lastError") or "no answer"
        return f"not asked for now (circuit open after {failures} failures in a row): {last}"
    return None


def _relay_problem(report: Mapping[str, Any]) -> str | None:
    if report.get("isHub") and not report.get("relays") and report.get("status") != "self":
        return (
            "it is a hub, but the registry lists no beacons it may relay (relays): the sets "
            "and datasets it relays from other beacons are left out"
        )
    return None


def node_warnings(reports: list[Mapping[str, Any]]) -> list[str]:
    """One warning per node an answer built from the nodes' metadata cannot rely on: left out
    (not read yet, unreadable, failing), or sharing its beacon id."""
    warnings = []
    for report in reports:
        if report.get("status") == "self":
            continue
        if report.get("status") in LEFT_OUT:
            warnings.append(f"node {report['id']} is left out: {node_problem(report)}")
        elif report.get("beaconIdConflict") or _relay_problem(report):
            warnings.append(f"node {report['id']}: {node_problem(report)}")
    return warnings


def metadata_warnings(hub: Hub) -> list[str]:
    """The warnings of an answer built from the nodes' metadata (the unions, /datasets)."""
    return node_warnings(network_status(hub)["nodes"])


def conflict_warnings(hub: Hub) -> list[str]:
    """The warnings of a query answer, whose nodes not asked report themselves: the beacon
    ids shared (read from the metadata in memory, no request)."""
    return [f"node {node_id}: {text}" for node_id, text in hub.beacon_id_conflicts().items()]
