"""Fixtures: the real application factory over an embedded store holding the demo data, and
empty stores of every backend."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from open_access import OPEN_ACCESS
from store_backends import mongodb_store

from app import create_app
from app.store import Store, open_store
from loaders.demo.load import load_demo

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"

# Stores opened with a data-dir URI (the CLI's default among them) never touch the user's own
# data directory: the whole run shares one temporary one.
os.environ["ASIA_BEACON_DATA_DIR"] = tempfile.mkdtemp(prefix="asia-beacon-tests-")


@pytest.fixture(scope="session")
def demo_store() -> Store:
    """The bundled demo, loaded once per test run; tests must only read it."""
    store = open_store("mongomock://memory/asia_beacon_demo_tests")
    load_demo(store)
    return store


@pytest.fixture
def app(demo_store: Store):
    return create_app(OPEN_ACCESS, store=demo_store)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def empty_store() -> Store:
    return open_store("mongomock://memory/asia_beacon_empty")


@pytest.fixture(params=["embedded-memory", "embedded-disk", "mongodb"])
def any_store(request, tmp_path) -> Store:
    """An empty store of each backend: the embedded one in memory and on disk, and MongoDB's."""
    if request.param == "embedded-memory":
        return open_store("mongomock://memory/x")
    if request.param == "embedded-disk":
        return open_store(f"mongomock://{tmp_path}")
    return mongodb_store()
