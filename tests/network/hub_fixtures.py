"""Hubs for the network tests: a registry file written from node entries, and a hub application
over it (in-process through Flask's test client, or served on 127.0.0.1 to be another hub's
node)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beacon_schemas import schemas_dir
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.store import open_store

HUB_ID = "org.example.asia-hub"
TIMEOUT = 1.0  # seconds: faults are decided quickly, real nodes answer in milliseconds


def entry(node_id: str, url: str, country: str, **fields: Any) -> dict[str, Any]:
    return {"id": node_id, "url": url, "country": country, **fields}


@dataclass
class Hub:
    app: Flask
    registry: Path

    @property
    def client(self) -> FlaskClient:
        return self.app.test_client()

    def rewrite(self, entries: Sequence[Mapping[str, Any]]) -> None:
        """A new registry, taken up on the next request (a later modification time)."""
        write_registry(self.registry, entries)
        stamp = self.registry.stat().st_mtime_ns + 1_000_000_000
        os.utime(self.registry, ns=(stamp, stamp))


def write_registry(path: Path, entries: Sequence[Mapping[str, Any]]) -> Path:
    path.write_text(json.dumps({"nodes": list(entries)}, indent=1), encoding="utf-8")
    return path


def make_hub(
    directory: Path,
    entries: Sequence[Mapping[str, Any]],
    beacon_id: str = HUB_ID,
    **settings: Any,
) -> Hub:
    registry = write_registry(directory / f"{beacon_id}.nodes.json", entries)
    config = {
        "TESTING": True,
        "BEACON_ID": beacon_id,
        "NETWORK_NODES": str(registry),
        "NETWORK_TIMEOUT": TIMEOUT,
        "SCHEMAS_DIR": str(schemas_dir()),
        "LOG_FORMAT": "text",
        "DEFAULT_GRANULARITY": "count",
        **settings,
    }
    app = create_app(config, store=open_store(f"mongomock://memory/{beacon_id}-{id(config)}"))
    return Hub(app, registry)
