"""Is what a node sent a Beacon answer the hub may merge?

Two layers. The shape checks here always run: they cover exactly what merging reads (summary,
granularity, result sets and their counts), so a node can never make the hub's own answer
invalid. When ``SCHEMAS_DIR`` names a copy of the official Beacon v2 schemas (a checkout of
ga4gh-beacon/beacon-v2), every node answer is also validated against its framework schema; the
schemas are read offline and a ``$ref`` to anything but that repository fails loudly.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from app.query.request import GRANULARITY_ORDER

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

FRAMEWORK = Path("framework", "json")
_BEACON_REMOTE = re.compile(
    r"^https://raw\.githubusercontent\.com/ga4gh-beacon/beacon-v2/[^/]+/(?P<path>.+)$"
)
MAX_PROBLEMS = 3

# which official schema each informational endpoint's answer follows
INFORMATIONAL_SCHEMAS = {
    "info": "responses/beaconInfoResponse.json",
    "service-info": "responses/ga4gh-service-info-1-0-0-schema.json",
    "configuration": "responses/beaconConfigurationResponse.json",
    "map": "responses/beaconMapResponse.json",
    "entry_types": "responses/beaconEntryTypesResponse.json",
    "filtering_terms": "responses/beaconFilteringTermsResponse.json",
    "datasets": "responses/beaconCollectionsResponse.json",
}


def answer_problems(body: Any, collections: bool = False) -> list[str]:
    """What keeps ``body`` from being merged as a Beacon query answer (empty: nothing);
    ``collections``: an answer of datasets or cohorts (beaconCollectionsResponse)."""
    if not isinstance(body, Mapping):
        return ["the answer is not a JSON object"]
    if collections:
        listed = (body.get("response") or {}).get("collections", [])
        problems = _envelope_problems(body)
        if not isinstance(listed, list) or not all(isinstance(c, Mapping) for c in listed):
            problems.append("response.collections is not a list of objects")
        return problems[:MAX_PROBLEMS]
    problems = _envelope_problems(body)
    response = body.get("response", {})
    sets = response.get("resultSets", []) if isinstance(response, Mapping) else None
    if not isinstance(sets, list):
        problems.append("response.resultSets is not a list")
    else:
        problems.extend(
            f"response.resultSets[{index}]: {problem}"
            for index, item in enumerate(sets)
            for problem in _result_set_problems(item)
        )
    return problems[:MAX_PROBLEMS]


def _envelope_problems(body: Mapping[str, Any]) -> list[str]:
    """Meta, summary and warnings, as every query answer has them."""
    problems: list[str] = []
    meta = body.get("meta")
    if not isinstance(meta, Mapping) or not isinstance(meta.get("beaconId"), str):
        problems.append("meta.beaconId is missing")
    elif meta.get("returnedGranularity") not in GRANULARITY_ORDER:
        problems.append("meta.returnedGranularity is not boolean, count or record")
    elif not _objects(meta.get("returnedSchemas", [])):
        problems.append("meta.returnedSchemas is not a list of objects")
    info = body.get("info", {})
    warnings = info.get("warnings", []) if isinstance(info, Mapping) else None
    if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
        problems.append("info.warnings is not a list of texts")
    summary = body.get("responseSummary")
    if not isinstance(summary, Mapping) or not isinstance(summary.get("exists"), bool):
        problems.append("responseSummary.exists is not true or false")
    elif "numTotalResults" in summary and not _count(summary["numTotalResults"]):
        problems.append("responseSummary.numTotalResults is not a count")
    return problems


def _result_set_problems(item: Any) -> list[str]:
    if not isinstance(item, Mapping):
        return ["not an object"]
    problems = []
    if not isinstance(item.get("id"), str):
        problems.append("id is not a text")
    if not isinstance(item.get("exists"), bool):
        problems.append("exists is not true or false")
    if not _count(item.get("resultsCount")):
        problems.append("resultsCount is not a count")
    if not _objects(item.get("results", [])):
        problems.append("results is not a list of objects")
    for key in ("setType", "beaconId"):
        if not isinstance(item.get(key, ""), str):
            problems.append(f"{key} is not a text")
    info = item.get("info", {})
    if not isinstance(info, Mapping):
        problems.append("info is not an object")
    elif "countBand" in info:
        band = info["countBand"]
        ends = (band.get("min"), band.get("max")) if isinstance(band, Mapping) else (None,)
        if not all(_count(end) for end in ends):
            problems.append("info.countBand is not a min and max count")
    return problems


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _objects(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, Mapping) for item in value)


def query_answer_schema(body: Mapping[str, Any], collections: bool = False) -> str:
    """The official schema an entry-type answer should follow, by what it carries."""
    if collections:
        return "responses/beaconCollectionsResponse.json"
    if "response" in body:
        return "responses/beaconResultsetsResponse.json"
    if "numTotalResults" in body.get("responseSummary", {}):
        return "responses/beaconCountResponse.json"
    return "responses/beaconBooleanResponse.json"


class OfficialSchemas:
    """Validators of the official framework schemas under ``root``; none when ``root`` is
    empty (shape checks only)."""

    def __init__(self, root: str) -> None:
        self.root = Path(root).expanduser().resolve() if root else None
        if self.root is not None and not (self.root / FRAMEWORK).is_dir():
            raise ValueError(f"SCHEMAS_DIR {self.root} has no {FRAMEWORK} folder")

    @property
    def enabled(self) -> bool:
        return self.root is not None

    def problems(self, body: Any, schema: str) -> list[str]:
        """Where ``body`` breaks the framework schema ``schema`` (path relative to
        framework/json); nothing when no schemas are configured."""
        if self.root is None:
            return []
        try:
            errors = sorted(
                _validator(self.root, schema).iter_errors(body), key=lambda e: list(e.path)
            )
        except Unresolvable as error:
            return [f"the schema cannot be resolved offline: {error}"]
        return [
            f"{'/'.join(str(part) for part in error.absolute_path) or '(top)'}: "
            f"{error.message[:200]}"
            for error in errors[:MAX_PROBLEMS]
        ]


@functools.cache
def _validator(root: Path, schema: str) -> Draft202012Validator:
    # imported on a hub's first check, not at start: with its format extras installed,
    # jsonschema's import builds grammars for a second, more than the rest of start-up
    from jsonschema import Draft202012Validator

    path = (root / FRAMEWORK / schema).resolve()
    registry = Registry(retrieve=functools.partial(_retrieve, root))
    return Draft202012Validator({"$ref": path.as_uri()}, registry=registry)


def _retrieve(root: Path, uri: str) -> Resource:
    """Schema files by their file URI, or by their URI in the beacon-v2 repository."""
    remote = _BEACON_REMOTE.match(uri)
    if remote:
        path = root / remote["path"]
    elif uri.startswith("file://"):
        path = Path(uri.removeprefix("file://"))
    else:
        raise Unresolvable(uri)
    contents = json.loads(path.read_text(encoding="utf-8"))
    contents["$id"] = path.resolve().as_uri()
    return Resource.from_contents(contents, default_specification=DRAFT202012)
