"""What a service asks the store, in terms of ours: which variants or entries, and in what form.

A :data:`Predicate` says which documents of one collection are meant, by what they are in the
domain (a position, a gene, an ontology term, a link), never by how a backend stores them. Each
backend lowers predicates to its own language (:mod:`app.store.lower_mongo` for MongoDB and the
mongomock-backed store); no code outside ``app/store/`` builds a backend's query. The semantics
every lowering keeps:

- a field holding several values (genes, identifiers, carriers, ontology terms) matches ``=``
  when any value does, and ``!`` when none does, a document without the field included;
- a comparison with a missing value is false, so a variant of unknown frequency is not common;
- ``All(())`` is every document, ``AnyOf(())`` none.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Operator = Literal["=", "!", "<", "<=", ">", ">="]
ORDERINGS: tuple[Operator, ...] = ("<", "<=", ">", ">=")


class VariantField(StrEnum):
    """The variant attributes a condition can name, whatever the backend's column or path."""

    TYPE = "variantType"
    INTERNAL_ID = "variantInternalId"
    IDENTIFIERS = "identifiers"  # external ids from the VCF's ID column (rs671), several
    CARRIERS = "biosampleIds"  # the biosamples carrying the allele, several
    AMINOACID_CHANGES = "aminoacidChanges"  # one-letter protein changes (V600E), several
    HGVS_ID = "genomicHGVSId"


# -- variants -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Assembly:
    """On this canonical assembly (``GRCh38``)."""

    assembly: str


@dataclass(frozen=True, slots=True)
class Chromosome:
    """On this normalised reference name (``1``, ``X``, ``MT``)."""

    name: str


@dataclass(frozen=True, slots=True)
class StartsAt:
    """Starting at this 0-based interbase position (a sequence query)."""

    start: int


@dataclass(frozen=True, slots=True)
class Overlaps:
    """Overlapping ``[start, end)`` (a range query). ``longest`` is the longest variant of the
    dataset asked, when known: a bound that lets a backend scan starts from ``start - longest``
    on rather than from the chromosome's beginning."""

    start: int
    end: int
    longest: int | None = None


@dataclass(frozen=True, slots=True)
class Bracket:
    """Starting in ``[start_low, start_high)`` and ending in ``[end_low, end_high)``."""

    start_low: int
    start_high: int
    end_low: int
    end_high: int


@dataclass(frozen=True, slots=True)
class Bases:
    """Reference and/or alternate bases as given; ``N`` in a query stands for any base."""

    reference: str | None = None
    alternate: str | None = None


@dataclass(frozen=True, slots=True)
class VariantTypes:
    """Of one of these stored types (``SNP``, ``DEL``, ...)."""

    types: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LengthBetween:
    """Of a length from ``low`` to ``high``, both included; None: unbounded."""

    low: int | None = None
    high: int | None = None


@dataclass(frozen=True, slots=True)
class Gene:
    """A gene symbol compared with ``symbol`` whatever its case (``!``: no symbol equal, none
    at all included). Variants loaded before case-folded keys existed compare as stored."""

    operator: Operator
    symbol: str


@dataclass(frozen=True, slots=True)
class VariantValue:
    """``field operator value``, compared exactly as stored."""

    field: VariantField
    operator: Operator
    value: str


@dataclass(frozen=True, slots=True)
class VariantValueIn:
    """``field`` equal to one of ``values`` (for a field of several: any of them)."""

    field: VariantField
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NamedVariant:
    """Named ``name`` by our internal id, an external id (``rs671``) or its genomic HGVS id."""

    name: str


@dataclass(frozen=True, slots=True)
class CommonAllele:
    """At least as frequent as ``frequency`` in its dataset (unknown frequency: not common)."""

    frequency: float


@dataclass(frozen=True, slots=True)
class RareAllele:
    """Rarer than ``frequency`` in its dataset, or of unknown frequency: what
    :class:`CommonAllele` leaves out."""

    frequency: float


# -- metadata entries (individuals, biosamples, runs, analyses, cohorts) ---------------------


@dataclass(frozen=True, slots=True)
class EntryIds:
    """An entry with one of these ids."""

    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HasOntologyTerm:
    """An entry whose record holds any of these ontology terms anywhere."""

    terms: tuple[str, ...]


RecordKind = Literal["number", "boolean", "text", "number or text"]


@dataclass(frozen=True, slots=True)
class RecordValue:
    """``path operator value`` inside an entry's record, compared as ``kind`` says: numbers as
    numbers; booleans; text with ``=``/``!`` by a case-insensitive ``pattern`` (``%`` matches
    any characters, see :mod:`app.query.wildcards`) and orderings as text; ``number or text``
    (fields of no declared kind, ``info.*``): equal as number or text, ordered as a number."""

    path: str
    operator: Operator
    value: float | bool | str
    kind: RecordKind
    pattern: str | None = None  # kind "text", = and !: the regular expression to match


@dataclass(frozen=True, slots=True)
class DurationAt:
    """An ISO 8601 duration at ``path`` (``diseases.ageOfOnset.iso8601duration``) of ``days``
    compared by ``operator``, the path and the length read from the same duration."""

    path: str
    operator: Operator
    days: float


@dataclass(frozen=True, slots=True)
class LinkedTo:
    """An entry whose ``field`` link (``individualId``, ``biosampleId``, ``runId``, or a
    variant's carriers) names one of ``ids``."""

    field: str
    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HasLink:
    """An entry with a value in its ``field`` link."""

    field: str


# -- any collection ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InDatasets:
    """Held by one of these datasets."""

    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class All:
    parts: tuple[Predicate, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    parts: tuple[Predicate, ...]


@dataclass(frozen=True, slots=True)
class Not:
    part: Predicate


Predicate = (
    Assembly
    | Chromosome
    | StartsAt
    | Overlaps
    | Bracket
    | Bases
    | VariantTypes
    | LengthBetween
    | Gene
    | VariantValue
    | VariantValueIn
    | NamedVariant
    | CommonAllele
    | RareAllele
    | EntryIds
    | HasOntologyTerm
    | RecordValue
    | DurationAt
    | LinkedTo
    | HasLink
    | InDatasets
    | All
    | AnyOf
    | Not
)

EVERYTHING = All(())


def in_dataset(dataset_id: str, *where: Predicate) -> Predicate:
    """The documents of ``dataset_id`` meeting every one of ``where``."""
    return every(InDatasets((dataset_id,)), *where)


def every(*parts: Predicate) -> Predicate:
    """The documents meeting every part (nested ``All`` flattened and repeats dropped; no
    parts: every document)."""
    flat: list[Predicate] = []
    for part in parts:
        for each in part.parts if isinstance(part, All) else (part,):
            if each not in flat:
                flat.append(each)
    return flat[0] if len(flat) == 1 else All(tuple(flat))
