"""The hub's datasets and cohorts: collections of every node, each naming the beacon holding it.

Datasets come from the nodes' /datasets as last read (the hub's metadata), so listing them asks
no node; cohorts are asked of the nodes like any query.
"""

from __future__ import annotations

from typing import Any

from flask import Request

from app.beacon.parsing import beacon_request
from app.context import current_settings
from app.entry_types import COHORT, DATASET
from app.errors import BadRequestError, NotFoundError
from app.network.answers import asked_of_network, node_query
from app.network.context import current_hub, fresh_hub
from app.network.forwarding import LoopGuard, node_path
from app.network.merge import ANSWERED, NodeAnswer, network_warnings, without_relayed_repeats
from app.network.provenance import origin_of, unrelayable, unrelayable_warning
from app.network.status import conflict_warnings, metadata_warnings
from app.network.unions import datasets_union, unrelayable_datasets
from app.query.request import page_limit, page_offset, returned_granularity
from app.responses import collections_response, response_meta

COLLECTION_DEFAULT_GRANULARITY = "record"


def datasets_answer(http_request: Request, dataset_id: str | None) -> dict[str, Any]:
    request, limit, offset, granularity = _collection_request(http_request)
    hub = fresh_hub()
    usable = hub.usable_nodes()
    records = datasets_union(usable)
    if dataset_id is not None:
        records = [record for record in records if record["id"] == dataset_id]
        if not records:
            raise NotFoundError(f"no dataset with id {dataset_id!r} in this network")
    meta = _meta(request, granularity, DATASET, limit)
    page = records[offset : offset + limit]
    warnings = metadata_warnings(hub) + unrelayable_datasets(usable)
    return collections_response(meta, granularity, page, len(records), warnings)


def cohorts_answer(http_request: Request, cohort_id: str | None) -> dict[str, Any]:
    """Every node's cohorts (or the one asked for), merged."""
    request, limit, offset, granularity = _collection_request(http_request)
    hub = current_hub()
    path = node_path((COHORT.path,) if cohort_id is None else (COHORT.path, cohort_id))
    query = node_query(
        http_request,
        path,
        lambda node: ("requestedGranularity=record&limit=0", None),
        assembly=None,
        method="GET",
        collections=True,
    )
    answers = asked_of_network(hub, query, LoopGuard.from_headers(http_request.headers))
    answered = [answer for answer in answers if answer.status == ANSWERED]
    found = without_relayed_repeats(
        [(bool(answer.relays), _cohorts_of(answer)) for answer in answered],
        lambda record: (record["beaconId"], record["id"]),
    )
    if cohort_id is not None and not found:
        raise NotFoundError(f"no cohort with id {cohort_id!r} in this network")
    meta = _meta(request, granularity, COHORT, limit)
    page = found[offset : offset + limit]
    warnings = network_warnings(answers, conflict_warnings(hub))
    warnings.extend(_unrelayable_cohorts(answered))
    return collections_response(meta, granularity, page, len(found), warnings)


def _listed(answer: NodeAnswer) -> list[dict[str, Any]]:
    listed = ((answer.body or {}).get("response") or {}).get("collections") or []
    return [
        record
        for record in listed
        if isinstance(record, dict) and isinstance(record.get("id"), str)
    ]


def _cohorts_of(answer: NodeAnswer) -> list[dict[str, Any]]:
    """A node's cohorts, each naming the beacon holding it and the node it came through: its
    own, and those of the beacons the registry lets it relay."""
    cohorts = []
    for record in _listed(answer):
        origin = origin_of(answer.answerer, record)
        if origin is not None:
            cohorts.append({**record, "beaconId": origin.beacon_id, "nodeId": answer.node_id})
    return cohorts


def _unrelayable_cohorts(answered: list[NodeAnswer]) -> list[str]:
    warnings = []
    for answer in answered:
        refused = unrelayable(answer.answerer, _listed(answer))
        if refused:
            warnings.append(unrelayable_warning(answer.answerer, refused, "cohorts"))
    return warnings


def _collection_request(http_request: Request):
    settings = current_settings()
    request = beacon_request(http_request)
    if request.request_parameters:
        raise BadRequestError("datasets and cohorts take no request parameters")
    granularity = returned_granularity(
        request.requested_granularity, COLLECTION_DEFAULT_GRANULARITY, settings.max_granularity
    )
    limit = page_limit(request.pagination.limit, settings.default_page_size, settings.max_page_size)
    return request, limit, page_offset(request.pagination.skip, limit), granularity


def _meta(request, granularity: str, entry, limit: int) -> dict[str, Any]:
    settings = current_settings()
    return response_meta(
        settings, request, COLLECTION_DEFAULT_GRANULARITY, granularity, entry, {}, limit
    )
