"""Every marshmallow shape the project declares under ``schemas/``, for tests that check
something of all of them (the compiled dumps and loads)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from marshmallow import Schema

import schemas


def project_shapes() -> list[type[Schema]]:
    """Each Schema class defined in a module of ``schemas/``, once, ordered by name."""
    found = {}
    for module in pkgutil.iter_modules(schemas.__path__):
        loaded = importlib.import_module(f"schemas.{module.name}")
        for _, value in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(value, Schema) and value.__module__.startswith("schemas."):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]
