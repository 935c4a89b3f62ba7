"""Fixtures of the catalog page tests: the demo served with the demo's own configuration."""

from __future__ import annotations

import pytest
from flask import Flask

from app import create_app
from app.store import Store
from loaders.demo.load import DEMO_CONFIG


@pytest.fixture
def demo_app(demo_store: Store) -> Flask:
    return create_app({**DEMO_CONFIG, "TESTING": True}, store=demo_store)


@pytest.fixture
def demo_client(demo_app: Flask):
    return demo_app.test_client()
