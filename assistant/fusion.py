"""Rank fusion: combine ranked candidate lists from several rankers into one.

Pure functions over ``{ranker name: [(id, score), ...]}`` (each list best first). The hybrid
retriever and the benchmark runners use the same functions, so what is measured is what
ships.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

Ranking = list[tuple[str, float]]
FusionMethod = Literal["rrf", "convex"]


def rrf_fuse(
    pools: Mapping[str, Sequence[tuple[str, float]]],
    *,
    k: int = 60,
    weights: Mapping[str, float] | None = None,
) -> Ranking:
    """Weighted reciprocal-rank fusion; ties broken by id."""
    scores: dict[str, float] = {}
    for name, pool in pools.items():
        weight = 1.0 if weights is None else weights.get(name, 1.0)
        for rank, (doc, _score) in enumerate(pool, start=1):
            scores[doc] = scores.get(doc, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def min_max(pool: Sequence[tuple[str, float]]) -> dict[str, float]:
    """Scores rescaled to [0, 1] within the pool (all 1.0 when they are equal)."""
    if not pool:
        return {}
    values = [s for _, s in pool]
    lo, hi = min(values), max(values)
    return {doc: (s - lo) / (hi - lo) if hi > lo else 1.0 for doc, s in pool}


def convex_fuse(pools: Mapping[str, Sequence[tuple[str, float]]], *, alpha: float) -> Ranking:
    """``alpha * dense + (1 - alpha) * bm25`` of min-max-normalised scores (0 when absent)."""
    dense, bm25 = min_max(pools.get("dense", [])), min_max(pools.get("bm25", []))
    fused = {
        doc: alpha * dense.get(doc, 0.0) + (1 - alpha) * bm25.get(doc, 0.0)
        for doc in dense.keys() | bm25.keys()
    }
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def fuse(
    pools: Mapping[str, Sequence[tuple[str, float]]],
    *,
    method: FusionMethod = "rrf",
    alpha: float = 0.5,
    rrf_k: int = 60,
) -> Ranking:
    """The product's fusion: ``method`` picks reciprocal-rank or convex score fusion."""
    if method == "convex":
        return convex_fuse(pools, alpha=alpha)
    return rrf_fuse(pools, k=rrf_k)
