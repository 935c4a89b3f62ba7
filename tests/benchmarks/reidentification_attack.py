"""The Shringarpure & Bustamante (2015) membership test, as pure functions over beacon answers.

A beacon of ``N`` individuals answers whether an allele of population frequency ``f`` is present.
If the target is not in the beacon, "yes" needs one of its ``2N`` haplotypes to carry the allele;
if it is, the target's own copy answers "yes" unless a sequencing error (``error``) hid it, and
the other ``2N - 2`` haplotypes may still carry the allele. The statistic sums, over the answered
queries, the log of P(answer | target in) / P(answer | target out): higher means more likely a
member.

The paper's beacon says "yes" from one copy (``min_count`` 1). A beacon that hides alleles rarer
than a published frequency says "yes" only from ``min_count`` copies; an attacker who reads the
policy puts that count into the same model (the ``policy-aware`` attacker of the benchmark).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

SEQUENCING_ERROR = 1e-6
_SMALLEST_PROBABILITY = 1e-12


@dataclass(frozen=True)
class AnsweredQuery:
    """One beacon answer about an allele the target carries."""

    frequency: float  # the allele's frequency in the attacker's reference panel
    copies: int  # copies the target carries (1 or 2; 1 on a haploid chromosome)
    exists: bool


def binomial_below(count: int, trials: int, probability: float) -> float:
    """P(X < ``count``) for X ~ Binomial(``trials``, ``probability``)."""
    return sum(
        math.comb(trials, k) * probability**k * (1 - probability) ** (trials - k)
        for k in range(max(count, 0))
    )


def min_count_for(hidden_below: float, beacon_size: int) -> int:
    """Copies an allele needs in a beacon of ``beacon_size`` people not to be hidden as rare
    (``hidden_below`` 0: one copy, the paper's beacon)."""
    if hidden_below <= 0:
        return 1
    return max(1, math.ceil(hidden_below * 2 * beacon_size - 1e-9))


def yes_probabilities(
    frequency: float,
    beacon_size: int,
    copies: int = 1,
    min_count: int = 1,
    error: float = SEQUENCING_ERROR,
) -> tuple[float, float]:
    """P("yes" | target not in the beacon), P("yes" | target in the beacon).

    With ``min_count`` 1 these are the paper's ``1 - (1-f)^(2N)`` and ``1 - δ(1-f)^(2N-2)``.
    """
    haplotypes = 2 * beacon_size
    yes_out = 1 - binomial_below(min_count, haplotypes, frequency)
    others_short = binomial_below(min_count, haplotypes - 2, frequency)
    with_target_short = binomial_below(min_count - copies, haplotypes - 2, frequency)
    no_in = error * others_short + (1 - error) * with_target_short
    return yes_out, 1 - no_in


def _clipped_log(value: float) -> float:
    return math.log(min(max(value, _SMALLEST_PROBABILITY), 1.0))


def log_likelihood_ratio(
    answers: Iterable[AnsweredQuery],
    beacon_size: int,
    min_count: int = 1,
    error: float = SEQUENCING_ERROR,
) -> float:
    """The membership statistic of one target: sum of log P(answer | in) / P(answer | out)."""
    total = 0.0
    for answer in answers:
        yes_out, yes_in = yes_probabilities(
            answer.frequency, beacon_size, answer.copies, min_count, error
        )
        if answer.exists:
            total += _clipped_log(yes_in) - _clipped_log(yes_out)
        else:
            total += _clipped_log(1 - yes_in) - _clipped_log(1 - yes_out)
    return total


def power_at_false_positive_rate(
    members: Sequence[float], non_members: Sequence[float], false_positive_rate: float = 0.05
) -> float:
    """Fraction of members whose statistic is above the non-members' (1 - rate) quantile.

    Ties with the threshold count as not detected, so a statistic that is the same for everyone
    has no power.
    """
    threshold = float(np.quantile(np.asarray(non_members), 1 - false_positive_rate))
    return float(np.mean(np.asarray(members) > threshold))
