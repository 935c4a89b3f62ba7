"""Turning an application into a network hub: its settings, its Hub, its routes and its Data
Connect tables (the network's catalog instead of a node's data)."""

from __future__ import annotations

import atexit
from collections.abc import Mapping
from typing import Any

from flask import Flask

from app.context import STORE_KEY, TABLES_KEY
from app.dataconnect.tables import hub_tables
from app.network.context import HUB_KEY
from app.network.dataset_rows import NetworkDatasetTable
from app.network.health import BreakerSettings
from app.network.hub import Hub, NetworkSettings
from app.network.identity import checked_instance_id
from app.settings import BeaconSettings


def network_settings(config: Mapping[str, Any]) -> NetworkSettings:
    settings = NetworkSettings(
        nodes_file=str(config["NETWORK_NODES"]),
        timeout=float(config["NETWORK_TIMEOUT"]),
        refresh_interval=float(config["NETWORK_REFRESH_INTERVAL"]),
        max_hops=int(config["NETWORK_MAX_HOPS"]),
        breaker=BreakerSettings(
            failures_to_open=int(config["NETWORK_FAILURES_TO_OPEN"]),
            cooldown=float(config["NETWORK_COOLDOWN"]),
        ),
        schemas_dir=str(config["SCHEMAS_DIR"]),
        instance_id=str(config["NETWORK_INSTANCE_ID"] or ""),
        query_memory=int(float(config["NETWORK_QUERY_MEMORY_MB"]) * 1024 * 1024),
    )
    if not 0 < settings.timeout <= 300:
        raise ValueError("NETWORK_TIMEOUT must be above 0 and at most 300 seconds")
    if settings.max_hops < 1:
        raise ValueError("NETWORK_MAX_HOPS must be at least 1")
    if settings.refresh_interval <= 0 or settings.breaker.cooldown < 0:
        raise ValueError("NETWORK_REFRESH_INTERVAL must be above 0, NETWORK_COOLDOWN not below")
    if settings.breaker.failures_to_open < 1:
        raise ValueError("NETWORK_FAILURES_TO_OPEN must be at least 1")
    if settings.query_memory < 64 * 1024:
        raise ValueError("NETWORK_QUERY_MEMORY_MB must be at least 0.0625 (64 kB)")
    if settings.instance_id:
        checked_instance_id(settings.instance_id)
    return settings


def install_hub(app: Flask, settings: BeaconSettings) -> Hub:
    """Serve the Beacon API from the registry's nodes; their metadata is read from the start,
    in the background (a node down then is read again after the cool-down)."""
    from app.network import routes
    from app.network.catalog_page import blueprint as catalog_blueprint

    hub = Hub(network_settings(app.config), settings.beacon_id)
    app.extensions[HUB_KEY] = hub
    atexit.register(hub.close)
    app.register_blueprint(routes.info_blueprint)
    app.register_blueprint(routes.entries_blueprint)
    app.register_blueprint(routes.services_blueprint)
    app.register_blueprint(catalog_blueprint)
    rows = NetworkDatasetTable(app.extensions[STORE_KEY], hub)
    app.extensions[TABLES_KEY] = hub_tables(rows.refresh)
    hub.start()
    return hub
