"""Our model against the official Beacon v2 default model: the same properties at every depth
(following every ``$ref``, ``oneOf`` and ``allOf``) and the same required ones."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from beacon_schemas import BEACON_REMOTE, DEFAULT_MODEL, schemas_dir

from schemas.metadata.json_schema import entry_json_schema

ENTRIES = ("individuals", "biosamples", "runs", "analyses", "cohorts")
# The entry types point to ../common/info.json, which the default model does not have (the
# framework's info.json is a free-form object); it has no properties to compare.
MISSING_FREE_OBJECT = "../common/info.json"


def _official(root: Path, path: Path, pointer: str = "") -> tuple[dict[str, Any], Path]:
    document = json.loads(path.read_text(encoding="utf-8"))
    for part in [p for p in pointer.split("/") if p]:
        document = document[part]
    return document, path


def _resolve(root: Path, here: Path, ref: str) -> tuple[dict[str, Any], Path]:
    target, _, pointer = ref.partition("#")
    if match := BEACON_REMOTE.match(target):
        file = root / match["path"]
    elif target:
        file = (here.parent / target).resolve()
    else:
        file = here
    return _official(root, file, pointer)


def _official_shapes(root: Path, node: dict[str, Any], here: Path, path: str) -> Iterator[tuple]:
    """(object path, property names, required names) of every object schema under ``node``."""
    if "$ref" in node and not node["$ref"].endswith(MISSING_FREE_OBJECT):
        target, file = _resolve(root, here, node["$ref"])
        yield from _official_shapes(root, target, file, path)
    for key in ("oneOf", "allOf", "anyOf"):
        for option in node.get(key, []):
            yield from _official_shapes(root, option, here, path)
    if node.get("type") == "array" and "items" in node:
        yield from _official_shapes(root, node["items"], here, path)
    properties = node.get("properties")
    if properties:
        yield path, frozenset(properties), frozenset(node.get("required", []))
        for name, child in properties.items():
            yield from _official_shapes(root, child, here, f"{path}.{name}".lstrip("."))


def _our_shapes(schema: dict[str, Any], node: dict[str, Any], path: str) -> Iterator[tuple]:
    if "$ref" in node:
        yield from _our_shapes(schema, schema["$defs"][node["$ref"].rpartition("/")[2]], path)
    for key in ("oneOf", "allOf"):
        for option in node.get(key, []):
            yield from _our_shapes(schema, option, path)
    if node.get("type") == "array" and "items" in node:
        yield from _our_shapes(schema, node["items"], path)
    properties = node.get("properties")
    if properties and node.get("type") == "object":
        yield path, frozenset(properties), frozenset(node.get("required", []))
        for name, child in properties.items():
            yield from _our_shapes(schema, child, f"{path}.{name}".lstrip("."))


def _merged(shapes: Iterator[tuple]) -> tuple[dict[str, set[str]], dict[str, set[frozenset]]]:
    names: dict[str, set[str]] = {}
    required: dict[str, set[frozenset]] = {}
    for path, properties, needed in shapes:
        names.setdefault(path, set()).update(properties)
        required.setdefault(path, set()).add(needed)
    return names, required


@pytest.mark.parametrize("entry", ENTRIES)
def test_every_official_property_is_modelled_and_no_other(entry):
    root = schemas_dir()
    official_file = root / DEFAULT_MODEL / entry / "defaultSchema.json"
    official, _ = _official(root, official_file)
    theirs, their_required = _merged(_official_shapes(root, official, official_file, ""))
    ours_schema = entry_json_schema(entry)
    ours, our_required = _merged(_our_shapes(ours_schema, ours_schema, ""))
    assert ours == theirs
    assert our_required == their_required
