"""Beacon filters -> what they select (:mod:`app.store.query`) in the entry type each is about.

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
from app.entry_types import entry_type_for_scope
from app.query.wildcards import WildcardPatternError, wildcard_regex
from app.store.query import (
    DurationAt,
    Gene,
    HasOntologyTerm,
    Operator,
    Predicate,
    RecordValue,
    VariantField,
    VariantValue,
)

ALPHANUMERIC_OPERATORS = ("=", "<", ">", "!", ">=", "<=")
SIMILARITIES = ("exact", "high", "medium", "low")
_CURIE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*:\S+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
GENE_FIELD = "molecularAttributes.geneIds"
# Alphanumeric filter ids on variants: record paths -> the variant attribute each names.
VARIANT_FIELDS: dict[str, VariantField | None] = {
    GENE_FIELD: None,  # a gene symbol: compared whatever its case (Gene)
    "molecularAttributes.aminoacidChanges": VariantField.AMINOACID_CHANGES,
    "variation.variantType": VariantField.TYPE,
    "variantType": VariantField.TYPE,
    "variantInternalId": VariantField.INTERNAL_ID,
    "identifiers.variantAlternativeIds.id": VariantField.IDENTIFIERS,
    "caseLevelData.biosampleId": VariantField.CARRIERS,
}
VARIANT_SCOPE = "genomicVariation"
# exact matches (gene symbols whatever their case) that the indexes answer
VARIANT_FIELD_KIND = "indexed"
NUMERIC_KINDS = ("number", "integer")
TEXT_KINDS = ("string", "ontology-id", "date", "datetime")


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
    """What the loaded data can be filtered by, per scope (entry type id).

    ``fields`` maps each alphanumeric field path to its kind (``number``, ``integer``,
    ``boolean``, ``date``, ``datetime``, ``duration``, ``string``, ``ontology-id``, or
    ``unknown`` for fields the data holds outside the model, such as ``info.*``).
    """

    ontology_terms: Mapping[str, frozenset[str]] = field(default_factory=dict)
    fields: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def field_kind(self, scope: str, path: str) -> str | None:
        if scope == VARIANT_SCOPE:
            return VARIANT_FIELD_KIND if path in VARIANT_FIELDS else None
        return self.fields.get(scope, {}).get(path)

    def has_field(self, scope: str, path: str) -> bool:
        return self.field_kind(scope, path) is not None

    def holds_any(self, scope: str, terms: Iterable[str]) -> bool:
        present = self.ontology_terms.get(scope, frozenset())
        return any(term in present for term in terms)


@dataclass(frozen=True)
class ScopedCondition:
    """What a filter selects among the documents of ``scope`` (in any dataset: the dataset is
    added per dataset)."""

    scope: str
    where: Predicate
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
    scope_named = _scope_named(item, scopes)
    candidates = (scope_named,) if scope_named else (target, *(s for s in scopes if s != target))
    if item.alphanumeric:
        scope = _first(s for s in candidates if catalogue.has_field(s, item.id))
        if scope is None:
            raise InvalidFilterError(
                f"filter {item.id!r}: no such field in {', '.join(candidates)}; "
                "/filtering_terms lists the fields with data"
            )
        kind = catalogue.field_kind(scope, item.id)
        selector = alphanumeric_selector(scope, item.id, item.operator, item.value, kind)
        return ScopedCondition(scope, selector)
    terms = ontology_terms_for(item, ontology)
    scope = _first(s for s in candidates if catalogue.holds_any(s, terms))
    if scope is not None:
        return ScopedCondition(scope, ontology_selector(terms, catalogue.ontology_terms[scope]))
    custom = _custom_field(item.id, candidates, catalogue)
    if custom is not None:
        scope, path, value = custom
        kind = catalogue.field_kind(scope, path)
        return ScopedCondition(scope, alphanumeric_selector(scope, path, "=", value, kind))
    if not _CURIE.match(item.id):
        raise InvalidFilterError(
            f"filter {item.id!r} is neither an ontology term (a CURIE such as HP:0001250) nor "
            "a custom term (field:value) of this beacon; /filtering_terms lists them"
        )
    fallback = scope_named or target
    where = f"no {fallback} record" if scope_named else "no record"
    return ScopedCondition(
        fallback,
        HasOntologyTerm(tuple(sorted(terms))),
        warning=f"filter {item.id!r}: {where} in this beacon has this term",
    )


def _scope_named(item: Filter, scopes: tuple[str, ...]) -> str | None:
    """The entry type id the filter's scope names: ``individual``, ``individuals`` alike."""
    if item.scope is None:
        return None
    entry = entry_type_for_scope(item.scope)
    if entry is None or entry.id not in scopes:
        raise InvalidFilterError(
            f"filter {item.id!r}: scope {item.scope!r} cannot be used here; "
            f"use one of {', '.join(scopes)}"
        )
    return entry.id


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


def ontology_selector(terms: Collection[str], present: Collection[str]) -> Predicate:
    """Only terms the data holds are asked for, which keeps the list short with big
    ontologies."""
    return HasOntologyTerm(tuple(sorted(term for term in terms if term in present)))


def alphanumeric_selector(
    scope: str, path: str, operator: str | None, value: Any, kind: str | None = None
) -> Predicate:
    """What ``path operator value`` selects, compared as the field's ``kind`` says.

    Numbers compare as numbers; dates and text as text (ISO dates sort in calendar order);
    durations by their length; text ``=``/``!`` case-insensitively, with ``%`` matching any
    characters. Variant fields match exactly, as their indexes do, gene symbols whatever their
    case. A field of unknown kind (``info.*``) equals a numeric value as number or text, and
    orders as a number.
    """
    operator = operator or "="
    if operator not in ALPHANUMERIC_OPERATORS:
        raise InvalidFilterError(
            f"filter {path!r}: operator {operator!r} is not one of {ALPHANUMERIC_OPERATORS}"
        )
    if not isinstance(value, str) or value == "":
        raise InvalidFilterError(f"filter {path!r}: a value is required")
    if "\x00" in value:
        raise InvalidFilterError(f"filter {path!r}: the value holds a NUL character")
    if matched_whole(path, kind) and (operator not in ("=", "!") or "%" in value):
        raise InvalidFilterError(
            f"filter {path!r}: identifiers match a whole value only (= or !, without %)"
        )
    if kind == "duration" or path.rsplit(".", 1)[-1] == DURATION_KEY:
        return _duration_condition(path, operator, value)
    if scope == VARIANT_SCOPE:
        variant_field = VARIANT_FIELDS[path]
        if variant_field is None:
            return Gene(operator, value)
        return VariantValue(variant_field, operator, value)
    if kind in NUMERIC_KINDS:
        if not _NUMBER.match(value):
            raise InvalidFilterError(f"filter {path!r}: {value!r} is not a number")
        return RecordValue(path, operator, float(value), "number")
    if kind == "boolean":
        if value.lower() not in ("true", "false"):
            raise InvalidFilterError(f"filter {path!r}: the value is true or false")
        return RecordValue(path, operator, value.lower() == "true", "boolean")
    if kind in TEXT_KINDS or not _NUMBER.match(value):
        return RecordValue(path, operator, value, "text", _text_pattern(operator, value))
    return RecordValue(path, operator, value, "number or text")


def matched_whole(path: str, kind: str | None) -> bool:
    """Whether a field is an identifier (of an entry, of what it links to, of a variant): one
    matches whole values only, since a range or a pattern over identifiers would enumerate
    what the caller does not know (variants it cannot name; one by one, the entries holding a
    term). Ontology term ids are not such identifiers."""
    name = path.rsplit(".", 1)[-1]
    return kind != "ontology-id" and (name == "id" or name.endswith("Id"))


def _duration_condition(path: str, operator: Operator, value: str) -> Predicate:
    days = duration_days(value)
    if days is None:
        raise InvalidFilterError(
            f"filter {path!r}: {value!r} is not an ISO 8601 duration such as P18Y or P6M"
        )
    return DurationAt(path, operator, days)


def _text_pattern(operator: str, value: str) -> str | None:
    """The case-insensitive regular expression ``=`` and ``!`` match text by (orderings
    compare the text itself)."""
    if operator not in ("=", "!"):
        return None
    try:
        return wildcard_regex(value)
    except WildcardPatternError as error:
        raise InvalidFilterError(f"filter value {value!r}: {error}") from None


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
