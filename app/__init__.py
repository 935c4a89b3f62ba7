"""asia-beacon: a GA4GH Beacon v2 server. ``create_app`` builds the Flask application."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from app.access.flask_access import install_access
from app.context import (
    ONTOLOGY_KEY,
    SETTINGS_KEY,
    STORE_KEY,
    TABLES_KEY,
    install_one_release_per_request,
)
from app.errors import register_error_handlers
from app.responses import error_response
from app.settings import text_list
from app.startup import check_configuration
from app.store import Store

STARTUP_LOGGER = "asia_beacon.startup"


def create_app(test_config: Mapping[str, Any] | None = None, store: Store | None = None) -> Flask:
    """Configuration comes from defaults, then ``ASIA_BEACON_*`` variables, then ``test_config``
    (:func:`app.config.beacon_config`); a bad setting raises ``ConfigurationError``.

    ``store`` lets a caller that already loaded data (the demo) serve that very store.
    """
    checked = check_configuration(test_config, store)
    app = Flask(__name__)
    app.config.update(checked.config)
    app.json.sort_keys = False

    settings = checked.settings
    app.extensions[SETTINGS_KEY] = settings
    app.extensions[STORE_KEY] = checked.store
    install_one_release_per_request(app)  # first of the request hooks: every read sees one release

    from app.beacon import entries, info
    from app.catalog import routes as catalog_laws
    from app.catalog.laws import bundled_registry
    from app.catalog.registry_sync import sync_privacy_laws
    from app.dataconnect import routes as dataconnect
    from app.dataconnect.tables import NODE_TABLES
    from app.ops import health
    from app.ops.compression import install_compression
    from app.ops.cors import install_cors
    from app.ops.logs import install_logging
    from app.ops.openapi import install_openapi
    from app.ops.request_ids import install_request_ids
    from app.web import routes as web

    app.extensions[ONTOLOGY_KEY] = checked.hierarchy

    if checked.network is not None:
        from app.network.install import install_hub

        install_hub(app, settings)  # the Beacon API answered from the network's nodes
    else:
        app.register_blueprint(info.blueprint)
        app.register_blueprint(entries.blueprint)
        app.register_blueprint(web.blueprint)
        app.extensions[TABLES_KEY] = NODE_TABLES
    app.register_blueprint(dataconnect.blueprint)
    app.register_blueprint(catalog_laws.blueprint)
    app.register_blueprint(health.blueprint)
    install_openapi(app, settings)  # after every other route, which it documents
    # Flask runs after-request hooks in reverse order: compression, registered first, runs last
    install_compression(app)
    install_logging(app, str(app.config["LOG_FORMAT"]), bool(app.config["REQUEST_LOG"]))
    if warning := checked.identity_warning:
        logging.getLogger(STARTUP_LOGGER).warning(warning)
    install_cors(app, text_list(app.config["CORS_ORIGINS"]))
    install_request_ids(app)
    sync_privacy_laws(app.extensions[STORE_KEY], bundled_registry())
    install_access(
        app,
        app.extensions[STORE_KEY],
        settings.access,
        checked.tokens,
        audited_blueprints=(entries.blueprint.name, dataconnect.blueprint.name, "network_entries"),
    )

    def render_error(status: int, message: str) -> dict[str, Any]:
        """Each API surface answers errors in its own specification's body."""
        if request.path.startswith(dataconnect.PREFIX):
            return dataconnect.error_body(HTTPStatus(status).phrase, message)
        return error_response(settings, status, message)

    register_error_handlers(app, render_error)
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies > 0:  # only then may X-Forwarded-* headers say who the client is
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    return app
