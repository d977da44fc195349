"""Comparing one employee with their peers from histograms, without reading raw rows.

The Mann–Whitney U test asks whether values drawn from one group tend to be larger than
values drawn from the other, without assuming any distribution, which suits handling
times (skewed) and survey scores (ordinal). With histograms, every value in a bucket is
taken as tied with the others in that bucket; the tie correction of the variance accounts
for it, and the test only loses power (it never flags more than it would on raw values by
much). One-sided p-values use the normal approximation with continuity correction, sound
for the sample sizes required before anyone is flagged (see `selectors.training_needs`)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def mann_whitney_greater(mine: Sequence[int], others: Sequence[int]) -> float | None:
    """One-sided p-value that values of `mine` tend to be larger than `others`' (the two
    are counts over the same ordered buckets). None when either group is empty."""
    n1, n2 = sum(mine), sum(others)
    if n1 == 0 or n2 == 0:
        return None
    u = 0.0
    below = 0  # values of `others` in lower buckets
    for a, b in zip(mine, others, strict=True):
        u += a * (below + 0.5 * b)
        below += b
    n = n1 + n2
    ties = sum((a + b) ** 3 - (a + b) for a, b in zip(mine, others, strict=True))
    variance = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if variance <= 0:
        return 1.0
    z = (u - n1 * n2 / 2 - 0.5) / math.sqrt(variance)
    return 0.5 * math.erfc(z / math.sqrt(2))
