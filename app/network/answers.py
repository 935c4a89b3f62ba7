"""The hub's answer to an entry-type query: validated here as a node would, asked of every node
that can answer it, merged into one Beacon response."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from flask import Request

from app.access.flask_access import current_caller
from app.access.tokens import bearer_token
from app.beacon.parsing import beacon_request, variant_query
from app.context import current_settings
from app.entry_types import EntryType
from app.errors import BadRequestError, BeaconError
from app.genome import UnknownAssemblyError, canonical_assembly
from app.network.context import current_hub
from app.network.forwarding import LoopGuard, node_path, query_arguments, query_body
from app.network.hub import Hub, NodeQuery
from app.network.merge import SKIPPED, NodeAnswer, merged_answer, unanswerable
from app.network.registry import NodeEntry
from app.network.status import conflict_warnings
from app.ops.request_ids import current_request_id
from app.query.request import page_limit
from app.query.variants import InvalidVariantQueryError, variant_selector
from app.request_body import json_body
from app.responses import response_meta
from schemas.requests import echo_request_parameters


def network_answer(
    http_request: Request, target: EntryType, segments: Sequence[str]
) -> dict[str, Any]:
    """``segments``: the request's path below the beacon root, e.g. ``("g_variants",)``."""
    settings = current_settings()
    path = node_path(segments)  # an id no node may be asked with is refused before all else
    request = beacon_request(http_request)
    query, requested_datasets = variant_query(request)
    try:
        variant_selector(query)  # refuse here what every node would refuse
    except InvalidVariantQueryError as error:
        raise BadRequestError(str(error)) from None
    guard = LoopGuard.from_headers(http_request.headers)
    hub = current_hub()
    if guard.hops >= hub.settings.max_hops or hub.instance_id in guard.path:
        answers = [
            NodeAnswer(node.id, node.country, None, SKIPPED, _loop_reason(guard, hub))
            for node in hub.nodes()
        ]
        hub_warnings = [_loop_reason(guard, hub)]
    else:
        built = node_query(http_request, path, _builder(http_request), _assembly(query.assembly_id))
        answers = asked_of_network(hub, built, guard)
        hub_warnings = conflict_warnings(hub)  # after fan_out, which reads unread nodes
    limit = page_limit(request.pagination.limit, settings.default_page_size, settings.max_page_size)
    parameters = echo_request_parameters(query, requested_datasets)
    requested = request.requested_granularity or settings.default_granularity
    meta = response_meta(
        settings, request, settings.default_granularity, requested, target, parameters, limit
    )
    return merged_answer(
        meta, answers, requested, request.include_resultset_responses, hub_warnings
    )


class NoNodeAnsweredError(BeaconError):
    """No node could answer a query: the hub says so, with each node's reason, rather than
    answering that nothing exists."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def asked_of_network(hub: Hub, query: NodeQuery, guard: LoopGuard) -> list[NodeAnswer]:
    """Every node's part in ``query``; :class:`NoNodeAnsweredError` when no node could answer."""
    answers = hub.fan_out(query, guard)
    failure = unanswerable(answers)
    if failure is not None:
        raise NoNodeAnsweredError(*failure)
    return answers


def node_query(
    http_request: Request,
    path: str,
    build: Callable[[NodeEntry], tuple[str, Any]],
    assembly: str | None,
    method: str | None = None,
    collections: bool = False,
) -> NodeQuery:
    """The query as every node gets it, with the caller's token and issuer for the token
    policies to decide on, and this request's id."""
    caller = current_caller()
    return NodeQuery(
        path=path,
        method=method or http_request.method,
        build=build,
        assembly=assembly,
        caller_token=bearer_token(http_request.headers.get("Authorization")),
        caller_issuer=caller.issuer if caller.registered else None,
        request_id=current_request_id(),
        collections=collections,
    )


def _builder(http_request: Request):
    """How the query is written for one node: same method, its chromosome names."""
    if http_request.method == "POST":
        body = json_body(http_request)  # read as the query was, by beacon_request
        body = body if isinstance(body, Mapping) else {}

        def build_post(node: NodeEntry) -> tuple[str, Any]:
            return "", query_body(body, node.reference_naming)

        return build_post
    arguments = http_request.args.to_dict(flat=True)

    def build_get(node: NodeEntry) -> tuple[str, Any]:
        return urlencode(query_arguments(arguments, node.reference_naming)), None

    return build_get


def _assembly(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return canonical_assembly(name)
    except UnknownAssemblyError:
        return None  # the nodes say what they make of it


def _loop_reason(guard: LoopGuard, hub) -> str:
    if hub.instance_id in guard.path:
        return "this query already passed this hub (a loop between hubs): not asked again"
    return f"the query crossed {guard.hops} hubs, the most this hub allows: not asked further"
