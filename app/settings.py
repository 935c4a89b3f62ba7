"""Typed view of the Flask configuration, built once per application."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.access.policy import AccessPolicy
from app.config import ENVIRONMENT_STATUS
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
        )
        settings._check()
        return settings

    def _check(self) -> None:
        """Refuse a configuration that would make the beacon contradict itself."""
        for key in ("max_granularity", "default_granularity"):
            if getattr(self, key) not in GRANULARITY_ORDER:
                raise ValueError(f"{key.upper()} must be one of {', '.join(GRANULARITY_ORDER)}")
        if GRANULARITY_ORDER.index(self.default_granularity) > GRANULARITY_ORDER.index(
            self.max_granularity
        ):
            raise ValueError("DEFAULT_GRANULARITY must not exceed MAX_GRANULARITY")
        if self.environment not in ENVIRONMENT_STATUS:
            raise ValueError(f"ENVIRONMENT must be one of {', '.join(ENVIRONMENT_STATUS)}")
        if not 1 <= self.default_page_size <= self.max_page_size:
            raise ValueError("DEFAULT_PAGE_SIZE must be between 1 and MAX_PAGE_SIZE")
        if not 1 <= self.data_connect_page_size <= 10_000:
            raise ValueError("DATA_CONNECT_PAGE_SIZE must be between 1 and 10000")


def text_list(value: Any) -> tuple[str, ...]:
    """A list setting, given as a list or (from the environment) as ``A,B``."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return tuple(str(item) for item in value)
