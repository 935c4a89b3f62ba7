"""The hub's registry of nodes: a YAML or JSON file an operator edits while the hub runs.

Each node has an id, a base URL, a country and a token policy that decides what credential, if
any, travels to it; a node that is another hub lists the beacons it may answer for (``relays``).
The file is read again whenever it changes on disk, so adding or removing a node needs no
restart; a file that no longer parses keeps the last good registry in service and the error is
reported (``RegistryFile.problem``) instead of taking the hub down.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from app.genome import UnknownAssemblyError, canonical_assembly

TOKEN_POLICIES = ("none", "forward", "service")
REFERENCE_NAMINGS = ("ucsc", "ensembl", "asIs")
_NODE_FIELDS = frozenset(
    {
        "id",
        "url",
        "country",
        "name",
        "token",
        "issuers",
        "tokenEnv",
        "timeout",
        "referenceNaming",
        "assemblies",
        "relays",
    }
)


class RegistryError(ValueError):
    """The registry file cannot be used; the message names the file, the node and the field."""


@dataclass(frozen=True)
class TokenPolicy:
    """What credential goes to a node: ``none``; ``forward``, the caller's own token, only when
    its issuer is one the node trusts; or ``service``, the hub's token for that node, read from
    the environment variable ``token_env`` (the registry file never holds a secret)."""

    kind: str = "none"
    issuers: tuple[str, ...] = ()
    token_env: str | None = None


@dataclass(frozen=True)
class NodeEntry:
    id: str
    url: str
    country: str
    name: str
    token: TokenPolicy = field(default_factory=TokenPolicy)
    timeout: float | None = None  # seconds; None: the hub's NETWORK_TIMEOUT
    # how the node spells chromosomes; None: as the node's /info says, else as asked
    reference_naming: str | None = None
    # assemblies the node serves; empty: as its /info says, else any
    assemblies: tuple[str, ...] = ()
    # the node is another hub, trusted to answer for these beacon ids besides its own (result
    # sets, datasets, cohorts); empty: a node answering for itself only
    relays: frozenset[str] = frozenset()


def read_registry(path: str | Path) -> tuple[NodeEntry, ...]:
    """The nodes of a registry file: ``{"nodes": [{...}, ...]}`` in YAML or JSON."""
    try:
        content = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise RegistryError(f"{path}: cannot be read ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise RegistryError(f"{path}: not valid YAML or JSON ({error})") from None
    return parse_registry(content, str(path))


def parse_registry(content: Any, source: str) -> tuple[NodeEntry, ...]:
    if not isinstance(content, Mapping) or not isinstance(content.get("nodes"), list):
        raise RegistryError(f"{source}: must be a mapping with a list of nodes under 'nodes'")
    entries = tuple(
        _node(item, f"{source}: nodes[{index}]") for index, item in enumerate(content["nodes"])
    )
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if entry.id in seen:
            raise RegistryError(f"{source}: nodes[{index}].id: {entry.id!r} is listed twice")
        seen.add(entry.id)
    return entries


def _node(item: Any, where: str) -> NodeEntry:
    if not isinstance(item, Mapping):
        raise RegistryError(f"{where}: must be a mapping")
    unknown = sorted(set(item) - _NODE_FIELDS)
    if unknown:
        raise RegistryError(f"{where}.{unknown[0]}: unknown field")
    node_id = _text(item, "id", where)
    where = f"{where} ({node_id})"
    url = _base_url(_text(item, "url", where).rstrip("/"), where)
    return NodeEntry(
        id=node_id,
        url=url,
        country=_text(item, "country", where).upper(),
        name=str(item.get("name") or node_id),
        token=_token_policy(item, where),
        timeout=_timeout(item, where),
        reference_naming=_choice(item, "referenceNaming", REFERENCE_NAMINGS, where),
        assemblies=_assemblies(item, where),
        relays=_relays(item, where),
    )


def _base_url(url: str, where: str) -> str:
    """A node's base URL: http(s), a host, a path, and nothing the hub's calls would carry to
    another place or person (user info, a query, a fragment, ``..``)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  # a port that is no number raises here
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise RegistryError(f"{where}.url: {url!r} is not an http(s) URL")
    if "@" in parts.netloc:
        raise RegistryError(f"{where}.url: {url!r} has user info: give a token policy instead")
    if "?" in url or "#" in url:
        raise RegistryError(f"{where}.url: {url!r} has a query or a fragment: give a base URL")
    if any(part in (".", "..") for part in parts.path.split("/")) or any(
        character.isspace() or ord(character) < 32 for character in url
    ):
        raise RegistryError(f"{where}.url: {url!r} is not a plain base URL")
    return url


def _text(item: Mapping[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RegistryError(f"{where}.{key}: required, a non-empty text")
    return value.strip()


def _choice(item: Mapping[str, Any], key: str, allowed: tuple[str, ...], where: str) -> str | None:
    value = item.get(key)
    if value is not None and value not in allowed:
        raise RegistryError(f"{where}.{key}: {value!r} is not one of {', '.join(allowed)}")
    return value


def _token_policy(item: Mapping[str, Any], where: str) -> TokenPolicy:
    kind = _choice(item, "token", TOKEN_POLICIES, where) or "none"
    issuers = item.get("issuers") or []
    if not isinstance(issuers, list) or not all(isinstance(i, str) and i for i in issuers):
        raise RegistryError(f"{where}.issuers: must be a list of issuer URLs")
    token_env = item.get("tokenEnv")
    if kind == "forward" and not issuers:
        raise RegistryError(f"{where}.issuers: 'forward' needs the issuers the node trusts")
    if kind == "service" and not (isinstance(token_env, str) and token_env):
        raise RegistryError(
            f"{where}.tokenEnv: 'service' needs the environment variable holding its token"
        )
    if kind != "forward" and issuers:
        raise RegistryError(f"{where}.issuers: only a 'forward' token policy has issuers")
    return TokenPolicy(kind, tuple(issuers), token_env if kind == "service" else None)


def _timeout(item: Mapping[str, Any], where: str) -> float | None:
    value = item.get("timeout")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 300:
        raise RegistryError(f"{where}.timeout: seconds, a number above 0 and at most 300")
    return float(value)


def _assemblies(item: Mapping[str, Any], where: str) -> tuple[str, ...]:
    value = item.get("assemblies") or []
    if not isinstance(value, list):
        raise RegistryError(f"{where}.assemblies: must be a list such as [GRCh38]")
    try:
        return tuple(canonical_assembly(str(name)) for name in value)
    except UnknownAssemblyError as error:
        raise RegistryError(f"{where}.assemblies: {error}") from None


def _relays(item: Mapping[str, Any], where: str) -> frozenset[str]:
    value = item.get("relays") or []
    if not isinstance(value, list) or not all(isinstance(b, str) and b.strip() for b in value):
        raise RegistryError(f"{where}.relays: must be a list of beacon ids")
    return frozenset(beacon_id.strip() for beacon_id in value)


class RegistryFile:
    """The registry, read again when the file's modification time or size changes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._entries: tuple[NodeEntry, ...] = ()
        self.problem: str | None = None
        status = os.stat(self.path) if self.path.exists() else None
        self._entries = read_registry(self.path)  # a registry wrong at start is refused at start
        self._stamp = (status.st_mtime_ns, status.st_size) if status else None

    def entries(self) -> tuple[NodeEntry, ...]:
        """The current nodes; a cheap ``stat`` per call decides whether to read the file."""
        try:
            status = os.stat(self.path)
            stamp = (status.st_mtime_ns, status.st_size)
        except OSError as error:
            self.problem = f"{self.path}: cannot be read ({error.strerror})"
            return self._entries
        if stamp == self._stamp:
            return self._entries
        with self._lock:
            if stamp != self._stamp:
                try:
                    self._entries = read_registry(self.path)
                    self.problem = None
                except RegistryError as error:
                    self.problem = f"{error}; still serving the previous registry"
                self._stamp = stamp
        return self._entries
