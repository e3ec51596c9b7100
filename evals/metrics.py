"""Pure retrieval metric functions over ranked relevance flags.

Each takes, for one question, the list of booleans "is the hit at rank i relevant" (and
for recall, how many distinct expected sources were found), and returns a float.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def hit_at(relevant: Sequence[bool], k: int) -> float:
    """1.0 when any of the first ``k`` hits is relevant."""
    return 1.0 if any(relevant[:k]) else 0.0


def reciprocal_rank(relevant: Sequence[bool]) -> float:
    """1 / rank of the first relevant hit (0 when none)."""
    for rank, flag in enumerate(relevant, start=1):
        if flag:
            return 1.0 / rank
    return 0.0


def recall_at(found: Sequence[set[int]], n_expected: int, k: int) -> float:
    """Share of expected sources matched by the first ``k`` hits.

    ``found[i]`` is the set of expected-source indexes that hit ``i`` matches.
    """
    if n_expected == 0:
        return 0.0
    covered: set[int] = set()
    for matches in found[:k]:
        covered |= matches
    return len(covered) / n_expected


def ndcg_at(relevant: Sequence[bool], n_expected: int, k: int) -> float:
    """Binary-relevance nDCG@k with ``n_expected`` relevant items in the ideal ranking."""
    dcg = sum(1.0 / math.log2(rank + 1) for rank, flag in enumerate(relevant[:k], start=1) if flag)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(n_expected, k) + 1))
    return dcg / ideal if ideal else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) by linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)
