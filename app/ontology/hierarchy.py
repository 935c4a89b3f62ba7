"""Ontology hierarchies behind Beacon filters: ``includeDescendantTerms`` and ``similarity``.

A hierarchy is a set of terms, each with a label and its ``is_a`` parents. It answers:

- ``descendants(term)``: every term below ``term``, transitively (not the term itself);
- ``ancestors(term)``: every term above it; ``parents(term)``: the terms directly above it;
- ``similar_terms(term, similarity)``: the terms a filter with that ``similarity`` matches.

Similarity climbs from the term, then takes everything below where it stopped:

- ``exact``: the term only;
- ``high``: the term plus every descendant of its parents (its siblings and their subtrees);
- ``medium``: the same from its grandparents;
- ``low``: the same from its great-grandparents.

Climbing never reaches an ontology's root terms (terms without parents): a path stops one
level below the root, so ``low`` never means "everything in the ontology". A term directly
below a root therefore stays where it is, and its ``high`` set is itself plus its subtree.
The climbed-to terms themselves are not added, only what lies below them and the term.

Terms unknown to the hierarchy have no parents, ancestors or descendants; their similar set
is the term alone. Answers are computed on first use and cached in the instance; an instance
is never changed after it is built, so one can be shared by every request of an application.
"""

from __future__ import annotations

import importlib.resources
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cached_property
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

from app.ontology import resources as ontology_resources
from app.ontology.terms import OntologyTerm, read_terms, read_terms_from

SIMILARITY_STEPS: Mapping[str, int] = MappingProxyType(
    {"exact": 0, "high": 1, "medium": 2, "low": 3}
)
"""How many levels ``similar_terms`` climbs for each Beacon ``similarity`` value."""

BUNDLED_DATA = "data"


class OntologyHierarchy:
    """Terms with labels and ``is_a`` parents; every query is answered from this instance."""

    def __init__(self, terms: Iterable[OntologyTerm] = ()) -> None:
        labels: dict[str, str] = {}
        parents: dict[str, tuple[str, ...]] = {}
        for term in terms:  # a later definition of a term replaces an earlier one
            labels[term.id] = term.label
            parents[term.id] = tuple(dict.fromkeys(p for p in term.parents if p != term.id))
        self._labels = labels
        self._parents = parents
        self._descendants: dict[str, frozenset[str]] = {}
        self._ancestors: dict[str, frozenset[str]] = {}

    def __contains__(self, term: object) -> bool:
        return term in self._labels

    def __len__(self) -> int:
        return len(self._labels)

    def terms(self) -> frozenset[str]:
        return frozenset(self._labels)

    def label(self, term: str) -> str | None:
        return self._labels.get(term) or None

    def parents(self, term: str) -> frozenset[str]:
        return frozenset(self._parents.get(term, ()))

    def children(self, term: str) -> frozenset[str]:
        return frozenset(self._children.get(term, ()))

    def is_root(self, term: str) -> bool:
        """A term without parents: the top of an ontology (or a term the hierarchy lacks)."""
        return not self._parents.get(term)

    def ancestors(self, term: str) -> frozenset[str]:
        cached = self._ancestors.get(term)
        if cached is None:
            cached = self._ancestors[term] = _reachable(term, self._parents)
        return cached

    def descendants(self, term: str) -> frozenset[str]:
        cached = self._descendants.get(term)
        if cached is None:
            cached = self._descendants[term] = _reachable(term, self._children)
        return cached

    def similar_terms(self, term: str, similarity: str) -> frozenset[str]:
        """The terms a filter on ``term`` matches at ``similarity`` (see the module docstring)."""
        try:
            steps = SIMILARITY_STEPS[similarity]
        except KeyError:
            raise ValueError(
                f"similarity must be one of {', '.join(SIMILARITY_STEPS)}, not {similarity!r}"
            ) from None
        if steps == 0:
            return frozenset({term})
        anchors = {term}
        for _ in range(steps):
            anchors = {above for node in anchors for above in self._climb(node)}
        similar = {term}
        for anchor in anchors:
            similar |= self.descendants(anchor)
        return frozenset(similar)

    def matching_terms(
        self, term: str, *, include_descendants: bool = True, similarity: str = "exact"
    ) -> frozenset[str]:
        """Every term a Beacon ontology filter selects: its similar terms and, when asked,
        the descendants of each of them."""
        similar = self.similar_terms(term, similarity)
        if not include_descendants:
            return similar
        matched = set(similar)
        for each in similar:
            matched |= self.descendants(each)
        return frozenset(matched)

    def resource_for(self, prefix: str) -> dict[str, Any] | None:
        """The Beacon filtering-terms ``resources`` entry for a CURIE prefix, or None."""
        return ontology_resources.resource_for(prefix)

    def ontology_name(self, prefix: str) -> str:
        """The ontology's full name for a filtering term's ``type``."""
        return ontology_resources.ontology_name(prefix)

    def _climb(self, node: str) -> set[str]:
        above = {parent for parent in self._parents.get(node, ()) if not self.is_root(parent)}
        return above or {node}

    @cached_property
    def _children(self) -> dict[str, tuple[str, ...]]:
        children: dict[str, list[str]] = defaultdict(list)
        for term, parents in self._parents.items():
            for parent in parents:
                children[parent].append(term)
        return {parent: tuple(below) for parent, below in children.items()}


def _reachable(start: str, edges: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    """Every node reachable from ``start`` along ``edges``, not ``start`` itself (cycle-safe)."""
    seen: set[str] = set()
    stack = list(edges.get(start, ()))
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(edges.get(node, ()))
    seen.discard(start)
    return frozenset(seen)


def bundled_files() -> list[str]:
    """Names of the hierarchy files shipped in ``app/ontology/data``, sorted."""
    folder = _bundled_folder()
    return sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".tsv"))


def _bundled_folder() -> Traversable:
    return importlib.resources.files("app.ontology").joinpath(BUNDLED_DATA)


def load_hierarchy(extra_paths: Iterable[str | Path] = ()) -> OntologyHierarchy:
    """The bundled hierarchy files, then ``extra_paths`` in order.

    A term defined again in a later file replaces the earlier definition, so a full ontology
    a deployment adds takes precedence over the small bundled extract of the same ontology.
    Raises :class:`~app.ontology.terms.OntologyFileError` for a missing or malformed file.
    """
    folder = _bundled_folder()
    terms: list[OntologyTerm] = []
    for name in bundled_files():
        with folder.joinpath(name).open(encoding="utf-8") as handle:
            terms.extend(read_terms_from(handle, f"{BUNDLED_DATA}/{name}"))
    for path in extra_paths:
        terms.extend(read_terms(path))
    return OntologyHierarchy(terms)
