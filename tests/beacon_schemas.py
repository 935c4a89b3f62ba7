"""Validate documents against the official GA4GH Beacon v2 JSON schemas, fully offline.

The schemas are not copied into the project: they are read from the folder named by
``ASIA_BEACON_SCHEMAS_DIR`` (default ``<repo>/../shared/beacon-v2-schemas``, a checkout of
ga4gh-beacon/beacon-v2). Where that folder is absent, every caller skips and says why.

References resolve without network access:

* each schema file is registered under its ``file://`` URI, which is also injected as its
  ``$id`` so that relative ``$ref``s resolve against the file's own location;
* ``https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/<branch or tag>/<path>`` maps to
  ``<path>`` in the local folder (it mirrors the repository: ``framework/json/...``,
  ``models/json/beacon-v2-default-model/...``);
* ``https://w3id.org/ga4gh/schema/vrs/1.3/vrs.json`` is the official VRS 1.3 schema shipped in the
  PyPI package ``ga4gh.vrs==0.8.5``; the file is read, the package is never imported;
* any other remote reference fails loudly rather than being stubbed with a permissive schema.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012, specification_with

SCHEMAS_DIR_VARIABLE = "ASIA_BEACON_SCHEMAS_DIR"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCHEMAS_DIR = REPO_ROOT.parent / "shared" / "beacon-v2-schemas"
FRAMEWORK = Path("framework", "json")
DEFAULT_MODEL = Path("models", "json", "beacon-v2-default-model")

BEACON_MAIN = "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main"
BEACON_REMOTE = re.compile(
    r"^https://raw\.githubusercontent\.com/ga4gh-beacon/beacon-v2/[^/]+/(?P<path>.+)$"
)
VRS_URI = "https://w3id.org/ga4gh/schema/vrs/1.3/vrs.json"
VRS_DISTRIBUTION = "ga4gh.vrs"
VRS_SCHEMA_FILE = "ga4gh/vrs/_internal/data/schema/vrs.json"
VRS_INSTALL = "pip install --no-deps ga4gh.vrs==0.8.5"
MESSAGE_LIMIT = 300


class UnmappedRemoteSchemaError(LookupError):
    """A ``$ref`` points to a remote schema with no offline copy; never guess one."""


def schemas_dir() -> Path:
    """The official schema folder, or skip the calling test when it is absent.

    A relative ``ASIA_BEACON_SCHEMAS_DIR`` is taken from the current directory, as a shell would.
    """
    configured = os.environ.get(SCHEMAS_DIR_VARIABLE)
    root = (Path(configured).expanduser() if configured else DEFAULT_SCHEMAS_DIR).resolve()
    if not root.is_dir():
        pytest.skip(
            f"official Beacon v2 schemas not found at {root}: set {SCHEMAS_DIR_VARIABLE} to a "
            "checkout of ga4gh-beacon/beacon-v2 (the folder holding framework/ and models/)"
        )
    if not (root / FRAMEWORK).is_dir():
        pytest.fail(f"{SCHEMAS_DIR_VARIABLE} points to {root}, which has no {FRAMEWORK} folder")
    return root


def validate_framework(document: Any, schema: str) -> None:
    """Assert ``document`` is valid under ``framework/json/<schema>``, listing every error."""
    _assert_valid(document, schemas_dir(), FRAMEWORK / schema)


def validate_model(document: Any, entry_type: str) -> None:
    """Assert ``document`` is a valid ``entry_type`` record of the Beacon v2 default model."""
    root = schemas_dir()
    if not (root / DEFAULT_MODEL / entry_type / "defaultSchema.json").is_file():
        known = sorted(p.parent.name for p in (root / DEFAULT_MODEL).glob("*/defaultSchema.json"))
        raise ValueError(f"unknown entry type {entry_type!r}; the default model has {known}")
    _assert_valid(document, root, DEFAULT_MODEL / entry_type / "defaultSchema.json")


def _assert_valid(document: Any, root: Path, schema: Path) -> None:
    if not (root / schema).is_file():
        raise FileNotFoundError(f"no official schema at {root / schema}")
    validator = _validator(root, schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.path])
    if errors:
        report = "\n".join(line for error in errors for line in _describe(error))
        raise AssertionError(f"{len(errors)} error(s) against {schema.as_posix()}:\n{report}")


def _describe(error: ValidationError, depth: int = 0, label: str = "") -> Iterator[str]:
    """One line per error; under a oneOf/anyOf error, each branch's own errors, indented."""
    yield f"{'  ' * depth}{label}{error.json_path}: {_shortened(error.message)}"
    for branch_error in sorted(error.context or (), key=lambda e: [str(p) for p in e.schema_path]):
        branch = branch_error.relative_schema_path[0]
        yield from _describe(branch_error, depth + 1, _branch_label(error, branch))


def _branch_label(error: ValidationError, branch: Any) -> str:
    """Name a oneOf/anyOf branch by its ``$ref`` target, e.g. ``[oneOf 2 LegacyVariation]``."""
    options = error.validator_value
    option = options[branch] if isinstance(options, list) and isinstance(branch, int) else None
    target = option.get("$ref", "") if isinstance(option, dict) else ""
    name = f" {target.rpartition('/')[2]}" if target else ""
    return f"[{error.validator} {branch}{name}] "


def _shortened(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """Messages quote the whole instance; keep a whole record from drowning the report."""
    if len(message) <= limit:
        return message
    return f"{message[: limit // 2]} ... {message[-limit // 2 :]}"


@functools.cache
def _validator(root: Path, schema: Path) -> Validator:
    """A validator of the schema's own draft, with format checking, bound to the registry."""
    registry = _registry(root)
    contents = registry[(root / schema).as_uri()].contents
    validator_class = validators.validator_for(contents, default=Draft202012Validator)
    return validator_class(
        contents, registry=registry, format_checker=validator_class.FORMAT_CHECKER
    )


@functools.cache
def _registry(root: Path) -> Registry:
    """Every schema file of ``root`` under its file URI and its usual remote URI, plus VRS.

    Pre-registering the remote URIs that the schemas actually use (branch ``main``) saves the
    per-lookup retrieve-and-crawl that referencing does for retrieved resources; other branches
    and tags still resolve through ``_retrieve_remote``.
    """
    files = [
        path
        for folder in (root / "framework", root / "models")
        for path in sorted(folder.rglob("*.json"))
        if not any(part.startswith("examples") for part in path.relative_to(root).parts)
    ]
    resources = [(path.as_uri(), _file_resource(path)) for path in files]
    resources += [
        (f"{BEACON_MAIN}/{path.relative_to(root).as_posix()}", _file_resource(path))
        for path in files
    ]
    if _installed_vrs_schema_file() is not None:
        resources.append((VRS_URI, _vrs_resource()))
    retrieve = functools.partial(_retrieve_remote, root)
    return Registry(retrieve=retrieve).with_resources(resources).crawl()


@functools.cache
def _file_resource(path: Path) -> Resource:
    """A schema file with its file URI as ``$id``: relative ``$ref``s resolve beside it."""
    contents = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(contents, dict):
        contents = {**contents, "$id": path.as_uri()}
    return _resource(contents)


def _resource(contents: Any) -> Resource:
    dialect = contents.get("$schema") if isinstance(contents, dict) else None
    return specification_with(dialect or "", default=DRAFT202012).create_resource(contents)


def _retrieve_remote(root: Path, uri: str) -> Resource:
    """Resolve a remote ``$ref`` from local files only."""
    if match := BEACON_REMOTE.match(uri):
        path = (root / match["path"]).resolve()
        if path.is_file() and path.is_relative_to(root):
            return _file_resource(path)
        raise UnmappedRemoteSchemaError(f"{uri} maps to {path}, which does not exist")
    if uri == VRS_URI:
        return _vrs_resource()
    raise UnmappedRemoteSchemaError(
        f"no offline copy of the remote schema {uri}; add a mapping in {__name__}"
    )


@functools.cache
def _vrs_resource() -> Resource:
    """VRS 1.3, a draft-07 schema.

    jsonschema evaluates a referenced resource with the keywords of the referring validator
    (2020-12 here); VRS 1.3 uses only keywords that mean the same in both drafts (single-schema
    ``items``, ``$ref`` beside nothing but ``description``/``default``), so nothing is lost.
    """
    return _resource(json.loads(vrs_schema_file().read_text(encoding="utf-8")))


def vrs_schema_file() -> Path:
    """The official VRS 1.3 schema file, located without importing its package, or skip."""
    path = _installed_vrs_schema_file()
    if path is None:
        pytest.skip(f"the VRS 1.3 schema is needed here and not installed: run `{VRS_INSTALL}`")
    return path


def _installed_vrs_schema_file() -> Path | None:
    try:
        distribution = importlib.metadata.distribution(VRS_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None
    path = Path(str(distribution.locate_file(VRS_SCHEMA_FILE)))
    if not path.is_file():
        pytest.fail(f"{VRS_DISTRIBUTION} is installed but has no {VRS_SCHEMA_FILE}: {VRS_INSTALL}")
    return path
