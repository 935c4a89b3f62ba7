"""What the hub knows about a node: its informational answers, read and checked on a schedule.

``/info`` and ``/map`` are required (who the node is, which endpoints it serves); the other
answers are optional, and one that is missing or invalid only leaves the node out of that part
of the hub's unions, with the problem reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from app.genome import UnknownAssemblyError, canonical_assembly
from app.network.client import MAX_BODY_BYTES, Fetched, NodeClient
from app.network.registry import NodeEntry
from app.network.validation import INFORMATIONAL_SCHEMAS, OfficialSchemas

REQUIRED = ("info", "map")
# /datasets is a paged collection: ask for the node's largest pages, and at most this many
_ALL = {"datasets": "?limit=0"}
MAX_DATASET_PAGES = 100
OPTIONAL = ("service-info", "configuration", "entry_types", "filtering_terms", "datasets")


class NodeMetadataError(Exception):
    """A required informational answer is missing or invalid: the node cannot be used."""


@dataclass(frozen=True)
class NodeMetadata:
    beacon_id: str
    documents: Mapping[str, Any]  # endpoint name -> its valid answer
    problems: tuple[str, ...]  # optional answers left out, and why
    entry_paths: frozenset[str]  # path of each entry type root the node's /map lists
    assemblies: frozenset[str]  # canonical names from /info; empty: not said (any)
    is_hub: bool  # its own /info says so (info.network.hub)
    instance_id: str | None = None  # a hub's, from its /info (info.network.instanceId)
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def response(self, endpoint: str) -> Mapping[str, Any]:
        """The ``response`` part of an informational answer ({} when the node gave none)."""
        document = self.documents.get(endpoint) or {}
        response = document.get("response") if endpoint != "service-info" else document
        return response if isinstance(response, Mapping) else {}


def fetch_metadata(
    client: NodeClient,
    node: NodeEntry,
    schemas: OfficialSchemas,
    timeout: float,
    headers: dict[str, str],
    own_instance_id: str | None = None,
    max_bytes: int = MAX_BODY_BYTES,
) -> NodeMetadata:
    """The node's metadata; for a node that is the asking hub itself (its /info gives
    ``own_instance_id``), only its /info: the rest would be the hub's own unions, read from
    itself. A node that merely presents the hub's beacon id is read like any other. All its
    answers together may cost ``max_bytes`` (``client.answer_cost``)."""
    documents: dict[str, Any] = {}
    problems: list[str] = []
    budget = _Budget(max_bytes)
    for endpoint in (*REQUIRED, *OPTIONAL):
        if own_instance_id and endpoint != "info" and _instance_id(documents) == own_instance_id:
            break
        fetched = budget.spent(
            client.fetch(
                "GET",
                f"{node.url}/{endpoint}{_ALL.get(endpoint, '')}",
                timeout,
                headers,
                max_bytes=budget.left,
            )
        )
        problem = fetched.error or _first_problem(schemas, fetched.body, endpoint)
        if problem is None and endpoint == "datasets":
            problem = _read_later_pages(client, node, timeout, headers, fetched.body, budget)
        if problem is None:
            documents[endpoint] = fetched.body
        elif endpoint in REQUIRED:
            raise NodeMetadataError(f"/{endpoint}: {problem}")
        else:
            problems.append(f"/{endpoint}: {problem}")
    info = documents["info"].get("response", {})
    network = _network_of(documents)
    instance_id = _instance_id(documents)
    if own_instance_id and instance_id == own_instance_id:
        return NodeMetadata(info["id"], documents, (), frozenset(), frozenset(), True, instance_id)
    return NodeMetadata(
        beacon_id=str(info["id"]),
        documents=documents,
        problems=tuple(problems),
        entry_paths=served_entry_paths(documents["map"]),
        assemblies=_assemblies(info.get("info")),
        is_hub=network.get("hub") is True,
        instance_id=instance_id,
    )


class _Budget:
    """What the answers of one metadata read may still cost."""

    def __init__(self, max_bytes: int) -> None:
        self.left = max_bytes

    def spent(self, fetched: Fetched) -> Fetched:
        self.left = max(0, self.left - fetched.cost)
        return fetched


def _read_later_pages(
    client: NodeClient,
    node: NodeEntry,
    timeout: float,
    headers: dict[str, str],
    first: Any,
    budget: _Budget,
) -> str | None:
    """Append the node's further pages of /datasets to the first one's collections (a node
    pages them like any collection); a problem on the way is returned."""
    collections = first.get("response", {}).get("collections")
    total = first.get("responseSummary", {}).get("numTotalResults")
    if not isinstance(collections, list) or not isinstance(total, int):
        return None
    for page in range(1, MAX_DATASET_PAGES):
        if len(collections) >= total:
            return None
        url = f"{node.url}/datasets?limit=0&skip={page}"
        fetched = budget.spent(client.fetch("GET", url, timeout, headers, max_bytes=budget.left))
        more = (fetched.body or {}).get("response", {}).get("collections") if fetched.ok else None
        if not isinstance(more, list):
            return f"page {page + 1}: {fetched.error or 'no collections'}"
        if not more:
            return None
        collections.extend(more)
    return None


def _network_of(documents: Mapping[str, Any]) -> Mapping[str, Any]:
    """What a hub's /info says of its network (``info.network``); {} for a plain beacon."""
    info = ((documents.get("info") or {}).get("response") or {}).get("info")
    network = info.get("network") if isinstance(info, Mapping) else None
    return network if isinstance(network, Mapping) else {}


def _instance_id(documents: Mapping[str, Any]) -> str | None:
    instance_id = _network_of(documents).get("instanceId")
    return instance_id if isinstance(instance_id, str) and instance_id else None


def _first_problem(schemas: OfficialSchemas, body: Any, endpoint: str) -> str | None:
    """Why an informational answer cannot be used: the official schema (when configured) and
    the few fields the hub itself reads."""
    if not isinstance(body, Mapping):
        return "the answer is not a JSON object"
    official = schemas.problems(body, INFORMATIONAL_SCHEMAS[endpoint])
    if official:
        return f"invalid against the official schema ({'; '.join(official)})"
    if endpoint == "info" and not isinstance((body.get("response") or {}).get("id"), str):
        return "response.id is missing"
    if endpoint == "map" and not isinstance(
        (body.get("response") or {}).get("endpointSets"), Mapping
    ):
        return "response.endpointSets is missing"
    return None


def served_entry_paths(map_answer: Mapping[str, Any]) -> frozenset[str]:
    """The last path segment of each endpoint set's ``rootUrl`` (``g_variants``, ...)."""
    sets = (map_answer.get("response") or {}).get("endpointSets") or {}
    paths = set()
    for endpoint_set in sets.values():
        root = endpoint_set.get("rootUrl") if isinstance(endpoint_set, Mapping) else None
        if isinstance(root, str) and root:
            paths.add(urlsplit(root).path.rstrip("/").rsplit("/", 1)[-1])
    return frozenset(paths)


def _assemblies(info: Any) -> frozenset[str]:
    names = info.get("assemblies") if isinstance(info, Mapping) else None
    found = set()
    for name in names if isinstance(names, list) else []:
        try:
            found.add(canonical_assembly(str(name)))
        except UnknownAssemblyError:
            continue  # an assembly this hub cannot name is one it never routes to
    return frozenset(found)
