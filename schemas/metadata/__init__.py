"""The Beacon v2 metadata entry types (individuals, biosamples, runs, analyses, cohorts) as
marshmallow schemas, and what is derived from them: validation of one record, the leaf fields
queries may name, and the list-of-scalar paths of the spreadsheet convention (``flat``).

Records are validated as the default model defines them, plus our expectations (CURIE shapes,
allowed sex terms, ISO 3166 or GAZ origins, disease, phenotype and sample vocabularies); see
``docs/templates.md``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema

from schemas.metadata.entries import (
    AnalysisSchema,
    BiosampleSchema,
    CohortSchema,
    IndividualSchema,
    RunSchema,
)
from schemas.metadata.paths import leaf_kinds, scalar_lists

ENTRY_SCHEMAS: dict[str, type[Schema]] = {
    "individuals": IndividualSchema,
    "biosamples": BiosampleSchema,
    "runs": RunSchema,
    "analyses": AnalysisSchema,
    "cohorts": CohortSchema,
}

LEAF_KINDS = (
    "string",
    "number",
    "integer",
    "boolean",
    "date",
    "datetime",
    "duration",
    "ontology-id",
)


@functools.cache
def entry_schema(entry: str) -> Schema:
    """The (stateless, reusable) schema instance of an entry type."""
    try:
        return ENTRY_SCHEMAS[entry]()
    except KeyError:
        raise KeyError(f"unknown entry type {entry!r}; known: {', '.join(ENTRY_SCHEMAS)}") from None


def load_entry(entry: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate one record of ``entry`` and return it JSON-ready (dates as ISO 8601 text).

    Raises ``marshmallow.ValidationError`` whose messages nest by field name and list index.
    """
    schema = entry_schema(entry)
    return schema.dump(schema.load(data))


@functools.cache
def leaf_fields(entry: str) -> dict[str, str]:
    """Dot path (without list indices) -> kind, for every value-holding field of ``entry``.

    Kinds are those of ``LEAF_KINDS``; e.g. ``"sex.id": "ontology-id"``,
    ``"diseases.ageOfOnset.iso8601duration": "duration"``. Free-form objects (``info``) are left
    out. Treat the returned mapping as read-only.
    """
    return leaf_kinds(entry_schema(entry))


@functools.cache
def scalar_list_paths(entry: str) -> frozenset[str]:
    """Paths of the lists of scalars of ``entry``, for ``flat.unflatten(row, scalar_lists=...)``.

    (The Beacon v2 default model has none today: every list holds objects.)
    """
    return scalar_lists(entry_schema(entry))
