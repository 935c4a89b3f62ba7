"""Telling hubs and nodes apart (pure, but for the host name a derived instance id includes).

A beacon id is whatever each operator configured, so two nodes (or a node and the hub) may well
present the same one. The hub therefore knows itself by an *instance id* that all its workers
share, publishes it in its /info (``info.network.instanceId``) and writes it on the loop guard's
path; a beacon id shared by several nodes is reported, never used to leave a node out.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import uuid
from collections.abc import Mapping

# it travels in a comma-separated header: no commas, no spaces
INSTANCE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
BEACON_ID_FIX = "set ASIA_BEACON_BEACON_ID"


def new_instance_id() -> str:
    """A fresh id for one run of a hub (``asia-beacon hub`` makes one for all its workers)."""
    return uuid.uuid4().hex


def derived_instance_id(beacon_id: str, nodes_file: str) -> str:
    """The id of a hub given none: the same in every process of one configuration on one
    machine (the workers of one gunicorn), different for another beacon id, registry or host."""
    identity = "\n".join((beacon_id, os.path.abspath(nodes_file), socket.gethostname()))
    return hashlib.sha256(identity.encode()).hexdigest()[:32]


def checked_instance_id(value: str) -> str:
    if not INSTANCE_ID.fullmatch(value):
        raise ValueError(
            "NETWORK_INSTANCE_ID must be 1 to 128 letters, digits and . _ : - (no commas)"
        )
    return value


def beacon_id_conflicts(own_beacon_id: str, beacon_ids: Mapping[str, str]) -> dict[str, str]:
    """For each node (registry id -> the beacon id its /info gives) whose beacon id is also
    this hub's or another node's: what is wrong, and the fix."""
    holders: dict[str, list[str]] = {}
    for node_id, beacon_id in beacon_ids.items():
        holders.setdefault(beacon_id, []).append(node_id)
    conflicts = {}
    for node_id, beacon_id in beacon_ids.items():
        others = [f"node {other}" for other in holders[beacon_id] if other != node_id]
        if beacon_id == own_beacon_id:
            others.insert(0, "this hub")
        if not others:
            continue
        where = "on that node (or on this hub)" if beacon_id == own_beacon_id else "on each node"
        conflicts[node_id] = (
            f"its beacon id {beacon_id} is also that of {' and '.join(others)}; it is asked all "
            f"the same, its result sets told apart by info.nodeId: {BEACON_ID_FIX} {where} "
            "to an id of its own"
        )
    return conflicts
