"""The hub's Data Connect table of its network, ``asia_beacon.network.datasets``: one row per
dataset of every node in the registry, with that node's status, kept in the hub's own store.

The rows are rebuilt before each Data Connect read from what the hub knows at that moment (its
nodes' metadata as last read, their health now), not only when metadata is read: a node's status
changes with every query it fails. Nothing is written when the rows are those written last.
Otherwise each row is replaced in place and only then are stale rows removed, so a read running
meanwhile sees every row, old or new, and never a half-empty table. On MongoDB the collection is
shared by the workers of a pool, and each writes its own view of the nodes' health (they agree
once each has read the nodes).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

from app.network.hub import Hub
from app.network.status import network_status, node_problem
from app.network.unions import datasets_by_node
from app.store import Store
from app.store.collections import NETWORK_DATASETS

_DATASET_COLUMNS = (
    "dataset_id",
    "name",
    "description",
    "organization",
    "populations",
    "duo_codes",
    "duo_labels",
    "privacy_laws",
    "access_level",
)


def network_dataset_rows(
    reports: Sequence[Mapping[str, Any]],
    datasets: Mapping[str, Sequence[Mapping[str, Any]]],
) -> list[dict[str, Any]]:
    """The table's documents: ``reports`` are the nodes as the hub's /info reports them
    (registry order), ``datasets`` the Beacon dataset records of each node id. A node without
    a known dataset gets one row with null dataset columns. ``_id`` keeps registry order."""
    rows = []
    for node_index, report in enumerate(reports):
        node = _node_columns(report)
        records = datasets.get(str(report["id"])) or ()
        if not records:
            rows.append(
                {
                    "_id": f"{node_index:04d}/",
                    **node,
                    "country": _text(report.get("country")),
                    **dict.fromkeys(_DATASET_COLUMNS),
                }
            )
        for dataset_index, record in enumerate(records):
            terms = (record.get("dataUseConditions") or {}).get("duoDataUse") or []
            terms = [term for term in terms if isinstance(term, Mapping)]
            rows.append(
                {
                    "_id": f"{node_index:04d}/{dataset_index:05d}",
                    **node,
                    "beacon_id": _text(record.get("beaconId")) or node["beacon_id"],
                    "country": _text(record.get("country") or report.get("country")),
                    "dataset_id": _text(record.get("id")),
                    "name": _text(record.get("name")),
                    "description": _text(record.get("description")),
                    "organization": _text(record.get("organization")),
                    "populations": _texts(record.get("populations")),
                    "duo_codes": _texts([term.get("id") for term in terms]) if terms else None,
                    # "" keeps the labels in step with the codes where a node gave none
                    "duo_labels": [_text(term.get("label")) or "" for term in terms] or None,
                    "privacy_laws": _texts(record.get("privacyLaws")),
                    "access_level": _text(record.get("accessLevel")),
                }
            )
    return rows


def _node_columns(report: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "beacon_id": _text(report.get("beaconId")),
        "node_id": _text(report["id"]),
        "node_name": _text(report.get("name")),
        "node_url": _text(report.get("url")),
        "node_status": _text(report.get("status")),
        "node_problem": node_problem(report),
        "metadata_read_at": _text(report.get("metadataReadAt")),
    }


def _text(value: Any) -> str | None:
    """A node's value as a text column: numbers are written out, anything else is null."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _texts(value: Any) -> list[str] | None:
    if not isinstance(value, list):
        return None
    return [text for text in (_text(item) for item in value) if text is not None]


class NetworkDatasetTable:
    """Keeps the ``networkDatasets`` collection of one hub's store in step with the hub."""

    def __init__(self, store: Store, hub: Hub) -> None:
        self._store = store
        self._hub = hub
        self._lock = threading.Lock()
        self._written: list[dict[str, Any]] | None = None

    def refresh(self) -> None:
        """Read the nodes never read yet (as every hub answer does), then write the rows."""
        self._hub.keep_fresh()
        rows = network_dataset_rows(
            network_status(self._hub)["nodes"], datasets_by_node(self._hub.read_nodes())
        )
        with self._lock:
            if rows == self._written:
                return
            self._store.sync_rows(NETWORK_DATASETS, rows)
            self._written = rows
