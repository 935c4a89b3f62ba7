"""Running the application: gunicorn for deployments, one process for the embedded demo."""

from __future__ import annotations

from typing import Any

from flask import Flask


def run_in_process(app: Flask, host: str, port: int) -> None:
    """One threaded process, so every request sees the same in-memory store."""
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True)


def run_gunicorn(host: str, port: int, workers: int, mongo_uri: str) -> None:
    from gunicorn.app.base import BaseApplication

    from app import create_app

    class _Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)

        def load(self) -> Any:
            return create_app({"MONGO_URI": mongo_uri})

    _Server().run()
