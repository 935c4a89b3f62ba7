"""Which beacon a node's result set, dataset or cohort is of, and which node it came through
(pure): what a node's answer claims is checked against what the registry says of that node.

A node answers for itself: its sets are of its own beacon id (the one its /info gives) and
carry its registry id and country, whatever the answer says. Only a node the registry lists
with ``relays`` (another hub) may present sets of other beacons, and only of the beacons listed
there; those keep the node id and country the relaying hub gave them, and say which node of
this hub relayed them. Anything else a node presents is left out, and the answer says so, so
no node can pass its sets off as another's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Answerer:
    """A node of the registry as it answered: its id, country, beacon id and relays."""

    node_id: str
    country: str
    beacon_id: str | None  # from its /info; None: not read
    relays: frozenset[str] = frozenset()

    @property
    def own_beacon_id(self) -> str:
        return self.beacon_id or self.node_id


@dataclass(frozen=True)
class Origin:
    beacon_id: str  # the beacon holding the set or dataset
    node_id: str  # the node it came from: this hub's, or the relaying hub's id for it
    country: str
    relayed_by: str | None = None  # this hub's node (a hub) it came through; None: its own


def origin_of(answerer: Answerer, claimed: Mapping[str, Any]) -> Origin | None:
    """Where a set or record comes from, given what it claims (``beaconId``, ``nodeId``,
    ``country``); None when ``answerer`` may not present it."""
    beacon_id = _text(claimed.get("beaconId")) or answerer.own_beacon_id
    if beacon_id == answerer.own_beacon_id:
        return Origin(beacon_id, answerer.node_id, answerer.country)
    if beacon_id not in answerer.relays:
        return None
    return Origin(
        beacon_id,
        _text(claimed.get("nodeId")) or answerer.node_id,
        _text(claimed.get("country")) or answerer.country,
        relayed_by=answerer.node_id,
    )


def unrelayable(answerer: Answerer, claims: Iterable[Mapping[str, Any]]) -> list[str]:
    """The beacon ids among ``claims`` that ``answerer`` may not present, sorted."""
    return sorted(
        {str(claim.get("beaconId")) for claim in claims if origin_of(answerer, claim) is None}
    )


def unrelayable_warning(answerer: Answerer, beacon_ids: list[str], what: str) -> str:
    """The warning naming what was left out of a node's answer (``what``: "result sets")."""
    why = (
        "not among the beacons the registry lets it relay"
        if answerer.relays
        else "the registry does not list it as a hub relaying them"
    )
    return (
        f"node {answerer.node_id} presented {what} of {', '.join(beacon_ids)}, another "
        f"beacon's ({why}): left out"
    )


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
