"""A parsed Beacon request, whichever HTTP method it came with, and the rules applied to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

GRANULARITY_ORDER = ("boolean", "count", "record")


@dataclass(frozen=True)
class Pagination:
    skip: int = 0
    limit: int | None = None


@dataclass(frozen=True)
class BeaconRequest:
    request_parameters: Any = field(default_factory=dict)
    filters: list[Any] = field(default_factory=list)
    requested_granularity: str | None = None
    include_resultset_responses: str = "HIT"
    pagination: Pagination = field(default_factory=Pagination)
    api_version: str | None = None
    requested_schemas: list[dict[str, Any]] = field(default_factory=list)
    test_mode: bool = False


def returned_granularity(requested: str | None, default: str, maximum: str) -> str:
    """The granularity actually answered: what was asked (or the default), capped at the maximum."""
    wanted = requested or default
    if GRANULARITY_ORDER.index(wanted) > GRANULARITY_ORDER.index(maximum):
        return maximum
    return wanted


def page_limit(requested: int | None, default: int, maximum: int) -> int:
    """Records per page: the default when unset; ``0`` asks for "all", i.e. the maximum."""
    if requested is None:
        return default
    if requested == 0:
        return maximum
    return min(requested, maximum)


MAX_OFFSET = 2**63 - 1  # MongoDB's skip is a 64-bit integer; no dataset holds more records


def page_offset(skip: int, limit: int) -> int:
    """Records before the page: the specification's ``skip`` counts pages, not records."""
    return min(skip * limit, MAX_OFFSET)


def included_result_sets(exists_by_dataset: dict[str, bool], inclusion: str) -> list[str]:
    """Datasets whose result set the response shows, per ``includeResultsetResponses``."""
    if inclusion == "NONE":
        return []
    if inclusion == "ALL":
        return list(exists_by_dataset)
    wanted = inclusion == "HIT"
    return [dataset for dataset, exists in exists_by_dataset.items() if exists == wanted]
