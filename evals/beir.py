"""Retrieval on a public BEIR dataset (``copc eval --beir DIR``), built from the assistant's parts.

The folder holds ``corpus.jsonl`` (``_id``, ``title``, ``text``), ``queries.jsonl`` (``_id``,
``text``; ``metadata`` may hold answers and is never read) and ``qrels/<split>.tsv``.
Documents are ranked two ways:

- **as the product indexes them** (``chunks``, the figures of record): each document is a
  one-section file titled by its ``title``, cut by the product's chunker, embedded with its
  heading (:func:`assistant.chunking.embedding_text`) and keyword-indexed as the index does
  (:func:`assistant.index.keyword_text`); a document ranks by its best chunk, as a search keeps
  one hit per section. MiniLM reads at most 256 word pieces, and 71% of SciFact abstracts are
  longer: the product never embeds text past a chunk, so the tail of an abstract is seen too;
- **whole documents** (``title + " " + text`` as one text, truncated by the model), the setup
  of BEIR's published figures, for comparison with them.

In both, BM25 is :class:`assistant.keyword.KeywordIndex` (the product's tokenizer and
parameters) and dense is brute-force cosine over the embedder's vectors, cached in ``.npy``
files keyed by corpus and embedder so reruns skip the embedding pass. Hybrid is the product's
fusion (:data:`assistant.retrieval.HybridRetriever.DEFAULTS`) over each ranker's first
``candidates`` units (the retriever's own number), each list collapsed to documents first as
the retriever collapses chunks to sections; fusion variants are measured the same way.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from assistant.chunking import ChunkingParams, chunk_document, embedding_text
from assistant.documents import DocumentMeta, LoadedDocument, Section
from assistant.embedding import Embedder, Vectors
from assistant.errors import AssistantError
from assistant.fusion import collapse
from assistant.fusion import convex_fuse as convex
from assistant.fusion import rrf_fuse as rrf
from assistant.index import keyword_text
from assistant.keyword import KeywordIndex
from assistant.retrieval import HybridRetriever
from assistant.store import StoredChunk
from evals.metrics import recall_at

#: Published nDCG@10 on SciFact (BEIR paper BM25; sentence-transformers all-MiniLM-L6-v2).
PUBLISHED_NDCG10: dict[str, dict[str, float]] = {"scifact": {"bm25": 0.665, "dense": 0.645}}

Ranking = list[tuple[str, float]]
Progress = Callable[[str], None]
Units = Literal["chunks", "documents"]


@dataclass(frozen=True)
class BeirDataset:
    """A BEIR split: documents, the queries judged in the split, and their judgements."""

    name: str
    doc_ids: list[str]
    texts: list[str]
    """``title + " " + text`` per document: the whole-document setup."""
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    titles: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)


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
    """Each mode as the product indexes the documents (chunks): the figures of record."""
    variants: dict[str, BeirScores]
    published: dict[str, float]
    cache_file: str | None
    cache_hit: bool
    embed_s: float
    total_s: float
    chunks: int = 0
    candidates: int = 0
    """Candidates each ranker hands to fusion (the retriever's own number)."""
    whole_documents: dict[str, BeirScores] = field(default_factory=dict)
    """Each mode over whole documents, the setup of the published figures."""

    def as_json(self) -> dict[str, Any]:
        """The object ``--json`` prints."""
        return {
            "dataset": self.dataset,
            "split": self.split,
            "documents": self.documents,
            "queries": self.queries,
            "embedder_id": self.embedder_id,
            "depth": self.depth,
            "chunks": self.chunks,
            "fusion_candidates": self.candidates,
            "modes": {name: s.as_json() for name, s in self.modes.items()},
            "whole_documents": {name: s.as_json() for name, s in self.whole_documents.items()},
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
    titles = [str(d.get("title") or "") for d in corpus]
    bodies = [str(d.get("text") or "") for d in corpus]
    texts = [f"{t} {b}".strip() for t, b in zip(titles, bodies, strict=True)]
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
    qrels = {q: qrels[q] for q in queries}
    return BeirDataset(name, doc_ids, texts, queries, qrels, titles, bodies)


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
    """Hybrid exactly as ``HybridRetriever`` fuses its candidates, with its default settings."""
    return HybridRetriever.DEFAULTS.fuse(dict(pools))


FUSION_VARIANTS: dict[str, Callable[[Mapping[str, Ranking]], Ranking]] = {
    "rrf k=60 (equal weights)": lambda p: rrf(p, k=60),
    "convex alpha=0.3": lambda p: convex(p, alpha=0.3),
    "convex alpha=0.5": lambda p: convex(p, alpha=0.5),
    "convex alpha=0.7": lambda p: convex(p, alpha=0.7),
}
"""Fusions measured beside the product's; ``alpha`` is the dense weight."""


# -- what is ranked ------------------------------------------------------------------------
@dataclass(frozen=True)
class Corpus:
    """The units a ranker scores (chunks or whole documents) and the document of each."""

    units: Units
    ids: list[str]
    owners: list[str]
    keyword_texts: list[str]
    embedding_texts: list[str]


def whole_documents(data: BeirDataset) -> Corpus:
    """Each document as one text (title and body), as BEIR's published figures rank them."""
    return Corpus("documents", data.doc_ids, data.doc_ids, data.texts, data.texts)


def product_chunks(data: BeirDataset, params: ChunkingParams | None = None) -> Corpus:
    """The documents as ingest would index them: one section titled by the document's title,
    cut by the product's chunker, with the product's embedding and keyword texts."""
    params = params or ChunkingParams()
    ids: list[str] = []
    owners: list[str] = []
    keyword_texts: list[str] = []
    embedding_texts: list[str] = []
    for doc_id, title, body in zip(data.doc_ids, data.titles, data.bodies, strict=True):
        heading = title or doc_id
        text = body if body.strip() else heading  # a title alone is still findable
        doc = LoadedDocument(
            file=doc_id,
            text=text,
            meta=DocumentMeta(doc_id=doc_id, title=heading),
            sections=(Section(heading, (heading,), text, 0, len(text)),),
        )
        for chunk in chunk_document(doc, params, file_key=doc_id):
            ids.append(chunk.chunk_id)
            owners.append(doc_id)
            embedding_texts.append(embedding_text(chunk))
            keyword_texts.append(
                keyword_text(StoredChunk(chunk.chunk_id, chunk.text, chunk.metadata()))
            )
    return Corpus("chunks", ids, owners, keyword_texts, embedding_texts)


def ranked(scores: npt.NDArray[np.float32], ids: Sequence[str]) -> Ranking:
    """Every unit by score, best first (stable ties)."""
    order = np.argsort(-scores, kind="stable")
    return [(ids[i], float(scores[i])) for i in order]


# -- dense vectors --------------------------------------------------------------------------
def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/copc`` or ``~/.cache/copc``."""
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "copc"


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def cache_key(embedder_id: str, doc_ids: Sequence[str], texts: Sequence[str]) -> str:
    """Identifies the vectors: embedder, unit ids and texts, in order."""
    h = hashlib.sha256(embedder_id.encode())
    for doc, text in zip(doc_ids, texts, strict=True):
        h.update(b"\0" + doc.encode() + b"\0" + text.encode())
    return h.hexdigest()


def corpus_vectors(
    embedder: Embedder,
    name: str,
    corpus: Corpus,
    cache_dir: Path,
    *,
    progress: Progress | None = None,
    batch: int = 512,
) -> tuple[Vectors, Path, bool]:
    """The units' vectors, from the cache when it matches; returns (vectors, file, cache hit)."""
    tag = "" if corpus.units == "documents" else f"-{corpus.units}"
    path = cache_dir / f"beir-{name}{tag}-{_slug(embedder.embedder_id)}.npy"
    meta_path = path.with_suffix(".json")
    texts = corpus.embedding_texts
    key = cache_key(embedder.embedder_id, corpus.ids, texts)
    if path.is_file() and meta_path.is_file():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            vectors = np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            meta, vectors = {}, None
        if vectors is not None and meta.get("key") == key and len(vectors) == len(texts):
            return np.asarray(vectors, dtype=np.float32), path, True
    parts: list[Vectors] = []
    for start in range(0, len(texts), batch):
        parts.append(embedder.embed(texts[start : start + batch]))
        if progress:
            done = min(start + batch, len(texts))
            progress(f"embedding {name} ({corpus.units}): {done}/{len(texts)}")
    vectors = np.concatenate(parts).astype(np.float32) if parts else np.zeros((0, 0), np.float32)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        np.save(fh, vectors, allow_pickle=False)
    os.replace(tmp, path)
    meta = {"key": key, "embedder_id": embedder.embedder_id, "units": len(texts)}
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    return vectors, path, False


# -- the run --------------------------------------------------------------------------------
@dataclass(frozen=True)
class UnitPools:
    """Per query and ranker, every unit it scores (best first), and each unit's document."""

    pools: dict[str, dict[str, Ranking]]
    owner: dict[str, str]
    cache_file: Path | None
    cache_hit: bool
    embed_s: float


def unit_pools(
    data: BeirDataset,
    corpus: Corpus,
    embedder: Embedder,
    rankers: Sequence[str],
    cache_dir: Path,
    *,
    progress: Progress | None = None,
) -> UnitPools:
    """Rank ``corpus``'s units for every query with each of ``rankers`` (bm25, dense)."""
    qids = list(data.queries)
    pools: dict[str, dict[str, Ranking]] = {qid: {} for qid in qids}
    if "bm25" in rankers:
        keyword = KeywordIndex.build(corpus.ids, corpus.keyword_texts)
        for qid in qids:
            pools[qid]["bm25"] = keyword.top(data.queries[qid], len(corpus.ids))
    cache_file: Path | None = None
    cache_hit, embed_s = True, 0.0
    if "dense" in rankers:
        started = time.perf_counter()
        vectors, cache_file, cache_hit = corpus_vectors(
            embedder, data.name, corpus, cache_dir, progress=progress
        )
        embed_s = time.perf_counter() - started
        queries = embedder.embed([data.queries[qid] for qid in qids])
        for qid, qvec in zip(qids, queries, strict=True):
            pools[qid]["dense"] = ranked(vectors @ qvec, corpus.ids)
    owner = dict(zip(corpus.ids, corpus.owners, strict=True))
    return UnitPools(pools, owner, cache_file, cache_hit, embed_s)


def score_pools(
    pools: UnitPools,
    qrels: Mapping[str, Mapping[str, int]],
    fusion: Callable[[Mapping[str, Ranking]], Ranking] | str,
    *,
    depth: int,
    candidates: int,
) -> BeirScores:
    """Score one method: a single ranker's name, or a fusion of each ranker's first
    ``candidates`` units collapsed to documents (as the retriever collapses chunks to
    sections before fusing); ``depth`` documents, each ranked by its best unit."""
    runs: dict[str, list[str]] = {}
    for qid, by_ranker in pools.pools.items():
        if isinstance(fusion, str):
            docs = collapse(by_ranker[fusion], pools.owner)
        else:
            docs = fusion(
                {name: collapse(pool[:candidates], pools.owner) for name, pool in by_ranker.items()}
            )
        runs[qid] = [doc for doc, _ in docs[: depth + 1]]
    return score_runs(runs, qrels)


def run_beir(
    folder: Path,
    embedder: Embedder,
    *,
    modes: Sequence[str] = ("bm25", "dense", "hybrid"),
    cache_dir: Path | None = None,
    split: str = "test",
    depth: int = 100,
    candidates: int | None = None,
    whole: bool = True,
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
        depth: the length of every document ranking scored.
        candidates: units each ranker hands to fusion (default: the retriever's own).
        whole: also score whole documents (the published figures' setup).
        progress: called with a line of text while slow steps run.
    """
    started = time.perf_counter()
    data = load_beir(folder, split=split)
    candidates = candidates or HybridRetriever.DEFAULTS.candidates
    rankers = [r for r in ("bm25", "dense") if r in modes or "hybrid" in modes]
    cache = cache_dir or default_cache_dir()

    def scored(pools: UnitPools) -> dict[str, BeirScores]:
        return {
            mode: score_pools(
                pools,
                data.qrels,
                product_fusion if mode == "hybrid" else mode,
                depth=depth,
                candidates=candidates,
            )
            for mode in modes
        }

    chunked = unit_pools(data, product_chunks(data), embedder, rankers, cache, progress=progress)
    variants = (
        {
            name: score_pools(chunked, data.qrels, f, depth=depth, candidates=candidates)
            for name, f in FUSION_VARIANTS.items()
        }
        if "hybrid" in modes
        else {}
    )
    documents = (
        unit_pools(data, whole_documents(data), embedder, rankers, cache, progress=progress)
        if whole
        else None
    )
    hits = [chunked.cache_hit] + ([documents.cache_hit] if documents else [])
    return BeirResult(
        dataset=data.name,
        split=split,
        documents=len(data.doc_ids),
        queries=len(data.queries),
        embedder_id=embedder.embedder_id,
        depth=depth,
        modes=scored(chunked),
        variants=variants,
        published=dict(PUBLISHED_NDCG10.get(data.name, {})),
        cache_file=str(chunked.cache_file) if chunked.cache_file else None,
        cache_hit=all(hits),
        embed_s=chunked.embed_s + (documents.embed_s if documents else 0.0),
        total_s=time.perf_counter() - started,
        chunks=len(chunked.owner),
        candidates=candidates,
        whole_documents=scored(documents) if documents else {},
    )
