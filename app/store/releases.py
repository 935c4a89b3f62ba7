"""Releases: which stored collections make up each loaded state, and which one is served.

A manifest lists releases (id, when, what load made it, and for each collection the stored
parts it consists of) and names the active one. A load builds its parts beside the served ones
and then makes a new release active in one step: one short transaction (embedded store) or one
single-document update (MongoDB). These functions are pure: they take a manifest and return a
new one, so both backends share the rules and the tests need no store.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

Manifest = dict[str, Any]
Parts = dict[str, list[str]]  # collection -> its stored parts (SQLite parts, MongoDB collections)

FORMAT = 1
DEFAULT_KEPT = 5  # releases kept after a load, the active one included (for rollback)


class ReleaseError(ValueError):
    """A release operation that cannot be done (unknown id, dropping the active release…)."""


@dataclass(frozen=True)
class ReleaseInfo:
    id: str
    created_at: str
    description: str
    active: bool
    collections: dict[str, list[str]]


def empty_manifest() -> Manifest:
    # history: the releases served before the active one, most recent last (for rollback)
    return {"format": FORMAT, "active": None, "sequence": 0, "releases": [], "history": []}


def _served_before(updated: Manifest) -> None:
    """Remember the active release as served before (rollback returns to it)."""
    if updated.get("active") is not None:
        updated.setdefault("history", []).append(updated["active"])


def active_parts(manifest: Manifest) -> Parts:
    release = _find(manifest, manifest.get("active"))
    return copy.deepcopy(release["collections"]) if release else {}


def next_release_id(manifest: Manifest) -> str:
    return f"r{manifest.get('sequence', 0) + 1:06d}"


def with_new_release(
    manifest: Manifest, parts: Parts, description: str, kept: int = DEFAULT_KEPT
) -> tuple[Manifest, str]:
    """Add a release made of ``parts`` and make it active; older ones beyond ``kept`` go."""
    updated = copy.deepcopy(manifest)
    release_id = next_release_id(updated)
    updated["sequence"] = updated.get("sequence", 0) + 1
    updated["releases"].append(
        {
            "id": release_id,
            "createdAt": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "description": description,
            "collections": copy.deepcopy(parts),
        }
    )
    _served_before(updated)
    updated["active"] = release_id
    if kept > 0 and len(updated["releases"]) > kept:
        updated["releases"] = updated["releases"][-kept:]
        known = set(ids(updated))
        updated["history"] = [r for r in updated.get("history", []) if r in known]
    return updated, release_id


def with_active_parts(manifest: Manifest, parts: Parts, description: str) -> Manifest:
    """Change the active release in place (a direct write, outside any load): a manifest with
    no release gets a first one."""
    if manifest.get("active") is None:
        return with_new_release(manifest, parts, description)[0]
    updated = copy.deepcopy(manifest)
    release = _find(updated, updated["active"])
    assert release is not None
    release["collections"] = copy.deepcopy(parts)
    return updated


def activated(manifest: Manifest, release_id: str) -> Manifest:
    if _find(manifest, release_id) is None:
        raise ReleaseError(f"no release {release_id!r}; known: {', '.join(ids(manifest))}")
    updated = copy.deepcopy(manifest)
    if updated.get("active") != release_id:
        _served_before(updated)
    updated["active"] = release_id
    return updated


def rolled_back(manifest: Manifest) -> tuple[Manifest, str]:
    """Serve again the release served before the active one (after a load: what was served
    before it); rolling back again goes further back."""
    updated = copy.deepcopy(manifest)
    history = [r for r in updated.get("history", []) if r in ids(updated)]
    while history and history[-1] == updated.get("active"):
        history.pop()
    if not history:
        raise ReleaseError("no release was served before the active one; nothing to roll back to")
    previous = history.pop()
    updated["history"] = history
    updated["active"] = previous
    return updated, previous


def dropped(manifest: Manifest, release_id: str) -> Manifest:
    if _find(manifest, release_id) is None:
        raise ReleaseError(f"no release {release_id!r}; known: {', '.join(ids(manifest))}")
    if manifest.get("active") == release_id:
        raise ReleaseError(f"release {release_id} is active; activate another one first")
    updated = copy.deepcopy(manifest)
    updated["releases"] = [r for r in updated["releases"] if r["id"] != release_id]
    updated["history"] = [r for r in updated.get("history", []) if r != release_id]
    return updated


def manifest_problem(manifest: Any) -> str | None:
    """What is wrong with a manifest's shape (one read back from storage), or None."""
    if not isinstance(manifest.get("releases"), list):
        return "no list of releases"
    known = set()
    for release in manifest["releases"]:
        if not isinstance(release, dict) or not isinstance(release.get("id"), str):
            return "a release without an id"
        collections = release.get("collections")
        if not isinstance(collections, dict) or not all(
            isinstance(parts, list) and all(isinstance(part, str) for part in parts)
            for parts in collections.values()
        ):
            return f"release {release['id']} does not list its collections' parts"
        known.add(release["id"])
    if manifest.get("active") is not None and manifest["active"] not in known:
        return f"the active release {manifest['active']!r} is not among its releases"
    if not isinstance(manifest.get("sequence", 0), int):
        return "no valid sequence"
    return None


def referenced_parts(manifest: Manifest) -> set[str]:
    """Every stored part some release still uses: the others may be deleted."""
    return {
        part
        for release in manifest["releases"]
        for parts in release["collections"].values()
        for part in parts
    }


def ids(manifest: Manifest) -> list[str]:
    return [release["id"] for release in manifest["releases"]]


def release_infos(manifest: Manifest) -> list[ReleaseInfo]:
    return [
        ReleaseInfo(
            release["id"],
            release["createdAt"],
            release["description"],
            release["id"] == manifest.get("active"),
            copy.deepcopy(release["collections"]),
        )
        for release in manifest["releases"]
    ]


def _find(manifest: Manifest, release_id: str | None) -> dict[str, Any] | None:
    for release in manifest["releases"]:
        if release["id"] == release_id:
            return release
    return None
