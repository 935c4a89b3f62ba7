"""Beacon answers made by hand, as a node sends them, for a node behind ``Misbehaving`` to
answer (``Fault.ANSWER``)."""

from __future__ import annotations

from typing import Any

SCHEMA = {"entityType": "genomicVariation", "schema": "ga4gh-beacon-variant-v2.0.0"}


def node_answer(beacon_id: str, granularity: str = "count", **changes: Any) -> dict[str, Any]:
    """A valid answer of one dataset ``d`` (1 found), as a node sends it, with ``changes`` at
    the top level, in ``meta`` (``meta=``) or in the result set (``result_set=``)."""
    result_set = {"id": "d", "setType": "dataset", "exists": True, "resultsCount": 1}
    result_set["results"] = []
    result_set.update(changes.pop("result_set", {}))
    body: dict[str, Any] = {
        "meta": {**node_meta(beacon_id, granularity), **changes.pop("meta", {})},
        "responseSummary": {"exists": True, "numTotalResults": 1},
        "response": {"resultSets": [result_set]},
    }
    body.update(changes)
    return body


def node_meta(beacon_id: str, granularity: str) -> dict[str, Any]:
    """The ``meta`` of a node's answer at ``granularity`` to a GET with no parameters."""
    return {
        "beaconId": beacon_id,
        "apiVersion": "v2.0.1",
        "returnedGranularity": granularity,
        "returnedSchemas": [SCHEMA],
        "receivedRequestSummary": {
            "apiVersion": "v2.0.1",
            "requestedSchemas": [],
            "pagination": {"skip": 0, "limit": 10},
            "requestedGranularity": granularity,
        },
    }
