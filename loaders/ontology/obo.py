"""Read the terms of an OBO flat file (format 1.2/1.4): id, name, ``is_a`` parents, obsoletion.

Only ``[Term]`` stanzas are read, and of them only what a hierarchy needs. ``relationship``
lines (``part_of`` and the rest) are not parents here: descendant queries follow ``is_a``.
The file is read line by line, so a full ontology (NCIt is several hundred MB) streams.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from loaders.errors import LoadError


@dataclass
class OboTerm:
    id: str
    name: str = ""
    parents: list[str] = field(default_factory=list)
    obsolete: bool = False
    replaced_by: list[str] = field(default_factory=list)


@dataclass
class OboDocument:
    terms: dict[str, OboTerm]
    data_version: str = ""
    ontology: str = ""


def read_obo(path: str | Path) -> OboDocument:
    """Every ``[Term]`` of the file, keyed by id (a repeated id merges, as OBO allows)."""
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            return parse_obo(handle, str(path))
    except OSError as error:
        raise LoadError(str(path), f"cannot read the file: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise LoadError(str(path), "not UTF-8 text") from None


def parse_obo(lines: IO[str] | Iterator[str], name: str = "<obo>") -> OboDocument:
    document = OboDocument(terms={})
    stanza: str | None = None  # None: the header frame
    term: OboTerm | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("!"):
            continue
        if line.startswith("["):
            stanza = line.partition("]")[0] + "]"  # "[Term]", "[Typedef]", ...
            term = None
            continue
        tag, colon, value = line.partition(":")
        if not colon:
            raise LoadError(name, f"expected 'tag: value', got {line[:60]!r}", number)
        tag, value = tag.strip(), value.strip()
        if stanza is None:
            if tag == "data-version":
                document.data_version = _value(value)
            elif tag == "ontology":
                document.ontology = _value(value)
            continue
        if stanza != "[Term]":
            continue
        if tag == "id":
            term_id = _first_token(value)
            if not term_id:
                raise LoadError(name, "empty id", number)
            term = document.terms.setdefault(term_id, OboTerm(term_id))
        elif term is None:
            raise LoadError(name, f"{tag!r} before the stanza's id", number)
        elif tag == "name":
            term.name = _value(value)
        elif tag == "is_a":
            parent = _first_token(value)
            if parent and parent not in term.parents:
                term.parents.append(parent)
        elif tag == "is_obsolete":
            term.obsolete = _value(value).lower() == "true"
        elif tag == "replaced_by":
            term.replaced_by.append(_first_token(value))
    return document


def _first_token(value: str) -> str:
    """``HP:0000118 {source="x"} ! Phenotypic abnormality`` -> ``HP:0000118``."""
    return value.split(maxsplit=1)[0] if value.split() else ""


def _value(value: str) -> str:
    """A free-text value without its trailing ``! comment`` and with OBO escapes resolved."""
    text: list[str] = []
    escaped = False
    for position, char in enumerate(value):
        if escaped:
            text.append({"n": " ", "t": " ", "W": " "}.get(char, char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "!" and (position == 0 or value[position - 1].isspace()):
            break
        else:
            text.append(char)
    return "".join(text).strip()
