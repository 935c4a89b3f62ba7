"""What the hub sends each node for one query (pure): the path below the node's base URL, the
request rewritten to the node's chromosome names, asking every result set (the hub applies
HIT/MISS itself), the credential its token policy allows, and the loop guard's hop headers."""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from app.errors import BadRequestError
from app.network.registry import NodeEntry

HOPS_HEADER = "X-Beacon-Network-Hops"
# instance ids of the hubs the query passed (info.network.instanceId), comma-separated
PATH_HEADER = "X-Beacon-Network-Path"


@dataclass(frozen=True)
class LoopGuard:
    """Where a query has been: how many hubs it crossed and which."""

    hops: int
    path: tuple[str, ...]

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> LoopGuard:
        try:
            hops = max(0, int(headers.get(HOPS_HEADER, "0")))
        except ValueError:
            hops = 0
        path = tuple(part.strip() for part in headers.get(PATH_HEADER, "").split(",") if part)
        return cls(max(hops, len(path)), path)

    def onward(self, instance_id: str) -> dict[str, str]:
        """The headers the hub of ``instance_id`` adds to what it sends on."""
        return {HOPS_HEADER: str(self.hops + 1), PATH_HEADER: ",".join((*self.path, instance_id))}


def node_path(segments: Sequence[str]) -> str:
    """The path of a Beacon endpoint below a node's base URL, from the segments of the hub's
    own route (``("individuals", "ind1", "g_variants")``).

    Each segment is percent-encoded whole, so what a caller put in an id (``/``, ``?``, ``#``,
    ``%``) stays in that id, and the hub only ever calls the Beacon paths of a node's own base
    URL; an id that is, or has a part that is, ``.`` or ``..`` is refused (a server or proxy in
    front of a node could resolve it to another path).
    """
    for segment in segments:
        if not segment or any(part in (".", "..") for part in segment.split("/")):
            raise BadRequestError(f"{segment!r} is not an id this hub passes on")
    return "/".join(quote(segment, safe="") for segment in segments)


def node_reference_name(name: str, naming: str | None) -> str:
    """``chr1``/``1`` spelled the node's way: ``ucsc`` (chr1, chrM) or ``ensembl`` (1, MT);
    anything else (RefSeq accessions, names of other conventions) is left as asked."""
    bare = name[3:] if name.lower().startswith("chr") else name
    bare = "MT" if bare.upper() in ("M", "MT") else bare.upper() if bare.isalpha() else bare
    if naming == "ucsc" and _is_primary(bare):
        return "chrM" if bare == "MT" else f"chr{bare}"
    if naming == "ensembl" and _is_primary(bare):
        return bare
    return name


def _is_primary(bare: str) -> bool:
    return bare in ("X", "Y", "MT") or (bare.isdigit() and 1 <= int(bare) <= 22)


def query_arguments(arguments: Mapping[str, str], naming: str | None) -> dict[str, str]:
    """A GET query's arguments for a node."""
    sent = dict(arguments)
    if "referenceName" in sent:
        sent["referenceName"] = node_reference_name(sent["referenceName"], naming)
    sent["includeResultsetResponses"] = "ALL"
    return sent


def query_body(body: Mapping[str, Any] | None, naming: str | None) -> dict[str, Any]:
    """A POST query's body for a node."""
    sent = copy.deepcopy(dict(body or {}))
    query = sent.setdefault("query", {})
    if isinstance(query, dict):
        parameters = query.get("requestParameters")
        if isinstance(parameters, dict) and isinstance(parameters.get("referenceName"), str):
            parameters["referenceName"] = node_reference_name(parameters["referenceName"], naming)
        query["includeResultsetResponses"] = "ALL"
    return sent


def upstream_authorization(
    node: NodeEntry, caller_token: str | None, caller_issuer: str | None
) -> str | None:
    """The Authorization header a node may receive, if any.

    ``forward`` sends the caller's own token, verified by the hub, only when the node trusts its
    issuer; ``service`` sends the hub's token for that node; ``none`` sends nothing. A caller's
    token never reaches a node configured otherwise.
    """
    policy = node.token
    if policy.kind == "forward":
        if caller_token and caller_issuer and caller_issuer in policy.issuers:
            return f"Bearer {caller_token}"
        return None
    if policy.kind == "service" and policy.token_env:
        token = os.environ.get(policy.token_env, "").strip()
        return f"Bearer {token}" if token else None
    return None
