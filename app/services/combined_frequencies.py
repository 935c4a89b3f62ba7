"""The reference panel across datasets: for each variant a record answer returns, its allele
counts summed over every dataset the caller may see, per population, as one more
``frequencyInPopulations`` entry."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.store import VARIANTS, Store
from app.store.collections import DATASET_ID
from app.store.query import Predicate, VariantField, VariantValueIn, every

COMBINED_SOURCE = "all datasets you may see"
_FREQUENCIES = "record.frequencyInPopulations"


def with_combined_frequencies(
    store: Store, records: list[dict[str, Any]], visible: Predicate
) -> list[dict[str, Any]]:
    """``records`` with a combined entry appended to each one's frequencies.

    ``visible`` selects the variant documents that may be counted: those of datasets the caller
    sees, without the alleles a protection hides (the caller's own query rules).
    """
    ids = sorted({record["variantInternalId"] for record in records})
    if not ids:
        return records
    named = VariantValueIn(VariantField.INTERNAL_ID, tuple(ids))
    fields = ("variantInternalId", DATASET_ID, _FREQUENCIES)
    documents = store.project(VARIANTS, every(named, visible), fields)
    totals: dict[str, dict[str, list[int]]] = {}
    sources: dict[str, set[str]] = {}
    for document in documents:
        variant = document["variantInternalId"]
        sources.setdefault(variant, set()).add(document[DATASET_ID])
        counts = totals.setdefault(variant, {})
        for entry in document.get("record", {}).get("frequencyInPopulations", []):
            for frequency in entry.get("frequencies", []):
                count = counts.setdefault(frequency["population"], [0, 0])
                count[0] += frequency.get("alleleCount", 0)
                count[1] += frequency.get("alleleNumber", 0)
    return [_combined(record, totals, sources) for record in records]


def _combined(
    record: dict[str, Any], totals: dict[str, dict[str, list[int]]], sources: dict[str, set[str]]
) -> dict[str, Any]:
    variant = record["variantInternalId"]
    counts = totals.get(variant, {})
    frequencies = [
        {
            "population": population,
            "alleleFrequency": count / number,
            "alleleCount": count,
            "alleleNumber": number,
        }
        for population, (count, number) in _ordered(counts.items())
        if number > 0
    ]
    if not frequencies:
        return record
    combined = {
        "source": f"{COMBINED_SOURCE} ({', '.join(sorted(sources[variant]))})",
        "sourceReference": "datasets",
        "frequencies": frequencies,
    }
    return {
        **record,
        "frequencyInPopulations": [*record.get("frequencyInPopulations", []), combined],
    }


def _ordered(items: Iterable[tuple[str, list[int]]]) -> list[tuple[str, list[int]]]:
    """``ALL`` first, then the populations by name, as each dataset lists them."""
    return sorted(items, key=lambda item: (item[0] != "ALL", item[0]))
