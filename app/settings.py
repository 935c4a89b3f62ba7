"""Typed view of the Flask configuration, built once per application."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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
    security_levels: tuple[str, ...]
    default_page_size: int
    max_page_size: int

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
            security_levels=tuple(config["SECURITY_LEVELS"]),
            default_page_size=int(config["DEFAULT_PAGE_SIZE"]),
            max_page_size=int(config["MAX_PAGE_SIZE"]),
        )
        for key in ("max_granularity", "default_granularity"):
            if getattr(settings, key) not in GRANULARITY_ORDER:
                raise ValueError(f"{key.upper()} must be one of {', '.join(GRANULARITY_ORDER)}")
        if settings.environment not in ("prod", "test", "dev", "staging"):
            raise ValueError("ENVIRONMENT must be one of prod, test, dev, staging")
        return settings
