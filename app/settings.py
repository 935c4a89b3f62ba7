"""Typed view of the Flask configuration, built once per application."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.access.policy import AccessPolicy
from app.config import DEFAULTS, ENVIRONMENT_STATUS, ConfigurationError
from app.query.request import GRANULARITY_ORDER


@dataclass(frozen=True)
class BeaconSettings:
    beacon_id: str
    name: str
    description: str
    version: str
    api_version: str
    environment: str
    welcome_url: str
    organization_id: str
    organization_name: str
    organization_url: str
    organization_contact: str
    created_at: str
    base_url: str
    max_granularity: str
    default_granularity: str
    access: AccessPolicy
    default_page_size: int
    max_page_size: int
    ontology_files: tuple[str, ...] = ()
    data_connect_page_size: int = 100
    data_connect_time_budget: float = 10.0
    data_connect_row_budget: int = 1_000_000

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> BeaconSettings:
        settings = cls(
            beacon_id=str(config["BEACON_ID"]),
            name=str(config["BEACON_NAME"]),
            description=str(config["BEACON_DESCRIPTION"]),
            version=str(config["BEACON_VERSION"]),
            api_version=str(config["API_VERSION"]),
            environment=str(config["ENVIRONMENT"]),
            welcome_url=str(config["WELCOME_URL"]),
            organization_id=str(config["ORGANIZATION_ID"]),
            organization_name=str(config["ORGANIZATION_NAME"]),
            organization_url=str(config["ORGANIZATION_URL"]),
            organization_contact=str(config["ORGANIZATION_CONTACT"]),
            created_at=str(config["CREATED_AT"]),
            base_url=str(config["BASE_URL"]).rstrip("/"),
            max_granularity=str(config["MAX_GRANULARITY"]),
            default_granularity=str(config["DEFAULT_GRANULARITY"]),
            access=AccessPolicy.from_config(config),
            default_page_size=int(config["DEFAULT_PAGE_SIZE"]),
            max_page_size=int(config["MAX_PAGE_SIZE"]),
            ontology_files=text_list(config["ONTOLOGY_FILES"]),
            data_connect_page_size=int(config["DATA_CONNECT_PAGE_SIZE"]),
            data_connect_time_budget=float(config["DATA_CONNECT_TIME_BUDGET"]),
            data_connect_row_budget=int(config["DATA_CONNECT_ROW_BUDGET"]),
        )
        settings._check()
        return settings

    def _check(self) -> None:
        """Refuse a configuration that would make the beacon contradict itself."""
        for key in ("max_granularity", "default_granularity"):
            if getattr(self, key) not in GRANULARITY_ORDER:
                raise ConfigurationError(
                    key.upper(), f"must be one of {', '.join(GRANULARITY_ORDER)}"
                )
        if GRANULARITY_ORDER.index(self.default_granularity) > GRANULARITY_ORDER.index(
            self.max_granularity
        ):
            raise ConfigurationError("DEFAULT_GRANULARITY", "must not exceed MAX_GRANULARITY")
        if self.environment not in ENVIRONMENT_STATUS:
            raise ConfigurationError(
                "ENVIRONMENT", f"must be one of {', '.join(ENVIRONMENT_STATUS)}"
            )
        if not 1 <= self.default_page_size <= self.max_page_size:
            raise ConfigurationError("DEFAULT_PAGE_SIZE", "must be between 1 and MAX_PAGE_SIZE")
        if not 1 <= self.data_connect_page_size <= 10_000:
            raise ConfigurationError("DATA_CONNECT_PAGE_SIZE", "must be between 1 and 10000")
        if not self.data_connect_time_budget > 0:
            raise ConfigurationError("DATA_CONNECT_TIME_BUDGET", "must be a positive number")
        if self.data_connect_row_budget < self.data_connect_page_size:
            raise ConfigurationError("DATA_CONNECT_ROW_BUDGET", "must be at least a page")


def typed_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` with every setting of :data:`~app.config.DEFAULTS` in its default's type: a
    number, a flag, a list (or ``a,b``) or a mapping (or ``k=v,k=v``). A value of another kind
    raises ConfigurationError naming the setting, before anything reads it."""
    typed = dict(config)
    for name, default in DEFAULTS.items():
        typed[name] = _typed_value(name, default, config[name])
    return typed


def _typed_value(name: str, default: object, value: Any) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigurationError(name, f"must be true or false, not {value!r}")
        return value
    if isinstance(default, int | float):
        return _number(name, value, whole=isinstance(default, int))
    if isinstance(default, list):
        if not isinstance(value, list | tuple | str):
            raise ConfigurationError(name, f"must be a list (a,b), not {value!r}")
        return value
    if isinstance(default, dict):
        if not isinstance(value, Mapping | str):
            raise ConfigurationError(name, f"must be a mapping (key=value,...), not {value!r}")
        return value
    if isinstance(value, list | dict):
        raise ConfigurationError(name, f"must be text, not {value!r}")
    return "" if value is None else str(value)


def _number(name: str, value: Any, *, whole: bool) -> int | float:
    """A number setting: a number, or (from code) its text; a bool is not one."""
    wanted = "a whole number" if whole else "a number"
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigurationError(name, f"must be {wanted}, not {value!r}")
    try:
        number = int(value) if whole else float(value)
    except (ValueError, OverflowError):
        raise ConfigurationError(name, f"must be {wanted}, not {value!r}") from None
    if whole and isinstance(value, float) and number != value:
        raise ConfigurationError(name, f"must be {wanted}, not {value!r}")
    return number


def text_list(value: Any) -> tuple[str, ...]:
    """A list setting, given as a list or (from the environment) as ``A,B``."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return tuple(str(item) for item in value)
