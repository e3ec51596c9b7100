"""Rank fusion: combine ranked candidate lists from several rankers into one.

Pure functions over ``{ranker name: [(id, score), ...]}`` (each list best first). The hybrid
retriever and the benchmark runners use the same functions, so what is measured is what
ships.

Convex fusion needs the two rankers' scores on one scale. Two normalisations:

- ``min-max`` (the default): each list rescaled between its weakest and best candidate; a
  candidate missing from a list scores 0 there. The weakest candidate, and so every score,
  moves with how many candidates were taken.
- ``max``: each list divided by its best score, with the ranker's own zero as the
  floor (BM25 has no match below 0; a cosine at or below 0 is unrelated), the "theoretical
  min-max" of Bruch et al. (2023, *An Analysis of Fusion Functions for Hybrid Retrieval*),
  which does not depend on the list's depth. A candidate missing from a list ranked below
  everything in it, so it gets that list's lowest score, the most it can have (0 when the list
  is ``complete``: it already holds every candidate with a positive score). Measured by
  ``python -m evals.bench_fusion``: better on SciFact and the GSA gold set, slightly worse on
  the site gold set's answers, so not the default (see ``docs/evaluation.md``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Literal

Ranking = list[tuple[str, float]]
FusionMethod = Literal["rrf", "convex"]
Normalisation = Literal["min-max", "max"]
#: What the hybrid retriever ships (and what ``fuse`` does unless told otherwise).
DEFAULT_NORMALISATION: Normalisation = "min-max"


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


def max_scaled(pool: Sequence[tuple[str, float]]) -> dict[str, float]:
    """Scores divided by the best one, negatives floored at 0 (all 0.0 when none is positive)."""
    best = max((s for _, s in pool), default=0.0)
    return {doc: max(s, 0.0) / best if best > 0 else 0.0 for doc, s in pool}


def convex_fuse(
    pools: Mapping[str, Sequence[tuple[str, float]]],
    *,
    alpha: float,
    normalise: Normalisation = "min-max",
    complete: Collection[str] = (),
) -> Ranking:
    """``alpha * dense + (1 - alpha) * bm25`` of normalised scores (see the module docstring).

    ``complete`` names the rankers whose list holds every candidate with a positive score;
    it matters only to the ``max`` normalisation.
    """
    if normalise == "min-max":
        dense, bm25 = min_max(pools.get("dense", [])), min_max(pools.get("bm25", []))
        missing = {"dense": 0.0, "bm25": 0.0}
    else:
        dense, bm25 = max_scaled(pools.get("dense", [])), max_scaled(pools.get("bm25", []))
        missing = {
            name: 0.0 if name in complete or not scaled else min(scaled.values())
            for name, scaled in (("dense", dense), ("bm25", bm25))
        }
    fused = {
        doc: alpha * dense.get(doc, missing["dense"]) + (1 - alpha) * bm25.get(doc, missing["bm25"])
        for doc in dense.keys() | bm25.keys()
    }
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def collapse(pool: Sequence[tuple[str, float]], group_of: Mapping[str, str]) -> Ranking:
    """A ranked list of items as a ranked list of their groups, each scored by its best item
    (a ranker's chunks as sections). Items without a group are left out."""
    out: Ranking = []
    seen: set[str] = set()
    for item, score in pool:
        group = group_of.get(item)
        if group is not None and group not in seen:
            seen.add(group)
            out.append((group, score))
    return out


def fuse(
    pools: Mapping[str, Sequence[tuple[str, float]]],
    *,
    method: FusionMethod = "rrf",
    alpha: float = 0.5,
    rrf_k: int = 60,
    normalise: Normalisation = DEFAULT_NORMALISATION,
    complete: Collection[str] = (),
) -> Ranking:
    """The product's fusion: ``method`` picks reciprocal-rank or convex score fusion."""
    if method == "convex":
        return convex_fuse(pools, alpha=alpha, normalise=normalise, complete=complete)
    return rrf_fuse(pools, k=rrf_k)
