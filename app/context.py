"""Per-application objects the routes use: the store and the typed settings."""

from __future__ import annotations

from flask import current_app, request

from app.settings import BeaconSettings
from app.store import Store

STORE_KEY = "asia_beacon.store"
SETTINGS_KEY = "asia_beacon.settings"


def current_store() -> Store:
    return current_app.extensions[STORE_KEY]


def current_settings() -> BeaconSettings:
    return current_app.extensions[SETTINGS_KEY]


def base_url() -> str:
    """The public URL of the service: configured, or else the one the request came to."""
    return current_settings().base_url or request.url_root.rstrip("/")
