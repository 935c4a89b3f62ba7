"""Default configuration; deployments override it with ``ASIA_BEACON_``-prefixed variables.

``ASIA_BEACON_MONGO_URI=mongodb://db/asia_beacon`` sets ``MONGO_URI``, and so on for every key.
"""

from __future__ import annotations

from app.store import EMBEDDED_URI

ENV_PREFIX = "ASIA_BEACON"

DEFAULTS: dict[str, object] = {
    "MONGO_URI": EMBEDDED_URI,
    # Public URL of the service; when empty, URLs are built from the incoming request.
    "BASE_URL": "",
    "BEACON_ID": "org.asia-beacon.demo",
    "BEACON_NAME": "asia-beacon",
    "BEACON_DESCRIPTION": (
        "A GA4GH Beacon v2 for national genome projects across Asia: it answers whether "
        "variants exist in the loaded datasets, how often, and in which populations."
    ),
    "BEACON_VERSION": "0.1.0",
    "API_VERSION": "v2.0.1",
    "ENVIRONMENT": "dev",
    "WELCOME_URL": "https://github.com/asia-beacon/asia-beacon",
    "ORGANIZATION_ID": "asia-beacon",
    "ORGANIZATION_NAME": "asia-beacon project",
    "ORGANIZATION_URL": "https://github.com/asia-beacon",
    "ORGANIZATION_CONTACT": "mailto:beacon@asia-beacon.org",
    "CREATED_AT": "2026-11-24T00:00:00Z",
    # The most detailed answer the beacon gives (boolean < count < record).
    "MAX_GRANULARITY": "record",
    "DEFAULT_GRANULARITY": "boolean",
    "SECURITY_LEVELS": ["PUBLIC"],
    "DEFAULT_PAGE_SIZE": 10,
    "MAX_PAGE_SIZE": 100,
    # Extra ontology hierarchy files (TSV from `asia-beacon ontology extract`), read after the
    # bundled ones; ASIA_BEACON_ONTOLOGY_FILES=/data/hp.tsv,/data/mondo.tsv
    "ONTOLOGY_FILES": [],
    # Rows per page of Data Connect table data and search results (/data-connect).
    "DATA_CONNECT_PAGE_SIZE": 100,
}

ENVIRONMENT_STATUS = {"dev": "DEV", "test": "TEST", "staging": "TEST", "prod": "PROD"}
