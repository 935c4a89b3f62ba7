"""The hub of this application (present only when it runs as a network hub)."""

from __future__ import annotations

from flask import current_app

from app.network.hub import Hub

HUB_KEY = "asia_beacon.hub"


def current_hub() -> Hub:
    return current_app.extensions[HUB_KEY]
