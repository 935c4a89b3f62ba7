"""One Beacon answer from the answers of many nodes (pure: no Flask, no HTTP).

The rules, each chosen so the hub never claims more than the nodes said:

* every node's result sets are kept, each marked with the ``beaconId`` that holds the dataset; a
  node that answered without result sets (boolean or count only) becomes one result set of its
  own (``setType: beacon``), and a node that did not answer becomes an empty one saying why;
* a set is the answering node's own, or one of a beacon the registry lets that node relay
  (``app.network.provenance``); any other is left out, with a warning;
* records come only from a set at record granularity (the node's answer, and a set's own);
* a result set relayed by another hub that repeats one already seen (the same beacon's dataset
  reached directly and through that hub) counts once, the direct answer first; a direct node's
  sets are all kept, even when another direct node presents the same beacon id (``info.nodeId``
  tells them apart);
* ``exists`` is true when any node says so;
* ``numTotalResults`` is what is certain: the exact counts, plus the low end of each banded count
  (a node's small-count protection) and 1 for each boolean "yes", so it is never 0 when a node
  says something exists; a band, a yes or a node that did not answer make it a lower bound, and
  the answer says so rather than inventing a number;
* ``returnedGranularity`` is the coarsest granularity a node really returned, and
  ``returnedSchemas`` the union of theirs;
* ``includeResultsetResponses`` (HIT, MISS, ALL, NONE) is applied by the hub over all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from app.network.provenance import (
    Answerer,
    Origin,
    origin_of,
    unrelayable,
    unrelayable_warning,
)
from app.query.request import GRANULARITY_ORDER

ANSWERED, FAILED, SKIPPED = "answered", "failed", "skipped"
NODE_SET_TYPE = "beacon"  # a result set standing for a whole node's answer
Item = TypeVar("Item")


@dataclass(frozen=True)
class NodeAnswer:
    """What one node contributed to a query: its parsed answer, or why there is none."""

    node_id: str
    country: str
    beacon_id: str | None
    status: str  # ANSWERED, FAILED or SKIPPED
    reason: str | None = None
    body: Mapping[str, Any] | None = None
    seconds: float | None = None
    # beacons the registry lets the node (another hub) relay: its sets may repeat direct ones
    relays: frozenset[str] = frozenset()
    http_status: int | None = None  # a failed node's HTTP error status, if it sent one
    timed_out: bool = False  # a failed node gave no answer in time

    @property
    def answerer(self) -> Answerer:
        return Answerer(self.node_id, self.country, self.beacon_id, self.relays)


def merged_answer(
    meta: dict[str, Any],
    answers: Sequence[NodeAnswer],
    requested_granularity: str,
    inclusion: str,
    hub_warnings: Sequence[str] = (),
) -> dict[str, Any]:
    """The hub's beaconResultsetsResponse (snake_case, for ``NetworkResultsetsResponseSchema``);
    ``meta`` is the hub's own, whose granularity and schemas are set here."""
    answered = [answer for answer in answers if answer.status == ANSWERED]
    granularity = coarsest([_granularity(answer.body) for answer in answered]) or (
        requested_granularity
    )
    sets = without_relayed_repeats(
        [(bool(answer.relays), node_result_sets(answer)) for answer in answered],
        lambda result_set: (result_set["beacon_id"], result_set["id"], result_set["set_type"]),
    )
    failed = [answer for answer in answers if answer.status == FAILED]
    sets.extend(_unanswered_set(answer) for answer in failed)

    exists = any(result_set["exists"] for result_set in sets)
    inexact = any(
        result_set["exists"] and result_set["info"]["count_precision"] != "exact"
        for result_set in sets
    )
    summary: dict[str, Any] = {"exists": exists}
    if granularity != "boolean":
        summary["num_total_results"] = sum(certain_count(result_set) for result_set in sets)
    warnings = network_warnings(answers, hub_warnings)
    warnings.extend(_unrelayable_sets(answered))
    if inexact and granularity != "boolean":
        warnings.append(
            "numTotalResults counts a banded count at the low end of its band and a yes "
            "without a count as 1: the true total is at least this"
        )
    info: dict[str, Any] = {
        "network": {
            "nodes": [_report(answer) for answer in answers],
            "num_total_results_is_lower_bound": inexact or bool(failed),
        }
    }
    if warnings:
        info["warnings"] = warnings
    return {
        "meta": {
            **meta,
            "returned_granularity": granularity,
            "returned_schemas": _schemas_union(answered, meta.get("returned_schemas", [])),
        },
        "response_summary": summary,
        "info": info,
        "response": {"result_sets": included(sets, inclusion)},
    }


def without_relayed_repeats(
    groups: Iterable[tuple[bool, Iterable[Item]]], key: Callable[[Item], Hashable]
) -> list[Item]:
    """The items of every group, ``(relayed, items)`` with the direct groups first. An item
    relayed through another hub is left out when its ``key`` (beacon id and dataset) was met
    before: the same beacon's dataset reached twice. A direct node's item never is, since two
    direct nodes may present one beacon id."""
    kept: list[Item] = []
    seen: set[Hashable] = set()
    for relayed, items in sorted(groups, key=lambda group: group[0]):
        for item in items:
            found = key(item)
            if relayed and found in seen:
                continue
            seen.add(found)
            kept.append(item)
    return kept


def certain_count(result_set: Mapping[str, Any]) -> int:
    """What a result set surely holds: its exact count, the low end of its band, or its lower
    bound (1 for a yes); at least 1 when it exists."""
    count = result_set["results_count"]
    if result_set["info"]["count_precision"] == "band":
        band = result_set["info"].get("count_band") or {}
        low = band.get("min")
        count = low if isinstance(low, int) and not isinstance(low, bool) and low >= 0 else 0
    return max(count, 1) if result_set["exists"] else count


def coarsest(granularities: Sequence[str]) -> str | None:
    known = [g for g in granularities if g in GRANULARITY_ORDER]
    return min(known, key=GRANULARITY_ORDER.index) if known else None


def node_result_sets(answer: NodeAnswer) -> list[dict[str, Any]]:
    """A node's answer as hub result sets: its own sets, or one set for the whole node."""
    body = answer.body or {}
    granularity = _granularity(body)
    response = body.get("response")
    listed = response.get("resultSets") if isinstance(response, Mapping) else None
    if listed:
        answerer = answer.answerer
        sets = []
        for item in listed:
            origin = origin_of(answerer, _claims(item))
            if origin is not None:
                sets.append(_dataset_set(answer, item, granularity, origin))
        return sets
    summary = body.get("responseSummary", {})
    exists = bool(summary.get("exists"))
    count = summary.get("numTotalResults")
    if granularity == "boolean" or count is None:
        count, precision = (1, "lowerBound") if exists else (0, "exact")
    else:
        precision = "exact"
    return [
        {
            "id": answer.beacon_id or answer.node_id,
            "set_type": NODE_SET_TYPE,
            "beacon_id": answer.beacon_id or answer.node_id,
            "exists": exists,
            "results_count": count,
            "results": [],
            "info": _set_info(answer, granularity, precision),
        }
    ]


def _dataset_set(
    answer: NodeAnswer, item: Mapping[str, Any], granularity: str, origin: Origin
) -> dict[str, Any]:
    """A node's result set, of the beacon and through the node ``origin`` says; its records
    only at record granularity: the answer's, and the set's own when it says one (a set
    relayed by another hub says its origin's, which that hub's answer may be coarser than)."""
    given = item.get("info") if isinstance(item.get("info"), Mapping) else {}
    band = given.get("countBand")
    precision = given.get("countPrecision")
    if precision not in ("exact", "band", "lowerBound"):
        if isinstance(band, Mapping):
            precision = "band"
        elif granularity == "boolean" and item["exists"]:
            precision = "lowerBound"
        else:
            precision = "exact"
    said = given.get("returnedGranularity")
    said = said if said in GRANULARITY_ORDER else None
    if origin.relayed_by is None:
        granularity = coarsest([said or granularity, granularity]) or granularity
    else:
        granularity = said or granularity
    info = _set_info(answer, granularity, precision)
    info["node_id"], info["country"] = origin.node_id, origin.country
    if origin.relayed_by is not None:
        info["relayed_by"] = origin.relayed_by
    if isinstance(band, Mapping):
        info["count_band"] = {"min": band.get("min"), "max": band.get("max")}
    return {
        "id": item["id"],
        "set_type": str(item.get("setType") or "dataset"),
        "beacon_id": origin.beacon_id,
        "exists": item["exists"],
        "results_count": item["resultsCount"],
        "results": list(item.get("results") or []) if granularity == "record" else [],
        "info": info,
    }


def _claims(item: Mapping[str, Any]) -> dict[str, Any]:
    """What a result set says of its origin: its ``beaconId``, ``info.nodeId`` and
    ``info.country``."""
    given = item.get("info") if isinstance(item.get("info"), Mapping) else {}
    return {
        "beaconId": item.get("beaconId"),
        "nodeId": given.get("nodeId"),
        "country": given.get("country"),
    }


def _unrelayable_sets(answered: Sequence[NodeAnswer]) -> list[str]:
    """A warning for each node that presented sets of a beacon it may not answer for."""
    warnings = []
    for answer in answered:
        response = (answer.body or {}).get("response")
        listed = response.get("resultSets") if isinstance(response, Mapping) else None
        refused = unrelayable(answer.answerer, [_claims(item) for item in listed or []])
        if refused:
            warnings.append(unrelayable_warning(answer.answerer, refused, "result sets"))
    return warnings


def _unanswered_set(answer: NodeAnswer) -> dict[str, Any]:
    info = _set_info(answer, "boolean", "lowerBound")
    info["unanswered"] = answer.reason or "no answer"
    return {
        "id": answer.beacon_id or answer.node_id,
        "set_type": NODE_SET_TYPE,
        "beacon_id": answer.beacon_id or answer.node_id,
        "exists": False,
        "results_count": 0,
        "results": [],
        "info": info,
    }


def _set_info(answer: NodeAnswer, granularity: str, precision: str) -> dict[str, Any]:
    return {
        "node_id": answer.node_id,
        "country": answer.country,
        "returned_granularity": granularity,
        "count_precision": precision,
    }


def included(sets: list[dict[str, Any]], inclusion: str) -> list[dict[str, Any]]:
    """The result sets ``includeResultsetResponses`` asks to see."""
    if inclusion == "NONE":
        return []
    if inclusion == "ALL":
        return sets
    wanted = inclusion != "MISS"
    return [result_set for result_set in sets if result_set["exists"] == wanted]


def _granularity(body: Mapping[str, Any] | None) -> str:
    meta = (body or {}).get("meta") or {}
    return str(meta.get("returnedGranularity") or "boolean")


def _schemas_union(
    answered: Sequence[NodeAnswer], own: Sequence[Mapping[str, str]]
) -> list[dict[str, str]]:
    union: dict[tuple[str, str], dict[str, str]] = {}
    for reference in own:
        union[(reference["entity_type"], reference["schema"])] = dict(reference)
    for answer in answered:
        for reference in ((answer.body or {}).get("meta") or {}).get("returnedSchemas") or []:
            if isinstance(reference, Mapping):
                key = (str(reference.get("entityType")), str(reference.get("schema")))
                union.setdefault(key, {"entity_type": key[0], "schema": key[1]})
    return list(union.values())


def unanswerable(answers: Sequence[NodeAnswer]) -> tuple[int, str] | None:
    """The HTTP status and message of the hub's error answer when no node could answer: none
    answered and some failed (refused, timed out, broke, or could not be asked at all). None
    when a node answered, or every node was rightly skipped (another assembly, an endpoint it
    does not serve, the loop guard): the answer then is what they said, or that nothing is.

    The status is the nodes' own when they all refused with the same 4xx (the query's fault),
    504 when they all timed out, 502 otherwise."""
    if any(answer.status == ANSWERED for answer in answers):
        return None
    failed = [answer for answer in answers if answer.status == FAILED]
    if not failed:
        return None
    statuses = {answer.http_status for answer in failed}
    shared = statuses.pop() if len(statuses) == 1 else None
    if shared is not None and 400 <= shared < 500:
        status = shared
    elif all(answer.timed_out for answer in failed):
        status = 504
    else:
        status = 502
    reasons = "; ".join(f"node {answer.node_id}: {answer.reason}" for answer in failed)
    return status, f"no node could answer: {reasons}"


def network_warnings(answers: Sequence[NodeAnswer], hub_warnings: Sequence[str]) -> list[str]:
    """The warnings of an answer made of node answers: the hub's own, each node that did not
    answer and why, and the nodes' own warnings, each naming its node."""
    failed = [f"node {a.node_id} did not answer: {a.reason}" for a in answers if a.status == FAILED]
    return [*hub_warnings, *failed, *_node_warnings(answers)]


def _node_warnings(answers: Sequence[NodeAnswer]) -> list[str]:
    """The nodes' own warnings (unknown filter terms, count banding), each naming its node."""
    warnings = []
    for answer in answers:
        if answer.status != ANSWERED:
            continue
        info = (answer.body or {}).get("info")
        for text in (info or {}).get("warnings", []) if isinstance(info, Mapping) else []:
            warnings.append(f"node {answer.node_id}: {text}")
    return warnings


def _report(answer: NodeAnswer) -> dict[str, Any]:
    return {
        "node_id": answer.node_id,
        "beacon_id": answer.beacon_id,
        "country": answer.country,
        "status": answer.status,
        "reason": answer.reason,
        "milliseconds": round(answer.seconds * 1000, 1) if answer.seconds is not None else None,
    }
