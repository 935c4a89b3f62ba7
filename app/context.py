"""Per-application objects the routes use: the store, the typed settings, the ontology and the
Data Connect tables."""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING

from flask import Flask, current_app, g, request

from app.settings import BeaconSettings
from app.store import Store

if TYPE_CHECKING:
    from app.dataconnect.tables import TableSet
    from app.ontology.hierarchy import OntologyHierarchy

STORE_KEY = "asia_beacon.store"
SETTINGS_KEY = "asia_beacon.settings"
ONTOLOGY_KEY = "asia_beacon.ontology"
TABLES_KEY = "asia_beacon.dataconnect_tables"


def current_store() -> Store:
    return current_app.extensions[STORE_KEY]


def install_one_release_per_request(app: Flask) -> None:
    """Each request reads one release, the one served at its first read, up to its last read,
    whatever loads or release switches happen meanwhile (see ``Store.one_release``): no route
    needs to know."""

    def hold() -> None:
        held = ExitStack()
        held.enter_context(current_store().one_release())
        g.one_release = held

    def let_go(error: BaseException | None) -> None:
        held = g.pop("one_release", None)
        if held is not None:
            held.close()

    app.before_request(hold)
    app.teardown_request(let_go)


def current_settings() -> BeaconSettings:
    return current_app.extensions[SETTINGS_KEY]


def current_ontology() -> OntologyHierarchy:
    return current_app.extensions[ONTOLOGY_KEY]


def current_tables() -> TableSet:
    """The tables this application's Data Connect serves (a node's data, or a hub's network)."""
    return current_app.extensions[TABLES_KEY]


def base_url() -> str:
    """The public URL of the service: configured, or else the one the request came to."""
    return current_settings().base_url or request.url_root.rstrip("/")
