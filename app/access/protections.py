"""Protections against re-identification on the PUBLIC and REGISTERED levels, as pure functions.

* Count bands: a count is reported as the band of width ``threshold`` it falls in (1 up to the
  threshold minus one as the threshold, larger counts rounded down to a multiple of it), so a
  count never tells one person apart from a handful, and neither does the difference of two
  counts, nor of a count and the dataset's published total (0 and the total stay exact).
* Rare alleles: on PUBLIC datasets a variant rarer than the threshold in its dataset answers as
  if absent. A single rare allele is what singles a person out (Shringarpure & Bustamante 2015);
  a variant of unknown frequency counts as rare. :func:`variant_protection` is the one rule;
  every way a request selects variants applies it (:mod:`app.services.variant_selection`).
* The query budget (:mod:`app.access.budget`) charges "yes" answers on rare variants.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.access.policy import PUBLIC, DatasetView, Protections
from app.store.query import AnyOf, CommonAllele, InDatasets, Not, Predicate, every


@dataclass(frozen=True)
class CountBand:
    """What is reported of a count: ``reported``, standing for any count from ``low`` to
    ``high`` (both included); exact when they are equal."""

    reported: int
    low: int
    high: int

    @property
    def exact(self) -> bool:
        return self.low == self.high


def count_band(count: int, threshold: int, total: int | None = None) -> CountBand:
    """The band a protected count is reported in (``threshold`` below 2: exact).

    The bands are 1 to ``threshold - 1``, then ``threshold`` wide from the threshold on. With
    the dataset's ``total`` of such entries known (it is published), the counts from ``total -
    threshold + 1`` to ``total - 1`` form a band of their own, mirroring the lowest one, and the
    band below them takes the remainder (it is then up to ``2 * threshold - 1`` wide). So every
    band but 0 and the total is at least ``threshold - 1`` wide, and the difference of two
    reported counts (the total included) never gives a count below the threshold exactly:
    ``total - (total - x)`` gives back only the band of ``x``.

    A band is reported as its low end rounded down to a multiple of the threshold, the lowest
    one as the threshold (so no answer reads as one or two people).
    """
    if threshold < 2 or count <= 0:
        return CountBand(count, count, count)
    if total is not None and count == total and total >= threshold:
        return CountBand(count, count, count)  # the whole dataset: its total is published
    if total is not None and (count >= total or total < threshold):
        total = None  # a total below the threshold is itself a small count
    low, high = _band_limits(count, threshold, total)
    reported = threshold if low == 1 else low // threshold * threshold
    return CountBand(reported, low, high)


def published_total(total: int, threshold: int) -> int:
    """A protected dataset's total of some entries as published (catalogs, /info): as it is
    from the threshold on, a small one as the threshold, like every count."""
    return count_band(total, threshold, total).reported


def _band_limits(count: int, threshold: int, total: int | None) -> tuple[int, int]:
    if total is None:
        if count < threshold:
            return 1, threshold - 1
        low = count // threshold * threshold
        return low, low + threshold - 1
    mirror = total - threshold + 1  # low end of the band mirroring the lowest one
    if mirror < threshold:
        return 1, total - 1  # the two would overlap: one band
    if count >= mirror:
        return mirror, total - 1
    between = mirror - threshold  # counts between the lowest band and the mirror
    if between < threshold:
        return 1, mirror - 1  # too few for a band of their own: the lowest band takes them
    if count < threshold:
        return 1, threshold - 1
    last = between // threshold * threshold  # low end of the last band, which takes the rest
    low = min(count // threshold * threshold, last)
    return low, mirror - 1 if low == last else low + threshold - 1


def hides_rare_alleles(level: str, frequency: float) -> bool:
    """Whether a dataset of this level answers as if its rare alleles were absent."""
    return level == PUBLIC and frequency > 0


def variant_protection(view: DatasetView, protections: Protections) -> Predicate | None:
    """The variants of the viewed dataset its caller may be told of; None: all of them. Every
    selection of variants (parameters, ids, filters, paths) is narrowed by it."""
    if hides_rare_alleles(view.level, protections.rare_allele_frequency):
        return CommonAllele(protections.rare_allele_frequency)
    return None


def shown_variants(allowed: list[str], rare_hidden: list[str], frequency: float) -> Predicate:
    """The variants of the ``allowed`` datasets, without the alleles rarer than ``frequency``
    in the ``rare_hidden`` ones: what a caller may be told of."""
    held = InDatasets(tuple(allowed))
    if not rare_hidden:
        return held
    return every(held, AnyOf((Not(InDatasets(tuple(rare_hidden))), CommonAllele(frequency))))
