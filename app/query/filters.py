"""Beacon filters -> MongoDB selectors on the collection of the entry type each filter is about.

Pure functions: what the data holds comes in as a :class:`TermCatalogue` (read from the
``filteringTerms`` collection by the caller) and the ontology as any object with
``descendants``/``similar_terms``. A filter's scope is the entry type it constrains; joining that
constraint to the entry type asked for is :mod:`app.query.joins`' job.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.durations import DURATION_KEY, duration_days

ALPHANUMERIC_OPERATORS = ("=", "<", ">", "!", ">=", "<=")
SIMILARITIES = ("exact", "high", "medium", "low")
_CURIE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*:\S+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_COMPARISONS = {"<": "$lt", ">": "$gt", "<=": "$lte", ">=": "$gte"}

# Alphanumeric filter ids on variants: record paths -> the indexed top-level field.
VARIANT_FIELDS = {
    "molecularAttributes.geneIds": "geneIds",
    "molecularAttributes.aminoacidChanges": "aminoacidChanges",
    "variation.variantType": "variantType",
    "variantType": "variantType",
    "variantInternalId": "variantInternalId",
    "identifiers.variantAlternativeIds.id": "identifiers",
    "caseLevelData.biosampleId": "biosampleIds",
}
VARIANT_SCOPE = "genomicVariation"


class InvalidFilterError(ValueError):
    """A filter that cannot be applied; the message says which and why."""


class Ontology(Protocol):
    def descendants(self, term: str) -> Collection[str]: ...

    def similar_terms(self, term: str, similarity: str) -> Collection[str]: ...


@dataclass(frozen=True)
class Filter:
    """One request filter; ``operator`` set means alphanumeric, else ontology or custom."""

    id: str
    scope: str | None = None
    operator: str | None = None
    value: str | None = None
    include_descendant_terms: bool = True
    similarity: str = "exact"

    @property
    def alphanumeric(self) -> bool:
        return self.operator is not None


@dataclass(frozen=True)
class TermCatalogue:
    """What the loaded data can be filtered by, per scope (entry type id)."""

    ontology_terms: Mapping[str, frozenset[str]] = field(default_factory=dict)
    fields: Mapping[str, frozenset[str]] = field(default_factory=dict)  # alphanumeric paths

    def has_field(self, scope: str, path: str) -> bool:
        if scope == VARIANT_SCOPE:
            return path in VARIANT_FIELDS
        return path in self.fields.get(scope, frozenset())

    def holds_any(self, scope: str, terms: Iterable[str]) -> bool:
        present = self.ontology_terms.get(scope, frozenset())
        return any(term in present for term in terms)


@dataclass(frozen=True)
class ScopedCondition:
    """A selector on the documents of ``scope`` (without the dataset, added per dataset)."""

    scope: str
    selector: dict[str, Any]
    warning: str | None = None


def filter_conditions(
    filters: Iterable[Filter],
    target: str,
    searchable_scopes: tuple[str, ...],
    catalogue: TermCatalogue,
    ontology: Ontology,
) -> list[ScopedCondition]:
    """One condition per filter (filters are ANDed, as the specification says).

    ``target`` is the entry type asked for; ``searchable_scopes`` the scopes a filter may name,
    in the order an unscoped filter looks for where its term or field is found.
    """
    return [_condition(item, target, searchable_scopes, catalogue, ontology) for item in filters]


def _condition(
    item: Filter,
    target: str,
    scopes: tuple[str, ...],
    catalogue: TermCatalogue,
    ontology: Ontology,
) -> ScopedCondition:
    if item.scope is not None and item.scope not in scopes:
        raise InvalidFilterError(
            f"filter {item.id!r}: scope {item.scope!r} cannot be used here; "
            f"use one of {', '.join(scopes)}"
        )
    candidates = (item.scope,) if item.scope else (target, *(s for s in scopes if s != target))
    if item.alphanumeric:
        scope = _first(s for s in candidates if catalogue.has_field(s, item.id))
        if scope is None:
            raise InvalidFilterError(
                f"filter {item.id!r}: no such field in {', '.join(candidates)}; "
                "/filtering_terms lists the fields with data"
            )
        return ScopedCondition(
            scope, alphanumeric_selector(scope, item.id, item.operator, item.value)
        )
    terms = ontology_terms_for(item, ontology)
    scope = _first(s for s in candidates if catalogue.holds_any(s, terms))
    if scope is not None:
        return ScopedCondition(scope, ontology_selector(terms, catalogue.ontology_terms[scope]))
    custom = _custom_field(item.id, candidates, catalogue)
    if custom is not None:
        scope, path, value = custom
        return ScopedCondition(scope, alphanumeric_selector(scope, path, "=", value))
    if not _CURIE.match(item.id):
        raise InvalidFilterError(
            f"filter {item.id!r} is neither an ontology term (a CURIE such as HP:0001250) nor "
            "a custom term (field:value) of this beacon; /filtering_terms lists them"
        )
    fallback = item.scope or target
    return ScopedCondition(
        fallback,
        {"ontologyTerms": {"$in": sorted(terms)}},
        warning=f"filter {item.id!r}: no record in this beacon has this term",
    )


def ontology_terms_for(item: Filter, ontology: Ontology) -> frozenset[str]:
    """The term, its descendants unless excluded, and similar terms at the requested level."""
    if item.similarity not in SIMILARITIES:
        raise InvalidFilterError(f"filter {item.id!r}: similarity must be one of {SIMILARITIES}")
    terms = {item.id}
    if item.include_descendant_terms:
        terms |= set(ontology.descendants(item.id))
    if item.similarity != "exact":
        terms |= set(ontology.similar_terms(item.id, item.similarity))
    return frozenset(terms)


def ontology_selector(terms: Collection[str], present: Collection[str]) -> dict[str, Any]:
    """Only terms the data holds go into ``$in``, which keeps it short with big ontologies."""
    return {"ontologyTerms": {"$in": sorted(term for term in terms if term in present)}}


def alphanumeric_selector(
    scope: str, path: str, operator: str | None, value: Any
) -> dict[str, Any]:
    """Selector for ``path operator value``; ``%`` in a text value matches any characters."""
    operator = operator or "="
    if operator not in ALPHANUMERIC_OPERATORS:
        raise InvalidFilterError(
            f"filter {path!r}: operator {operator!r} is not one of {ALPHANUMERIC_OPERATORS}"
        )
    if not isinstance(value, str) or value == "":
        raise InvalidFilterError(f"filter {path!r}: a value is required")
    if path.rsplit(".", 1)[-1] == DURATION_KEY:
        return _duration_selector(path, operator, value)
    target = VARIANT_FIELDS[path] if scope == VARIANT_SCOPE else f"record.{path}"
    return {target: _value_condition(path, operator, value)}


def _duration_selector(path: str, operator: str, value: str) -> dict[str, Any]:
    days = duration_days(value)
    if days is None:
        raise InvalidFilterError(
            f"filter {path!r}: {value!r} is not an ISO 8601 duration such as P18Y or P6M"
        )
    if operator == "!":
        return {"durations": {"$not": {"$elemMatch": {"path": path, "days": days}}}}
    condition = days if operator == "=" else {_COMPARISONS[operator]: days}
    return {"durations": {"$elemMatch": {"path": path, "days": condition}}}


def _value_condition(path: str, operator: str, value: str) -> Any:
    number = float(value) if _NUMBER.match(value) else None
    if operator in _COMPARISONS:
        return {_COMPARISONS[operator]: number if number is not None else value}
    if "%" in value:
        pattern = "^" + ".*".join(re.escape(part) for part in value.split("%")) + "$"
        # a compiled pattern is a BSON regex, which MongoDB also accepts under $not
        matcher = re.compile(pattern, re.IGNORECASE)
        return {"$not": matcher} if operator == "!" else {"$regex": matcher}
    equal = [number, value] if number is not None else [value]
    return {"$nin": equal} if operator == "!" else {"$in": equal}


def _custom_field(
    term: str, scopes: Iterable[str], catalogue: TermCatalogue
) -> tuple[str, str, str] | None:
    """``path:value`` where ``path`` is a field of one of the scopes (first one wins)."""
    path, separator, value = term.partition(":")
    if not separator or not value:
        return None
    scope = _first(s for s in scopes if catalogue.has_field(s, path))
    return (scope, path, value) if scope is not None else None


def _first(values: Iterable[str]) -> str | None:
    return next(iter(values), None)
