"""Retrieval on a public BEIR dataset (``copc eval --beir DIR``), built from the assistant's parts.

The folder holds ``corpus.jsonl`` (``_id``, ``title``, ``text``), ``queries.jsonl`` (``_id``,
``text``; ``metadata`` may hold answers and is never read) and ``qrels/<split>.tsv``.
Documents are indexed directly, without the file loaders:

- BM25: :class:`assistant.keyword.KeywordIndex` over ``title + " " + text`` (the product's
  tokenizer and parameters);
- dense: the embedder over the same texts, brute-force cosine by a matrix product; the
  corpus vectors are cached in a ``.npy`` file keyed by corpus and embedder, so reruns skip
  the embedding pass;
- hybrid: the product's fusion (weighted reciprocal-rank fusion, k=60, equal weights) over
  the top ``depth`` of each ranker, plus fusion variants measured for comparison.

Scoring follows BEIR: nDCG@10 with graded gains, recall@100 over documents with a positive
judgement, and a document whose id equals the query id is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from assistant.embedding import Embedder, Vectors
from assistant.errors import AssistantError
from assistant.fusion import convex_fuse as convex
from assistant.fusion import fuse
from assistant.fusion import rrf_fuse as rrf
from assistant.keyword import KeywordIndex
from assistant.retrieval import HybridRetriever
from evals.metrics import recall_at

#: Published nDCG@10 on SciFact (BEIR paper BM25; sentence-transformers all-MiniLM-L6-v2).
PUBLISHED_NDCG10: dict[str, dict[str, float]] = {"scifact": {"bm25": 0.665, "dense": 0.645}}

Ranking = list[tuple[str, float]]
Progress = Callable[[str], None]


@dataclass(frozen=True)
class BeirDataset:
    """A BEIR split: documents, the queries judged in the split, and their judgements."""

    name: str
    doc_ids: list[str]
    texts: list[str]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


@dataclass(frozen=True)
class BeirScores:
    """Mean nDCG@10 and recall@100 of one ranking method."""

    ndcg_at_10: float
    recall_at_100: float

    def as_json(self) -> dict[str, float]:
        """Rounded figures."""
        return {"ndcg@10": round(self.ndcg_at_10, 4), "recall@100": round(self.recall_at_100, 4)}


@dataclass(frozen=True)
class BeirResult:
    """What one BEIR run measured."""

    dataset: str
    split: str
    documents: int
    queries: int
    embedder_id: str
    depth: int
    modes: dict[str, BeirScores]
    variants: dict[str, BeirScores]
    published: dict[str, float]
    cache_file: str | None
    cache_hit: bool
    embed_s: float
    total_s: float

    def as_json(self) -> dict[str, Any]:
        """The object ``--json`` prints."""
        return {
            "dataset": self.dataset,
            "split": self.split,
            "documents": self.documents,
            "queries": self.queries,
            "embedder_id": self.embedder_id,
            "depth": self.depth,
            "modes": {name: s.as_json() for name, s in self.modes.items()},
            "fusion_variants": {name: s.as_json() for name, s in self.variants.items()},
            "published_ndcg@10": self.published,
            "cache_file": self.cache_file,
            "cache_hit": self.cache_hit,
            "embed_s": round(self.embed_s, 2),
            "total_s": round(self.total_s, 2),
        }


# -- loading --------------------------------------------------------------------------------
def _jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise AssistantError(f"{path} not found; a BEIR folder has corpus.jsonl and queries.jsonl")
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or "_id" not in row:
                raise ValueError("no _id")
        except ValueError as exc:
            raise AssistantError(f"{path.name}:{number}: not a BEIR record ({exc})") from exc
        rows.append(row)
    return rows


def load_beir(folder: Path, *, split: str = "test") -> BeirDataset:
    """Read a BEIR folder; only queries judged in ``split`` are kept (query text only)."""
    if not folder.is_dir():
        raise AssistantError(f"BEIR folder not found: {folder}")
    corpus = _jsonl(folder / "corpus.jsonl")
    doc_ids = [str(d["_id"]) for d in corpus]
    texts = [f"{d.get('title') or ''} {d.get('text') or ''}".strip() for d in corpus]
    qrels_path = folder / "qrels" / f"{split}.tsv"
    if not qrels_path.is_file():
        raise AssistantError(f"{qrels_path} not found; choose a split that has qrels")
    qrels: dict[str, dict[str, int]] = {}
    for number, line in enumerate(qrels_path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split("\t")
        if not line.strip() or (number == 1 and not parts[-1].strip().lstrip("-").isdigit()):
            continue  # blank line or the header
        try:
            qid, did, score = parts[0], parts[1], int(parts[2])
        except (IndexError, ValueError) as exc:
            raise AssistantError(f"{qrels_path.name}:{number}: not a qrels line") from exc
        qrels.setdefault(qid, {})[did] = score
    all_queries = {str(q["_id"]): str(q.get("text", "")) for q in _jsonl(folder / "queries.jsonl")}
    queries = {qid: all_queries[qid] for qid in qrels if qid in all_queries}
    name = re.sub(r"^beir[-_]", "", folder.resolve().name)
    return BeirDataset(name, doc_ids, texts, queries, {q: qrels[q] for q in queries})


# -- scoring (pure) ------------------------------------------------------------------------
def ndcg_graded(ranked: Sequence[str], judged: Mapping[str, int], k: int) -> float:
    """nDCG@k with linear graded gains (as ``pytrec_eval``, which BEIR uses)."""
    dcg = sum(
        judged.get(doc, 0) / np.log2(rank + 1) for rank, doc in enumerate(ranked[:k], start=1)
    )
    ideal_gains = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / np.log2(rank + 1) for rank, g in enumerate(ideal_gains, start=1))
    return float(dcg / idcg) if idcg else 0.0


def recall_graded(ranked: Sequence[str], judged: Mapping[str, int], k: int) -> float:
    """Share of positively judged documents in the first ``k``."""
    relevant = [doc for doc, g in judged.items() if g > 0]
    index = {doc: i for i, doc in enumerate(relevant)}
    found = [{index[doc]} if doc in index else set() for doc in ranked]
    return recall_at(found, len(relevant), k)


def score_runs(
    runs: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]
) -> BeirScores:
    """Mean nDCG@10 and recall@100 over the judged queries (a query's own id is skipped)."""
    ndcg: list[float] = []
    recall: list[float] = []
    for qid, judged in qrels.items():
        ranked = [doc for doc in runs.get(qid, []) if doc != qid]
        ndcg.append(ndcg_graded(ranked, judged, 10))
        recall.append(recall_graded(ranked, judged, 100))
    n = len(ndcg) or 1
    return BeirScores(sum(ndcg) / n, sum(recall) / n)


def product_fusion(pools: Mapping[str, Ranking]) -> Ranking:
    """Hybrid exactly as ``HybridRetriever`` fuses it, with its default settings."""
    defaults = HybridRetriever.DEFAULTS
    return fuse(pools, method=defaults.method, alpha=defaults.alpha, rrf_k=defaults.rrf_k)


FUSION_VARIANTS: dict[str, Callable[[Mapping[str, Ranking]], Ranking]] = {
    "rrf k=60 (equal weights)": lambda p: rrf(p, k=60),
    "convex alpha=0.3": lambda p: convex(p, alpha=0.3),
    "convex alpha=0.5": lambda p: convex(p, alpha=0.5),
    "convex alpha=0.7": lambda p: convex(p, alpha=0.7),
}
"""Fusions measured beside the product's; ``alpha`` is the dense weight."""


# -- dense vectors --------------------------------------------------------------------------
def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/copc`` or ``~/.cache/copc``."""
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "copc"


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def cache_key(embedder_id: str, doc_ids: Sequence[str], texts: Sequence[str]) -> str:
    """Identifies the vectors: embedder, document ids and texts, in order."""
    h = hashlib.sha256(embedder_id.encode())
    for doc, text in zip(doc_ids, texts, strict=True):
        h.update(b"\0" + doc.encode() + b"\0" + text.encode())
    return h.hexdigest()


def corpus_vectors(
    embedder: Embedder,
    dataset: BeirDataset,
    cache_dir: Path,
    *,
    progress: Progress | None = None,
    batch: int = 512,
) -> tuple[Vectors, Path, bool]:
    """The corpus vectors, from the cache when it matches; returns (vectors, file, cache hit)."""
    path = cache_dir / f"beir-{dataset.name}-{_slug(embedder.embedder_id)}.npy"
    meta_path = path.with_suffix(".json")
    key = cache_key(embedder.embedder_id, dataset.doc_ids, dataset.texts)
    if path.is_file() and meta_path.is_file():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            vectors = np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            meta, vectors = {}, None
        if vectors is not None and meta.get("key") == key and len(vectors) == len(dataset.texts):
            return np.asarray(vectors, dtype=np.float32), path, True
    parts: list[Vectors] = []
    for start in range(0, len(dataset.texts), batch):
        parts.append(embedder.embed(dataset.texts[start : start + batch]))
        if progress:
            done = min(start + batch, len(dataset.texts))
            progress(f"embedding {dataset.name}: {done}/{len(dataset.texts)}")
    vectors = np.concatenate(parts).astype(np.float32) if parts else np.zeros((0, 0), np.float32)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        np.save(fh, vectors, allow_pickle=False)
    os.replace(tmp, path)
    meta = {"key": key, "embedder_id": embedder.embedder_id, "documents": len(dataset.texts)}
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    return vectors, path, False


def top_dense(
    vectors: Vectors, doc_ids: Sequence[str], query: npt.NDArray[np.float32], depth: int
) -> Ranking:
    """The ``depth`` most similar documents by cosine (vectors are unit length); stable ties."""
    scores = vectors @ query
    order = np.argsort(-scores, kind="stable")[:depth]
    return [(doc_ids[i], float(scores[i])) for i in order]


def _single(mode: str) -> Callable[[Mapping[str, Ranking]], Ranking]:
    def pick(pools: Mapping[str, Ranking]) -> Ranking:
        return pools[mode]

    return pick


# -- the run --------------------------------------------------------------------------------
def run_beir(
    folder: Path,
    embedder: Embedder,
    *,
    modes: Sequence[str] = ("bm25", "dense", "hybrid"),
    cache_dir: Path | None = None,
    split: str = "test",
    depth: int = 100,
    progress: Progress | None = None,
) -> BeirResult:
    """Evaluate BM25, dense and hybrid retrieval on a BEIR folder.

    Args:
        folder: the BEIR dataset folder.
        embedder: turns documents and queries into unit vectors.
        modes: which of ``bm25``, ``dense``, ``hybrid`` to score; fusion variants are
            scored whenever ``hybrid`` is.
        cache_dir: where corpus vectors are cached (default :func:`default_cache_dir`).
        split: the qrels file to evaluate on.
        depth: candidates per ranker, and the length of every ranking scored.
        progress: called with a line of text while slow steps run.
    """
    started = time.perf_counter()
    data = load_beir(folder, split=split)
    qids = list(data.queries)
    want_bm25 = bool({"bm25", "hybrid"} & set(modes))
    want_dense = bool({"dense", "hybrid"} & set(modes))

    pools: dict[str, dict[str, Ranking]] = {qid: {} for qid in qids}
    if want_bm25:
        keyword = KeywordIndex.build(data.doc_ids, data.texts)
        for qid in qids:
            pools[qid]["bm25"] = keyword.top(data.queries[qid], depth)
    cache_file: Path | None = None
    cache_hit, embed_s = False, 0.0
    if want_dense:
        t0 = time.perf_counter()
        vectors, cache_file, cache_hit = corpus_vectors(
            embedder, data, cache_dir or default_cache_dir(), progress=progress
        )
        embed_s = time.perf_counter() - t0
        queries = embedder.embed([data.queries[qid] for qid in qids])
        for qid, qvec in zip(qids, queries, strict=True):
            pools[qid]["dense"] = top_dense(vectors, data.doc_ids, qvec, depth)

    def scored(fuse: Callable[[Mapping[str, Ranking]], Ranking]) -> BeirScores:
        runs = {qid: [doc for doc, _ in fuse(pools[qid])[: depth + 1]] for qid in qids}
        return score_runs(runs, data.qrels)

    results = {
        mode: scored(product_fusion if mode == "hybrid" else _single(mode)) for mode in modes
    }
    variants = (
        {name: scored(fuse) for name, fuse in FUSION_VARIANTS.items()} if "hybrid" in modes else {}
    )
    return BeirResult(
        dataset=data.name,
        split=split,
        documents=len(data.doc_ids),
        queries=len(qids),
        embedder_id=embedder.embedder_id,
        depth=depth,
        modes=results,
        variants=variants,
        published=dict(PUBLISHED_NDCG10.get(data.name, {})),
        cache_file=str(cache_file) if cache_file else None,
        cache_hit=cache_hit,
        embed_s=embed_s,
        total_s=time.perf_counter() - started,
    )
