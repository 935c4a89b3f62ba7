"""Who may see which dataset, at which granularity: the access policy, as plain data.

Each dataset has a security level (Beacon v2: PUBLIC, REGISTERED, CONTROLLED). A caller sees a
PUBLIC dataset always, a REGISTERED one with any valid token, a CONTROLLED one only with a grant
for it. A dataset the caller may not see is absent from every answer; one it may see is answered
at most at its level's granularity. The protections against re-identification apply to the
PUBLIC and REGISTERED levels (:mod:`app.access.protections`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.access.tokens import grants_dataset
from app.config import ConfigurationError
from app.query.request import GRANULARITY_ORDER

PUBLIC = "PUBLIC"
REGISTERED = "REGISTERED"
CONTROLLED = "CONTROLLED"
LEVELS = (PUBLIC, REGISTERED, CONTROLLED)
PROTECTED_LEVELS = (PUBLIC, REGISTERED)  # where the re-identification protections apply


@dataclass(frozen=True)
class Protections:
    """Re-identification protections of the PUBLIC and REGISTERED levels; 0 turns one off."""

    small_count_threshold: int = 5
    rare_allele_frequency: float = 0.01
    query_budget: int = 50
    query_budget_period: int = 86_400
    budget_rare_frequency: float = 0.05


@dataclass(frozen=True)
class AccessPolicy:
    dataset_levels: Mapping[str, str] = field(default_factory=dict)
    default_level: str = PUBLIC
    granularity: Mapping[str, str] = field(
        default_factory=lambda: {PUBLIC: "count", REGISTERED: "count", CONTROLLED: "record"}
    )
    protections: Protections = field(default_factory=Protections)
    beacon_url: str = ""  # this beacon's base URL: what a grant given as a URL must name

    def level_of(self, dataset_id: str) -> str:
        return self.dataset_levels.get(dataset_id, self.default_level)

    def levels_in_use(self) -> list[str]:
        """The levels this beacon's datasets can have, in the specification's order."""
        used = {self.default_level, *self.dataset_levels.values()}
        return [level for level in LEVELS if level in used]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AccessPolicy:
        levels = dict(_mapping(config["DATASET_ACCESS"], "DATASET_ACCESS"))
        if path := str(config.get("DATASET_ACCESS_FILE") or ""):
            levels = {**_mapping_file(path), **levels}
        granularity = dict(_mapping(config["ACCESS_GRANULARITY"], "ACCESS_GRANULARITY"))
        policy = cls(
            dataset_levels={key: str(value).upper() for key, value in levels.items()},
            default_level=str(config["DEFAULT_ACCESS_LEVEL"]).upper(),
            granularity={key.upper(): str(value) for key, value in granularity.items()},
            protections=Protections(
                small_count_threshold=int(config["SMALL_COUNT_THRESHOLD"]),
                rare_allele_frequency=float(config["RARE_ALLELE_FREQUENCY"]),
                query_budget=int(config["QUERY_BUDGET"]),
                query_budget_period=int(config["QUERY_BUDGET_PERIOD"]),
                budget_rare_frequency=float(config["QUERY_BUDGET_RARE_FREQUENCY"]),
            ),
            beacon_url=str(config.get("BASE_URL") or "").rstrip("/"),
        )
        policy.check()
        return policy

    def check(self) -> None:
        """Refuse a policy that names unknown levels or granularities; the error names the
        setting at fault."""
        for dataset_id, level in self.dataset_levels.items():
            if level not in LEVELS:
                raise ConfigurationError(
                    "DATASET_ACCESS",
                    f"{dataset_id!r} has level {level!r}; use one of {', '.join(LEVELS)}",
                )
        if self.default_level not in LEVELS:
            raise ConfigurationError("DEFAULT_ACCESS_LEVEL", f"must be one of {', '.join(LEVELS)}")
        if set(self.granularity) != set(LEVELS):
            given = ", ".join(sorted(self.granularity)) or "none"
            raise ConfigurationError(
                "ACCESS_GRANULARITY",
                f"must give each of {', '.join(LEVELS)} (as PUBLIC=count,REGISTERED=count,"
                f"CONTROLLED=record); it gives {given}",
            )
        for level, granularity in self.granularity.items():
            if granularity not in GRANULARITY_ORDER:
                raise ConfigurationError(
                    "ACCESS_GRANULARITY",
                    f"{level} has {granularity!r}; use one of {', '.join(GRANULARITY_ORDER)}",
                )
        protections = self.protections
        for setting, count in (
            ("SMALL_COUNT_THRESHOLD", protections.small_count_threshold),
            ("QUERY_BUDGET", protections.query_budget),
        ):
            if count < 0:
                raise ConfigurationError(setting, "must not be negative")
        if protections.query_budget_period <= 0:
            raise ConfigurationError("QUERY_BUDGET_PERIOD", "must be a positive number of seconds")
        for setting, frequency in (
            ("RARE_ALLELE_FREQUENCY", protections.rare_allele_frequency),
            ("QUERY_BUDGET_RARE_FREQUENCY", protections.budget_rare_frequency),
        ):
            if not 0 <= frequency <= 1:
                raise ConfigurationError(setting, "must be a frequency between 0 and 1")


@dataclass(frozen=True)
class Caller:
    """Who asks: ``identity`` keys budgets and the audit log; ``registered`` means a valid
    token from a trusted issuer; ``grants`` are the datasets (ids or URLs) it was granted."""

    identity: str
    registered: bool = False
    grants: frozenset[str] = frozenset()
    issuer: str | None = None  # who vouched for the token (a hub forwards tokens by issuer)


@dataclass(frozen=True)
class DatasetView:
    """How one caller sees one dataset."""

    dataset_id: str
    level: str
    granularity: str  # the most detailed answer this caller gets from it

    @property
    def protected(self) -> bool:
        return self.level in PROTECTED_LEVELS


def dataset_view(policy: AccessPolicy, caller: Caller, dataset_id: str) -> DatasetView | None:
    """The caller's view of a dataset; None when the caller may not see it at all."""
    level = policy.level_of(dataset_id)
    if level == REGISTERED and not caller.registered:
        return None
    if level == CONTROLLED and not grants_dataset(caller.grants, dataset_id, policy.beacon_url):
        return None
    return DatasetView(dataset_id, level, policy.granularity[level])


def visible_views(
    policy: AccessPolicy, caller: Caller, dataset_ids: Iterable[str]
) -> dict[str, DatasetView]:
    """The views of the datasets the caller may see, by id, in the given order."""
    views = {}
    for dataset_id in dataset_ids:
        if (view := dataset_view(policy, caller, dataset_id)) is not None:
            views[dataset_id] = view
    return views


def lowest_granularity(granularities: Iterable[str], ceiling: str) -> str:
    """The least detailed of ``granularities`` and ``ceiling``."""
    return min([ceiling, *granularities], key=GRANULARITY_ORDER.index)


def _mapping(value: Any, name: str) -> Mapping[str, Any]:
    """A mapping setting, given as a mapping or (from the environment) as ``a=X,b=Y``."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str):
        pairs = [part.strip() for part in value.split(",") if part.strip()]
        if not all("=" in pair for pair in pairs):
            raise ConfigurationError(name, "must be a mapping or 'key=value,key=value'")
        return dict(tuple(part.strip() for part in pair.split("=", 1)) for pair in pairs)
    raise ConfigurationError(name, "must be a mapping or 'key=value,key=value'")


def _mapping_file(path: str) -> dict[str, str]:
    try:
        text = Path(path).read_text(encoding="utf-8")
        parsed = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise ConfigurationError("DATASET_ACCESS_FILE", f"{path} cannot be read: {error}") from None
    if not isinstance(parsed, dict):
        raise ConfigurationError("DATASET_ACCESS_FILE", f"{path} must map dataset ids to levels")
    return {str(key): str(value) for key, value in parsed.items()}
