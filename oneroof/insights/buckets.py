"""Fixed histogram buckets of waits and handling times, and what can be read from them.

A roll-up row keeps, beside sums and counts, how many waits (and handling times) fell in
each bucket. Histograms add up like counts, so a month is the sum of its days and any
period's median or 90th percentile is read from the summed buckets, to within one
bucket's width (see docs/adr/0009-rollups.md)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

# Upper edges in minutes; the last bucket is open-ended.
WAIT_EDGES_MINUTES = (
    1,
    2,
    3,
    4,
    5,
    6,
    8,
    10,
    12,
    15,
    20,
    25,
    30,
    35,
    40,
    45,
    50,
    60,
    75,
    90,
    105,
    120,
    150,
    180,
    240,
)
HANDLING_EDGES_MINUTES = (
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    12,
    14,
    16,
    18,
    20,
    25,
    30,
    35,
    40,
    50,
    60,
    90,
)

WAIT_EDGES = tuple(m * 60 for m in WAIT_EDGES_MINUTES)
HANDLING_EDGES = tuple(m * 60 for m in HANDLING_EDGES_MINUTES)
WAIT_FIELDS = tuple(f"wait_b{i:02d}" for i in range(len(WAIT_EDGES) + 1))
HANDLING_FIELDS = tuple(f"handling_b{i:02d}" for i in range(len(HANDLING_EDGES) + 1))
SCORE_FIELDS = tuple(f"score_{i}" for i in range(1, 6))


def bucket(seconds: int, edges: Sequence[int]) -> int:
    """Index of the bucket holding `seconds`: bucket i covers [edges[i-1], edges[i])."""
    return bisect_right(edges, seconds)


def bounds(edges: Sequence[int]) -> list[tuple[int, int | None]]:
    """(lower, upper) seconds of every bucket; the last upper is None (open-ended)."""
    lows = [0, *edges]
    return [(low, edges[i] if i < len(edges) else None) for i, low in enumerate(lows)]


def quantile(counts: Sequence[int], edges: Sequence[int], q: float) -> float | None:
    """The q-quantile (0 < q < 1) in seconds, interpolated linearly inside its bucket; in
    the open-ended last bucket, its lower edge. None when the histogram is empty."""
    total = sum(counts)
    if total <= 0:
        return None
    target = q * total
    seen = 0
    for (low, high), n in zip(bounds(edges), counts, strict=True):
        if n and seen + n >= target:
            if high is None:
                return float(low)
            return low + (high - low) * (target - seen) / n
        seen += n
    return float(bounds(edges)[-1][0])
