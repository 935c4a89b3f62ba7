"""Conditions on a variant's gene symbols, matched without regard to case.

Loads write each symbol's case-folded key beside it (``geneKeys``, indexed with the dataset), so
``aldh2`` finds ``ALDH2`` and ``C9ORF72`` finds ``C9orf72`` by an index lookup. Variants loaded
before the keys existed have none: their symbols keep matching exactly, as they did, until their
dataset is loaded again. Pure functions on plain data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.genome import GENE_IDS, GENE_KEYS, gene_key


def _equal(value: str) -> Any:
    return value


def gene_selector(symbol: str, condition: Callable[[str], Any] = _equal) -> dict[str, Any]:
    """Variants with a gene symbol meeting ``condition`` (by default: equal to ``symbol``).

    ``condition`` turns a value into a positive MongoDB condition (``v``, ``{"$lt": v}``); it is
    applied to the symbol's key, and to the symbol as given on variants without keys. Each branch
    is served by its own index: ``(datasetId, geneKeys)`` and ``(datasetId, geneIds)``.
    """
    return {
        "$or": [
            {GENE_KEYS: condition(gene_key(symbol))},
            {GENE_KEYS: {"$exists": False}, GENE_IDS: condition(symbol)},
        ]
    }


def no_gene_selector(symbol: str) -> dict[str, Any]:
    """Variants with no gene symbol equal to ``symbol`` (none at all included)."""
    return {"$nor": [gene_selector(symbol)]}
