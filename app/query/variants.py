"""g_variants request parameters -> what they select (:mod:`app.store.query`), per the Beacon
v2 query types.

Query types (genomicVariations requestParameters): a *sequence* query gives one ``start`` and
``alternateBases``; a *range* query one ``start`` and one ``end`` (any overlap counts); a
*bracket* query two of each (start in ``[start0, start1)``, end in ``[end0, end1)``); a *gene*
query ``geneId`` (any case: :class:`app.store.query.Gene`); an *identifier* query
``genomicAlleleShortForm``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.genome import (
    UnknownAssemblyError,
    assembly_of_accession,
    canonical_assembly,
    normalize_reference_name,
)
from app.store.query import (
    Assembly,
    Bases,
    Bracket,
    Chromosome,
    Gene,
    LengthBetween,
    NamedVariant,
    Overlaps,
    Predicate,
    StartsAt,
    VariantField,
    VariantTypes,
    VariantValue,
    in_dataset,
)


class InvalidVariantQueryError(ValueError):
    """The parameters do not form a query the specification defines."""


@dataclass(frozen=True)
class VariantQuery:
    assembly_id: str | None = None
    reference_name: str | None = None
    start: list[int] | None = None
    end: list[int] | None = None
    reference_bases: str | None = None
    alternate_bases: str | None = None
    variant_type: str | None = None
    variant_min_length: int | None = None
    variant_max_length: int | None = None
    gene_id: str | None = None
    aminoacid_change: str | None = None
    genomic_allele_short_form: str | None = None
    mate_name: str | None = None


# A query for a type also finds the stored types it stands for.
VARIANT_TYPE_MATCHES: dict[str, tuple[str, ...]] = {
    "SNV": ("SNP",),
    "CNV": ("CNV", "DEL", "DUP"),
}


def query_type(query: VariantQuery) -> str:
    """Name the Beacon query type the parameters form, or explain why they form none."""
    if query.mate_name is not None:
        raise InvalidVariantQueryError("mateName (fusion) queries are not supported by this beacon")
    if query.end is not None and query.start is None:
        raise InvalidVariantQueryError("end is given without start")
    if query.start is None:
        if query.reference_bases is not None and query.alternate_bases is not None:
            raise InvalidVariantQueryError("referenceBases and alternateBases need a start")
        return "gene" if query.gene_id is not None else "unpositioned"
    if query.reference_name is None:
        raise InvalidVariantQueryError("a positional query (start/end) needs referenceName")
    if query.end is None:
        if len(query.start) != 1:
            raise InvalidVariantQueryError(
                "a bracket query needs two end values as well as two starts"
            )
        if query.alternate_bases is None and query.variant_type is None:
            raise InvalidVariantQueryError(
                "a sequence query (start without end) needs alternateBases or variantType"
            )
        return "sequence"
    if len(query.start) != len(query.end):
        raise InvalidVariantQueryError(
            "start and end must both have one value (range query) or two (bracket query)"
        )
    if len(query.start) == 1:
        if query.start[0] >= query.end[0]:
            raise InvalidVariantQueryError(
                f"start ({query.start[0]}) must be lower than end ({query.end[0]})"
            )
        return "range"
    (start_min, start_max), (end_min, end_max) = query.start, query.end
    if start_min > start_max or end_min > end_max:
        raise InvalidVariantQueryError("bracket limits must be in ascending order: [min, max]")
    if start_min >= end_max:
        raise InvalidVariantQueryError("the start bracket must begin before the end bracket closes")
    return "bracket"


def check_variant_query(query: VariantQuery) -> str:
    """Validate every parameter rule up front; return the query type."""
    kind = query_type(query)
    resolve_assembly(query)
    _length_condition(query)
    return kind


def resolve_assembly(query: VariantQuery) -> str | None:
    """The canonical assembly the query is about (from assemblyId or a RefSeq referenceName)."""
    from_accession = assembly_of_accession(query.reference_name) if query.reference_name else None
    if query.assembly_id is None:
        return from_accession
    try:
        assembly = canonical_assembly(query.assembly_id)
    except UnknownAssemblyError as error:
        raise InvalidVariantQueryError(str(error)) from None
    if from_accession and from_accession != assembly:
        raise InvalidVariantQueryError(
            f"referenceName {query.reference_name} belongs to {from_accession}, not {assembly}"
        )
    return assembly


def variant_selector(query: VariantQuery) -> Callable[[str, int | None], Predicate]:
    """Validate the query once; return ``(dataset_id, longest_variant) -> what it selects``.

    Only the dataset and the range query's bound differ between datasets: ``longest_variant``
    (the dataset's largest ``end - start``) lets a backend keep an overlap search a range scan
    on ``start``.
    """
    kind = check_variant_query(query)
    shared = _dataset_independent_conditions(query)

    def for_dataset(dataset_id: str, longest_variant: int | None) -> Predicate:
        position = _position_condition(kind, query, longest_variant)
        return in_dataset(dataset_id, *shared, *(() if position is None else (position,)))

    return for_dataset


def variant_filter(query: VariantQuery, dataset_id: str, longest_variant: int | None) -> Predicate:
    """What selects one dataset's variants that answer the query."""
    return variant_selector(query)(dataset_id, longest_variant)


def _dataset_independent_conditions(query: VariantQuery) -> list[Predicate]:
    conditions: list[Predicate] = []
    assembly = resolve_assembly(query)
    if assembly is not None:
        conditions.append(Assembly(assembly))
    if query.reference_name is not None:
        conditions.append(Chromosome(normalize_reference_name(query.reference_name)))
    if query.reference_bases is not None or query.alternate_bases is not None:
        conditions.append(Bases(query.reference_bases, query.alternate_bases))
    if query.variant_type is not None:
        conditions.append(variant_type_condition(query.variant_type))
    length = _length_condition(query)
    if length is not None:
        conditions.append(length)
    if query.gene_id is not None:
        conditions.append(Gene("=", query.gene_id))
    if query.aminoacid_change is not None:
        change = query.aminoacid_change.strip().upper()
        conditions.append(VariantValue(VariantField.AMINOACID_CHANGES, "=", change))
    if query.genomic_allele_short_form is not None:
        hgvs = query.genomic_allele_short_form
        conditions.append(VariantValue(VariantField.HGVS_ID, "=", hgvs))
    return conditions


def _position_condition(kind: str, query: VariantQuery, longest: int | None) -> Predicate | None:
    if kind == "sequence":
        return StartsAt(query.start[0])
    if kind == "range":
        return Overlaps(query.start[0], query.end[0], longest)
    if kind == "bracket":
        (start_min, start_max), (end_min, end_max) = query.start, query.end
        return Bracket(start_min, start_max, end_min, end_max)
    return None


def variant_type_condition(variant_type: str) -> VariantTypes:
    wanted = variant_type.strip().upper()
    return VariantTypes(VARIANT_TYPE_MATCHES.get(wanted, (wanted,)))


def _length_condition(query: VariantQuery) -> LengthBetween | None:
    low, high = query.variant_min_length, query.variant_max_length
    if low is not None and high is not None and low > high:
        raise InvalidVariantQueryError(
            f"variantMinLength ({low}) is greater than variantMaxLength ({high})"
        )
    return None if low is None and high is None else LengthBetween(low, high)


def variant_id_filter(variant_id: str, dataset_id: str) -> Predicate:
    """A variant named by our internal id, an external id (``rs671``) or its genomic HGVS id
    (``NC_000012.12:g.111803962G>A``)."""
    return in_dataset(dataset_id, NamedVariant(variant_id))
