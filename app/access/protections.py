"""Protections against re-identification on the PUBLIC and REGISTERED levels, as pure functions.

* Small counts: a count of 1 up to the threshold minus one is reported as the threshold, so a
  count never tells one person apart from a handful (0 stays 0: "none" is what boolean says).
* Rare alleles: on PUBLIC datasets a variant rarer than the threshold in its dataset answers as
  if absent. A single rare allele is what singles a person out (Shringarpure & Bustamante 2015);
  a variant of unknown frequency counts as rare. :func:`variant_protection` is the one rule;
  every way a request selects variants applies it (:mod:`app.services.variant_selection`).
* The query budget (:mod:`app.access.budget`) charges "yes" answers on rare variants.
"""

from __future__ import annotations

from typing import Any

from app.access.policy import PUBLIC, DatasetView, Protections
from app.store.collections import ALLELE_FREQUENCY


def banded_count(count: int, threshold: int) -> tuple[int, bool]:
    """The count to report, and whether it was raised to the band (``threshold`` 0: never)."""
    if 0 < count < threshold:
        return threshold, True
    return count, False


def hides_rare_alleles(level: str, frequency: float) -> bool:
    """Whether a dataset of this level answers as if its rare alleles were absent."""
    return level == PUBLIC and frequency > 0


def variant_protection(view: DatasetView, protections: Protections) -> dict[str, Any] | None:
    """Selector of the variants of the viewed dataset its caller may be told of; None: all of
    them. Every selection of variants (parameters, ids, filters, paths) ANDs it."""
    if hides_rare_alleles(view.level, protections.rare_allele_frequency):
        return common_alleles(protections.rare_allele_frequency)
    return None


def common_alleles(frequency: float) -> dict[str, Any]:
    """Selector of variants at least as frequent as ``frequency`` in their dataset.

    A missing or null frequency fails ``$gte``, so variants of unknown frequency are left out.
    """
    return {ALLELE_FREQUENCY: {"$gte": frequency}}


def shown_variants(
    allowed: list[str], rare_hidden: list[str], frequency: float, dataset_field: str = "datasetId"
) -> dict[str, Any]:
    """Selector of the variant documents of the ``allowed`` datasets, without the alleles rarer
    than ``frequency`` in the ``rare_hidden`` ones: what a caller may be told of."""
    selector: dict[str, Any] = {dataset_field: {"$in": allowed}}
    if not rare_hidden:
        return selector
    not_hidden = {dataset_field: {"$nin": rare_hidden}}
    return {"$and": [selector, {"$or": [not_hidden, common_alleles(frequency)]}]}


def rare_alleles(frequency: float) -> dict[str, Any]:
    """Selector of variants rarer than ``frequency`` (or of unknown frequency)."""
    return {"$or": [{ALLELE_FREQUENCY: {"$lt": frequency}}, {ALLELE_FREQUENCY: None}]}
