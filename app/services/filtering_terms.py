"""The filtering terms of the loaded data (``filteringTerms``, written by the loaders): the
catalogue filters are resolved against, and the /filtering_terms listing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.entry_types import ANALYSIS, BIOSAMPLE, COHORT, INDIVIDUAL, RUN
from app.query.filters import VARIANT_FIELDS, VARIANT_SCOPE, TermCatalogue
from app.store import Store
from schemas.metadata import leaf_fields

ONTOLOGY, ALPHANUMERIC, CUSTOM = "ontology", "alphanumeric", "custom"
METADATA_ENTRY_TYPES = (INDIVIDUAL, BIOSAMPLE, RUN, ANALYSIS, COHORT)
UNKNOWN_KIND = "unknown"


def term_catalogue(store: Store, dataset_ids: Iterable[str]) -> TermCatalogue:
    """Ontology term ids present per scope across the datasets (those a caller may see: a
    term only elsewhere must not be told apart from an unknown one), and the alphanumeric
    fields each scope can be filtered by, with their kinds: those of its model, and any others
    the data holds (of unknown kind)."""
    ontology: dict[str, set[str]] = {}
    fields: dict[str, dict[str, str]] = {
        entry.id: dict(leaf_fields(entry.store_collection)) for entry in METADATA_ENTRY_TYPES
    }
    for row in store.filtering_terms(list(dataset_ids), kinds=(ONTOLOGY, ALPHANUMERIC)):
        if row["kind"] == ONTOLOGY:
            ontology.setdefault(row["scope"], set()).add(row["id"])
        else:
            fields.setdefault(row["scope"], {}).setdefault(row["id"], UNKNOWN_KIND)
    return TermCatalogue(
        ontology_terms={scope: frozenset(ids) for scope, ids in ontology.items()},
        fields=fields,
    )


def filtering_terms(
    store: Store,
    ontology: Any,
    dataset_ids: Iterable[str] | None = None,
    scopes: Iterable[str] | None = None,
    variants_loaded: bool = False,
) -> dict[str, Any]:
    """Terms of the given datasets and scopes (all when None), one entry per term with every
    scope it appears in, plus the ontology resources their prefixes come from.

    Variant fields are listed when ``variants_loaded`` (they are the same for every VCF).
    """
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    datasets = None if dataset_ids is None else list(dataset_ids)
    for row in store.filtering_terms(datasets, None if scopes is None else list(scopes)):
        term = merged.setdefault(
            (row["kind"], row["id"]),
            {"kind": row["kind"], "id": row["id"], "scopes": set(), "values": set()},
        )
        term["scopes"].add(row["scope"])
        term["values"].update(row.get("values") or ())
        if row.get("label") and not term.get("label"):
            term["label"] = row["label"]
    if variants_loaded and (scopes is None or VARIANT_SCOPE in set(scopes)):
        for path in VARIANT_FIELDS:
            merged.setdefault(
                (ALPHANUMERIC, path),
                {"kind": ALPHANUMERIC, "id": path, "scopes": {VARIANT_SCOPE}, "values": set()},
            )
    terms = [_listed(term, ontology) for _, term in sorted(merged.items())]
    prefixes = sorted(
        {term["id"].split(":", 1)[0] for term in merged.values() if term["kind"] == ONTOLOGY}
    )
    resources = [resource for prefix in prefixes if (resource := ontology.resource_for(prefix))]
    return {"filtering_terms": terms, "resources": resources}


def _listed(term: dict[str, Any], ontology: Any) -> dict[str, Any]:
    kind = term["kind"]
    listed: dict[str, Any] = {
        "type": ontology.ontology_name(_prefix(term["id"])) if kind == ONTOLOGY else kind,
        "id": term["id"],
        "scopes": sorted(term["scopes"]),
    }
    if term.get("label"):
        listed["label"] = term["label"]
    if term["values"]:
        listed["known_values"] = sorted(term["values"])
    return listed


def _prefix(curie: str) -> str:
    return curie.split(":", 1)[0]
