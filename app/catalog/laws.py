"""The privacy-law registry: which law governs personal, health and genetic data where.

``bundled_registry()`` reads ``data/privacy_laws.yaml`` once, validates it against
``schemas.privacy_law`` and refuses duplicate ids; ``load_registry(path)`` does the same for
another file. Entries are plain JSON-ready dicts, shared by every caller: treat them as read-only.
"""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from marshmallow import ValidationError

from schemas.privacy_law import PrivacyLawRegistrySchema

BUNDLED_FILE = "privacy_laws.yaml"


class RegistryError(ValueError):
    """A registry file that cannot be used; the message names the file, entry and field."""


@dataclass(frozen=True)
class PrivacyLawRegistry:
    version: str
    reviewed: str
    entries: tuple[dict[str, Any], ...]

    def by_id(self, law_id: str) -> dict[str, Any] | None:
        """The entry with this id, or None."""
        return next((entry for entry in self.entries if entry["id"] == law_id), None)

    def for_country(self, country: str) -> list[dict[str, Any]]:
        """Entries whose ``country`` is this code (``TH``, ``EU``; any case), in file order.

        An EU member state's code does not return the GDPR entry: matches are exact.
        """
        code = country.upper()
        return [entry for entry in self.entries if entry["country"] == code]


class _PlainYamlLoader(yaml.SafeLoader):
    """Safe YAML that keeps dates as written and reads only true/false as booleans.

    Dates stay strings so entries are JSON-ready; ``no`` and ``NO`` (Norway) stay strings.
    """


_PlainYamlLoader.yaml_implicit_resolvers = {
    first: [
        (tag, pattern)
        for tag, pattern in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_PlainYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_registry(path: str | Path | None = None) -> PrivacyLawRegistry:
    """Read and validate a registry file; the bundled one when ``path`` is None.

    Raises :class:`RegistryError` listing every problem found.
    """
    if path is None:
        resource = importlib.resources.files("app.catalog") / "data" / BUNDLED_FILE
        name = f"app/catalog/data/{BUNDLED_FILE}"
        text = resource.read_text(encoding="utf-8")
    else:
        name = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise RegistryError(f"{name}: cannot be read: {error}") from None
    return _registry_from_text(text, name)


@cache
def bundled_registry() -> PrivacyLawRegistry:
    """The registry shipped with the package, read on first use."""
    return load_registry()


def _registry_from_text(text: str, name: str) -> PrivacyLawRegistry:
    try:
        raw = yaml.load(text, Loader=_PlainYamlLoader)  # a SafeLoader subclass
    except yaml.YAMLError as error:
        raise RegistryError(f"{name}: not valid YAML: {error}") from None
    if not isinstance(raw, Mapping):
        raise RegistryError(f"{name}: must be a mapping with version, reviewed and entries")
    problems: list[str] = []
    try:
        loaded = PrivacyLawRegistrySchema().load(raw)
    except ValidationError as error:
        problems.extend(_describe(error.messages, raw))
        loaded = None
    problems.extend(_duplicate_ids(raw.get("entries")))
    if problems or loaded is None:
        listed = "\n".join(f"  {problem}" for problem in problems)
        raise RegistryError(f"{name}: {len(problems)} problem(s):\n{listed}")
    return PrivacyLawRegistry(
        version=loaded["version"], reviewed=loaded["reviewed"], entries=tuple(loaded["entries"])
    )


def _describe(messages: Any, raw: Mapping[str, Any]) -> list[str]:
    """One line per problem, entries named by index and id: ``entry 2 (th-pdpa): country: ...``."""
    problems = []
    for field, found in _flatten(messages):
        head, _, rest = field.partition(".")
        if head == "entries" and rest:
            index, _, entry_field = rest.partition(".")
            where = _entry_label(raw.get("entries"), int(index))
            problems.append(f"{where}: {entry_field + ': ' if entry_field else ''}{found}")
        else:
            problems.append(f"{field}: {found}")
    return problems


def _flatten(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(messages, Mapping):
        flat = []
        for key, inner in messages.items():
            name = prefix if key == "_schema" else f"{prefix}.{key}" if prefix else str(key)
            flat.extend(_flatten(inner, name))
        return flat
    if isinstance(messages, list):
        return [(prefix, str(message)) for message in messages]
    return [(prefix, str(messages))]


def _entry_label(entries: Any, index: int) -> str:
    entry = entries[index] if isinstance(entries, list) and index < len(entries) else None
    law_id = entry.get("id") if isinstance(entry, Mapping) else None
    return f"entry {index} ({law_id})" if isinstance(law_id, str) else f"entry {index}"


def _duplicate_ids(entries: Any) -> list[str]:
    if not isinstance(entries, list):
        return []
    first_seen: dict[str, int] = {}
    problems = []
    for index, entry in enumerate(entries):
        law_id = entry.get("id") if isinstance(entry, Mapping) else None
        if not isinstance(law_id, str):
            continue
        if law_id in first_seen:
            problems.append(
                f"entry {index} ({law_id}): id: duplicate of entry {first_seen[law_id]}"
            )
        else:
            first_seen[law_id] = index
    return problems
