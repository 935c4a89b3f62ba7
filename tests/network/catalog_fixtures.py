"""A small network served for real, for the hub's catalog page and Data Connect tests.

Each node is an asia-beacon application over its own in-memory store, served on 127.0.0.1 by
werkzeug in a daemon thread: Japan answers records, Malaysia counts (small ones banded),
Singapore booleans, Thailand serves the demo; Korea is a URL where nothing listens. The hub
reads them from a registry file. Test modules build their fixtures from ``served_network``.
"""

from __future__ import annotations

import json
import socket
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from app import create_app
from app.store import Store, open_store
from loaders.datasets import load_datasets
from loaders.demo.load import DEMO_CONFIG
from loaders.vcf.load import load_vcf

DATA = Path(__file__).resolve().parents[1] / "data"
VCF = DATA / "vcf_population_cases.vcf"
POPULATIONS = DATA / "vcf_population_cases.populations.tsv"
HUB_ID = "org.example.network-hub"
DOWN_NODE = "kr"


def _levels(granularity: str) -> dict[str, str]:
    return dict.fromkeys(("PUBLIC", "REGISTERED", "CONTROLLED"), granularity)


@dataclass(frozen=True)
class NodeSpec:
    """A node: who it is, what an anonymous caller gets from it, and its datasets as a data
    steward describes them (the first gets the test VCF's variants)."""

    id: str
    country: str
    name: str
    config: dict[str, Any]
    datasets: tuple[dict[str, Any], ...] = ()

    @property
    def beacon_id(self) -> str:
        return f"org.example.{self.id}-node"


# No re-identification protections but the small-count band on Malaysia, so each node's answer
# is exactly what its granularity gives.
_PLAIN = {"RARE_ALLELE_FREQUENCY": 0, "QUERY_BUDGET": 0, "SMALL_COUNT_THRESHOLD": 0}
NODES = (
    NodeSpec(
        "jp",
        "JP",
        "Japan reference panel",
        {**_PLAIN, "ACCESS_GRANULARITY": _levels("record")},
        (
            {
                "id": "jp-panel",
                "name": "Japanese reference panel",
                "description": "Variants of a small test cohort.",
                "country": "JP",
                "organization": "Example Tohoku Biobank",
                "populations": ["Pop A", "Pop B", "East Asian"],
                "dataUseConditions": {
                    "duoDataUse": [{"id": "DUO:0000042", "version": "2022-03-23"}]
                },
            },
            {
                "id": "jp-rare-disease",
                "name": "Japanese rare disease registry",
                "country": "JP",
                "populations": ["Japanese"],
                "dataUseConditions": {
                    "duoDataUse": [
                        {
                            "id": "DUO:0000007",
                            "version": "2022-03-23",
                            "modifiers": [{"id": "DUO:0000016"}],
                        }
                    ]
                },
            },
        ),
    ),
    NodeSpec(
        "my",
        "MY",
        "Malaysia genome node",
        {**_PLAIN, "ACCESS_GRANULARITY": _levels("count"), "SMALL_COUNT_THRESHOLD": 5},
        (
            {
                "id": "my-cohort",
                "name": "Malaysian cohort",
                "country": "MY",
                "populations": ["Malay", "Pop A"],
                "dataUseConditions": {
                    "duoDataUse": [{"id": "DUO:0000006", "version": "2022-03-23"}]
                },
            },
        ),
    ),
    NodeSpec(
        "sg",
        "SG",
        "sg",  # a node named by its id only
        {**_PLAIN, "ACCESS_GRANULARITY": _levels("boolean")},
        (
            {
                "id": "sg-cohort",
                "name": "Singapore cohort",
                "country": "SG",
                "populations": ["Chinese", "Malay", "Indian"],
                "privacyLaws": ["sg-pdpa", "eu-gdpr"],
                "dataUseConditions": {
                    "duoDataUse": [{"id": "DUO:0000011", "version": "2022-03-23"}]
                },
            },
        ),
    ),
)
DEMO_NODE = NodeSpec("th", "TH", "Thailand demo", DEMO_CONFIG)


@dataclass
class ServedNetwork:
    hub: Flask
    hub_url: str
    registry: Path
    node_urls: dict[str, str]  # live nodes, by registry id
    servers: dict[str, BaseWSGIServer] = field(default_factory=dict)

    def stop(self, node_id: str) -> None:
        """Take a node down: nothing answers at its URL any more."""
        server = self.servers.pop(node_id)
        server.shutdown()
        server.server_close()


def serve(app: Flask) -> tuple[str, BaseWSGIServer]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def silent_url() -> str:
    """A local URL where nothing listens (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def node_store(spec: NodeSpec, directory: Path) -> Store:
    store = open_store(f"mongomock://memory/network_{spec.id}_{uuid.uuid4().hex[:8]}")
    descriptions = directory / f"{spec.id}-datasets.yaml"
    descriptions.write_text(yaml.safe_dump(list(spec.datasets)), encoding="utf-8")
    load_datasets(store, descriptions)
    load_vcf(store, VCF, spec.datasets[0]["id"], "GRCh38", populations=POPULATIONS)
    return store


def node_app(spec: NodeSpec, store: Store) -> Flask:
    config = {
        "TESTING": True,
        "AUDIT_LOG": False,
        **spec.config,
        # after the node's config: the demo's config carries the demo's own identity
        "BEACON_ID": spec.beacon_id,
        "BEACON_NAME": spec.name,
    }
    return create_app(config, store=store)


@contextmanager
def served_network(
    directory: Path,
    nodes: tuple[NodeSpec, ...] = NODES,
    demo_store: Store | None = None,
    hub_config: dict[str, Any] | None = None,
) -> Iterator[ServedNetwork]:
    """Serve ``nodes`` (and Thailand over ``demo_store`` when given), list them with the down
    Korean node in a registry file in ``directory``, and build the hub over it."""
    servers: dict[str, BaseWSGIServer] = {}
    urls: dict[str, str] = {}
    entries = []
    served = [(spec, node_app(spec, node_store(spec, directory))) for spec in nodes]
    if demo_store is not None:
        served.append((DEMO_NODE, node_app(DEMO_NODE, demo_store)))
    for spec, app in served:
        urls[spec.id], servers[spec.id] = serve(app)
        entries.append({"id": spec.id, "url": urls[spec.id], "country": spec.country})
        if spec.name != spec.id:
            entries[-1]["name"] = spec.name
    entries.append({"id": DOWN_NODE, "url": silent_url(), "country": "KR", "name": "Korea node"})
    registry = directory / "nodes.yaml"
    registry.write_text(yaml.safe_dump({"nodes": entries}), encoding="utf-8")
    config = {
        "TESTING": True,
        "BEACON_ID": HUB_ID,
        "BEACON_NAME": "Example network hub",
        "NETWORK_NODES": str(registry),
        "NETWORK_TIMEOUT": 5,
        **(hub_config or {}),
    }
    hub = create_app(config, store=open_store(f"mongomock://memory/hub_{uuid.uuid4().hex[:8]}"))
    hub_url, hub_server = serve(hub)
    network = ServedNetwork(hub, hub_url, registry, urls, servers)
    try:
        yield network
    finally:
        for server in [*network.servers.values(), hub_server]:
            server.shutdown()
            server.server_close()


def fetch_json(url: str, body: dict[str, Any] | None = None) -> Any:
    """A node's answer as a plain HTTP client gets it (the independent truth of these tests)."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    with urllib.request.urlopen(urllib.request.Request(url, data, headers), timeout=10) as reply:
        return json.load(reply)
