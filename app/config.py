"""Default configuration; deployments override it with ``ASIA_BEACON_``-prefixed variables.

``ASIA_BEACON_MONGO_URI=mongodb://db/asia_beacon`` sets ``MONGO_URI``, and so on for every key.
:func:`beacon_config` is the one place that puts defaults, environment and a caller's overrides
together, for ``create_app`` and for the commands that check the settings before serving.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from typing import Any

from flask import Config

from app.store import EMBEDDED_URI

ENV_PREFIX = "ASIA_BEACON"

DEFAULTS: dict[str, object] = {
    "MONGO_URI": EMBEDDED_URI,
    # Public URL of the service; when empty, URLs are built from the incoming request.
    "BASE_URL": "",
    # --- identity (docs/guides/operator.md#identity) -----------------------------------------
    # Empty: not configured. The beacon then presents placeholders derived from its host and its
    # store (a hub: its registry), unique on the machine, and warns (app/identity.py).
    "BEACON_ID": "",
    "BEACON_NAME": "",
    "BEACON_DESCRIPTION": (
        "A GA4GH Beacon v2 for national genome projects across Asia: it answers whether "
        "variants exist in the loaded datasets, how often, and in which populations."
    ),
    "BEACON_VERSION": "0.1.0",
    "API_VERSION": "v2.0.1",
    "ENVIRONMENT": "dev",
    "WELCOME_URL": "https://github.com/asia-beacon/asia-beacon",
    "ORGANIZATION_ID": "",
    "ORGANIZATION_NAME": "",
    "ORGANIZATION_URL": "",
    "ORGANIZATION_CONTACT": "",  # optional: left out of /info and /service-info when empty
    "CREATED_AT": "2026-11-24T00:00:00Z",
    # The most detailed answer the beacon gives (boolean < count < record).
    "MAX_GRANULARITY": "record",
    "DEFAULT_GRANULARITY": "boolean",
    # --- access (docs/access.md) -------------------------------------------------------------
    # Security level of each dataset: a mapping, "ds1=PUBLIC,ds2=CONTROLLED" from the
    # environment, or a YAML/JSON file of such a mapping in DATASET_ACCESS_FILE.
    "DATASET_ACCESS": {},
    "DATASET_ACCESS_FILE": "",
    # Level of a dataset the mapping does not name.
    "DEFAULT_ACCESS_LEVEL": "PUBLIC",
    # The most detailed answer each level gives a caller who may see the dataset.
    "ACCESS_GRANULARITY": {"PUBLIC": "count", "REGISTERED": "count", "CONTROLLED": "record"},
    # Bearer tokens: signing keys (a JWKS file path or URL), trusted issuers, accepted audiences.
    "TOKEN_JWKS": "",
    "TOKEN_ISSUERS": [],
    "TOKEN_AUDIENCES": [],
    "TOKEN_ALGORITHMS": ["RS256", "ES256"],
    "TOKEN_GRANTS_CLAIM": "datasets",
    # Re-identification protections on the PUBLIC and REGISTERED levels (0 turns one off).
    "SMALL_COUNT_THRESHOLD": 5,  # counts in bands of 5: 1..4 read 5, 152 reads 150
    "RARE_ALLELE_FREQUENCY": 0.01,  # PUBLIC: variants rarer than this answer as absent
    "QUERY_BUDGET": 50,  # "yes" answers on rare variants per identity and period
    "QUERY_BUDGET_PERIOD": 86_400,  # seconds
    "QUERY_BUDGET_RARE_FREQUENCY": 0.05,  # a "yes" costs budget below this frequency
    # Record who asked what, answered by which datasets, in the auditLog collection.
    "AUDIT_LOG": True,
    # Reverse proxies in front of the server: with N > 0 the client address (budgets, audit)
    # and the public URL come from the last N proxies' X-Forwarded-For/-Proto/-Host headers.
    "TRUSTED_PROXIES": 0,
    # Server logs: "json" (one object per line, with the request id) or "text".
    "LOG_FORMAT": "json",
    # A line per answered request in the application's log. serve (and deploy/gunicorn.conf.py)
    # turn it off where gunicorn's access log writes that line: it holds the same fields.
    "REQUEST_LOG": True,
    # Origins browsers may query from (CORS): "*" for any, or a list; empty: no CORS headers.
    "CORS_ORIGINS": ["*"],
    "DEFAULT_PAGE_SIZE": 10,
    "MAX_PAGE_SIZE": 100,
    # Extra ontology hierarchy files (TSV from `asia-beacon ontology extract`), read after the
    # bundled ones; ASIA_BEACON_ONTOLOGY_FILES=/data/hp.tsv,/data/mondo.tsv
    "ONTOLOGY_FILES": [],
    # Rows per page of Data Connect table data and search results (/data-connect).
    "DATA_CONNECT_PAGE_SIZE": 100,
    "DATA_CONNECT_TIME_BUDGET": 10.0,  # seconds one SQL query may run on the embedded store
    "DATA_CONNECT_ROW_BUDGET": 1_000_000,  # rows of one answer its pages may reach
    # Bytes a request body may hold (Flask's own setting): a larger one is refused with 413
    # before it is read. A Beacon query or an SQL search of the longest allowed fits in 1 MiB.
    "MAX_CONTENT_LENGTH": 1 << 20,
    # --- network hub (docs/guides/network.md) ------------------------------------------------
    # A registry file of nodes (YAML or JSON): when set, this server is a hub answering every
    # Beacon query from the nodes it lists, instead of a node answering from its own store.
    "NETWORK_NODES": "",
    "NETWORK_TIMEOUT": 5.0,  # seconds a node has to answer a query (a node's own may differ)
    "NETWORK_REFRESH_INTERVAL": 300.0,  # seconds between reads of each node's metadata
    "NETWORK_MAX_HOPS": 2,  # hubs a query may cross (a hub listing hubs: loop guard)
    "NETWORK_FAILURES_TO_OPEN": 3,  # failures in a row before a node is skipped for a while
    "NETWORK_COOLDOWN": 30.0,  # seconds a failing node is skipped before one retry
    # Megabytes the nodes' answers to one query may take in the hub's memory once read, all
    # together (each node asked gets an equal share); also the most one node's metadata may.
    "NETWORK_QUERY_MEMORY_MB": 32.0,
    # How this hub knows itself among its nodes, shared by all its workers (published in /info):
    # `asia-beacon hub` makes one per start; empty: derived from the beacon id, registry and host.
    "NETWORK_INSTANCE_ID": "",
    # Official Beacon v2 schemas (a checkout of ga4gh-beacon/beacon-v2) a hub validates its
    # nodes' answers against; empty: shape checks only.
    "SCHEMAS_DIR": "",
}

ENVIRONMENT_STATUS = {"dev": "DEV", "test": "TEST", "staging": "TEST", "prod": "PROD"}


class ConfigurationError(ValueError):
    """A setting the beacon cannot start with; the message names its variable and the problem
    (``ASIA_BEACON_ACCESS_GRANULARITY: must give each of ...``)."""

    def __init__(self, setting: str, problem: str, *, variable: str | None = None) -> None:
        self.setting = setting
        self.variable = variable or f"{ENV_PREFIX}_{setting}"
        self.problem = problem
        super().__init__(f"{self.variable}: {problem}")


def beacon_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The configuration an application is built from: :data:`DEFAULTS`, then the
    ``ASIA_BEACON_*`` environment variables (values read as JSON where they parse, as Flask
    reads them), then ``overrides``."""
    config = Config(os.getcwd())
    # a copy: an ASIA_BEACON_X__KEY variable sets a key inside X's mapping in place
    config.from_mapping(copy.deepcopy(DEFAULTS))
    config.from_prefixed_env(ENV_PREFIX)
    if overrides:
        config.update(overrides)
    return dict(config)
