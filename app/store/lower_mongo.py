"""Predicates (:mod:`app.store.query`) lowered to MongoDB filters over our document layout.

Both MongoDB and the mongomock-backed store answer these filters. Each keeps to the shapes the
indexes of :mod:`app.store.indexes` serve: equality on dataset, assembly and chromosome, then a
range on ``start``; gene keys, identifiers and ontology terms each behind their own index.
"""

from __future__ import annotations

import re
from functools import singledispatch
from typing import Any

from app.genome import GENE_IDS, GENE_KEYS, gene_key
from app.store.collections import (
    ALLELE_FREQUENCY,
    DATASET_FIELDS,
    DATASET_ID,
    FILTERING_TERMS,
)
from app.store.query import (
    All,
    AnyOf,
    Assembly,
    Bases,
    Bracket,
    Chromosome,
    CommonAllele,
    DurationAt,
    EntryIds,
    Gene,
    HasLink,
    HasOntologyTerm,
    InDatasets,
    LengthBetween,
    LinkedTo,
    NamedVariant,
    Not,
    Operator,
    Overlaps,
    Predicate,
    RareAllele,
    RecordValue,
    StartsAt,
    VariantField,
    VariantTypes,
    VariantValue,
    VariantValueIn,
)

DATASET = DATASET_ID
HGVS_PATH = "record.identifiers.genomicHGVSId"
_PATHS = {field: field.value for field in VariantField} | {VariantField.HGVS_ID: HGVS_PATH}
_ORDERINGS = {"<": "$lt", ">": "$gt", "<=": "$lte", ">=": "$gte"}


def mongo_filter(where: Predicate, dataset_field: str = DATASET) -> dict[str, Any]:
    """The MongoDB filter selecting what ``where`` means; ``dataset_field`` names the field
    holding the dataset id where it is not ``datasetId`` (``_id`` of the dataset descriptions)."""
    lowered = _lowered(where)
    return lowered if dataset_field == DATASET else _renamed(lowered, dataset_field)


def _renamed(lowered: Any, dataset_field: str) -> Any:
    if isinstance(lowered, list):
        return [_renamed(part, dataset_field) for part in lowered]
    if not isinstance(lowered, dict):
        return lowered
    return {
        (dataset_field if key == DATASET else key): _renamed(value, dataset_field)
        for key, value in lowered.items()
    }


@singledispatch
def _lowered(where: Predicate) -> dict[str, Any]:
    raise TypeError(f"no MongoDB lowering for {type(where).__name__}")


# -- combinators ------------------------------------------------------------------------------


@_lowered.register
def _(where: All) -> dict[str, Any]:
    parts = [_lowered(part) for part in where.parts]
    parts = [part for part in parts if part]
    if not parts:
        return {}
    if len(parts) == 1:
        return parts[0]
    merged: dict[str, Any] = {}
    for part in parts:  # one flat document while no field repeats: what the planners read best
        if merged.keys() & part.keys():
            return {"$and": parts}
        merged.update(part)
    return merged


@_lowered.register
def _(where: AnyOf) -> dict[str, Any]:
    if not where.parts:
        return {"_id": {"$in": []}}
    return {"$or": [_lowered(part) for part in where.parts]}


@_lowered.register
def _(where: Not) -> dict[str, Any]:
    return {"$nor": [_lowered(where.part)]}


@_lowered.register
def _(where: InDatasets) -> dict[str, Any]:
    return {DATASET: _one_of(where.ids)}


# -- variants ---------------------------------------------------------------------------------


@_lowered.register
def _(where: Assembly) -> dict[str, Any]:
    return {"assemblyId": where.assembly}


@_lowered.register
def _(where: Chromosome) -> dict[str, Any]:
    return {"referenceName": where.name}


@_lowered.register
def _(where: StartsAt) -> dict[str, Any]:
    return {"start": where.start}


@_lowered.register
def _(where: Overlaps) -> dict[str, Any]:
    start: dict[str, int] = {"$lt": where.end}
    if where.longest is not None:
        # end > start  and  end - start <= longest  =>  start > query start - longest
        start["$gt"] = where.start - max(where.longest, 1)
    return {"start": start, "end": {"$gt": where.start}}


@_lowered.register
def _(where: Bracket) -> dict[str, Any]:
    return {
        "start": {"$gte": where.start_low, "$lt": where.start_high},
        "end": {"$gte": where.end_low, "$lt": where.end_high},
    }


@_lowered.register
def _(where: Bases) -> dict[str, Any]:
    conditions: dict[str, Any] = {}
    if where.reference is not None:
        conditions["referenceBases"] = _bases(where.reference)
    if where.alternate is not None:
        conditions["alternateBases"] = _bases(where.alternate)
    return conditions


def _bases(bases: str) -> Any:
    """Exact bases, or an anchored pattern when the query uses the ``N`` wildcard."""
    if "N" not in bases:
        return bases
    return {"$regex": "^" + "".join("[ACGTN]" if b == "N" else re.escape(b) for b in bases) + "$"}


@_lowered.register
def _(where: VariantTypes) -> dict[str, Any]:
    return {"variantType": _one_of(where.types)}


@_lowered.register
def _(where: LengthBetween) -> dict[str, Any]:
    condition = {}
    if where.low is not None:
        condition["$gte"] = where.low
    if where.high is not None:
        condition["$lte"] = where.high
    return {"variantLength": condition} if condition else {}


@_lowered.register
def _(where: Gene) -> dict[str, Any]:
    """The folded key where the variant has keys, the symbol as given where it has none (loaded
    before keys existed); each branch is served by its own index."""
    if where.operator == "!":
        return {"$nor": [_lowered(Gene("=", where.symbol))]}
    return {
        "$or": [
            {GENE_KEYS: _compared(where.operator, gene_key(where.symbol))},
            {GENE_KEYS: {"$exists": False}, GENE_IDS: _compared(where.operator, where.symbol)},
        ]
    }


@_lowered.register
def _(where: VariantValue) -> dict[str, Any]:
    return {_PATHS[where.field]: _compared(where.operator, where.value)}


@_lowered.register
def _(where: VariantValueIn) -> dict[str, Any]:
    return {_PATHS[where.field]: {"$in": list(where.values)}}


@_lowered.register
def _(where: NamedVariant) -> dict[str, Any]:
    return {
        "$or": [
            {"variantInternalId": where.name},
            {"identifiers": where.name},
            {HGVS_PATH: where.name},
        ]
    }


@_lowered.register
def _(where: CommonAllele) -> dict[str, Any]:
    # a missing or null frequency fails $gte: variants of unknown frequency are left out
    return {ALLELE_FREQUENCY: {"$gte": where.frequency}}


@_lowered.register
def _(where: RareAllele) -> dict[str, Any]:
    return {"$or": [{ALLELE_FREQUENCY: {"$lt": where.frequency}}, {ALLELE_FREQUENCY: None}]}


# -- metadata entries -------------------------------------------------------------------------


@_lowered.register
def _(where: EntryIds) -> dict[str, Any]:
    return {"id": _one_of(where.ids)}


@_lowered.register
def _(where: HasOntologyTerm) -> dict[str, Any]:
    return {"ontologyTerms": {"$in": list(where.terms)}}


@_lowered.register
def _(where: RecordValue) -> dict[str, Any]:
    path = f"record.{where.path}"
    if where.kind == "text" and where.operator in ("=", "!"):
        # "no value matches" as $nor of the match: the same on MongoDB, and mongomock's $not
        # of a regex drops documents whose path runs through an array, which MongoDB keeps
        matcher = re.compile(where.pattern or re.escape(str(where.value)), re.IGNORECASE)
        matched = {path: {"$regex": matcher}}
        return {"$nor": [matched]} if where.operator == "!" else matched
    if where.kind == "number or text" and where.operator in ("=", "!"):
        # a field of no declared kind may hold 5 or "5": equality takes both
        both = [float(where.value), str(where.value)]
        return {path: {"$nin": both} if where.operator == "!" else {"$in": both}}
    value = float(where.value) if where.kind == "number or text" else where.value
    return {path: _compared(where.operator, value)}


@_lowered.register
def _(where: DurationAt) -> dict[str, Any]:
    if where.operator == "!":
        return {"durations": {"$not": {"$elemMatch": {"path": where.path, "days": where.days}}}}
    days = _compared(where.operator, where.days)
    return {"durations": {"$elemMatch": {"path": where.path, "days": days}}}


@_lowered.register
def _(where: LinkedTo) -> dict[str, Any]:
    return {where.field: {"$in": list(where.ids)}}


@_lowered.register
def _(where: HasLink) -> dict[str, Any]:
    return {where.field: {"$exists": True}}


def _compared(operator: Operator, value: Any) -> Any:
    if operator in _ORDERINGS:
        return {_ORDERINGS[operator]: value}
    return {"$ne": value} if operator == "!" else value


def _one_of(values: tuple[str, ...]) -> Any:
    """Equality for one value (the simplest shape for an index), ``$in`` for several."""
    return values[0] if len(values) == 1 else {"$in": list(values)}


# -- what a read or a load selects, per collection ---------------------------------------------


def collection_filter(collection_name: str, where: Predicate) -> dict[str, Any]:
    """:func:`mongo_filter` for a collection, the dataset read from the field naming it there."""
    return mongo_filter(where, DATASET_FIELDS.get(collection_name, DATASET))


def dataset_filter(collection_name: str, dataset_id: str) -> dict[str, Any]:
    """Every document of the dataset in one of the collections ``DATASET_FIELDS`` names: an
    equality, which a release answers by leaving the dataset's collections out whole."""
    if collection_name not in DATASET_FIELDS:
        raise ValueError(f"{collection_name} holds no documents of datasets")
    return collection_filter(collection_name, InDatasets((dataset_id,)))


def terms_filter(dataset_id: str, scopes: tuple[str, ...]) -> dict[str, Any]:
    """The dataset's filtering-term rows of these scopes (``individual``, ``biosample``...)."""
    return {**dataset_filter(FILTERING_TERMS, dataset_id), "scope": {"$in": list(scopes)}}
