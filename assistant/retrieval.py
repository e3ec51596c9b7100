"""Hybrid retrieval: BM25 and dense candidates fused, one hit per section.

Each ranker's candidate chunks are collapsed to sections (a section scores as its best chunk),
then fused by a convex combination of each ranker's normalised scores (see
:mod:`assistant.fusion`); filters (program, document type, role) apply to both rankers before
ranking. Dense candidates come from the store as ids and distances; their text and metadata
from the index's in-memory catalog.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.chunking import SITE_WIDE, normalise_program, normalise_role, slug
from assistant.documents import ROLES
from assistant.embedding import Vectors
from assistant.errors import ConfigError
from assistant.fusion import DEFAULT_NORMALISATION, FusionMethod, Normalisation, collapse, fuse
from assistant.index import ChunkIndex, matches
from assistant.store import StoredChunk

#: A filtered dense search first takes this many times the candidates unfiltered.
POST_FILTER_WIDTH = 4

Mode = Literal["bm25", "dense", "hybrid"]
MODES: tuple[Mode, ...] = ("bm25", "dense", "hybrid")


@dataclass(frozen=True)
class Hit:
    """One ranked section, represented by its best chunk."""

    chunk_id: str
    text: str
    score: float
    metadata: dict[str, Any]
    ranks: dict[str, int] = field(default_factory=dict)
    signals: dict[str, float] = field(default_factory=dict)
    """Raw evidence per ranker: ``dense`` cosine similarity, ``bm25`` score."""

    @property
    def file(self) -> str:
        """Bare file name."""
        return str(self.metadata.get("file", ""))

    @property
    def section(self) -> str:
        """The section heading."""
        return str(self.metadata.get("section", ""))

    @property
    def section_path(self) -> list[str]:
        """Headings from the top of the document down to this section."""
        raw = str(self.metadata.get("section_path", ""))
        return [p for p in raw.split(" > ") if p] or [self.section]

    @property
    def doc_id(self) -> str:
        """Document id from document control (file name when none)."""
        return str(self.metadata.get("doc_id", self.file))

    @property
    def page(self) -> int | None:
        """Page in a paged document."""
        page = self.metadata.get("page")
        return int(page) if page is not None else None

    def as_json(self, rank: int) -> dict[str, Any]:
        """The hit as printed by ``copc search --json``."""
        return {
            "rank": rank,
            "file": self.file,
            "section": self.section,
            "section_path": self.section_path,
            "doc_id": self.doc_id,
            "page": self.page,
            "program": self.metadata.get("program"),
            "version": self.metadata.get("version"),
            "score": round(self.score, 6),
            "text": self.text,
        }


@dataclass(frozen=True)
class Filters:
    """Which chunks a search may return."""

    program: str | None = None
    doc_type: str | None = None
    role: str | None = None
    """Only documents written for this role (or for everyone)."""

    def where(self) -> dict[str, list[str]]:
        """Field → allowed values. A program filter keeps site-wide documents too."""
        out: dict[str, list[str]] = {}
        if self.role:
            role = normalise_role(self.role)
            if role is None:
                raise ConfigError(f"unknown role {self.role!r}; use one of: {', '.join(ROLES)}")
            out[f"for_{role}"] = ["yes"]
        if self.program:
            out["program"] = sorted({normalise_program(self.program), SITE_WIDE})
        if self.doc_type:
            out["doc_type"] = [slug(self.doc_type)]
        return out


def section_key(metadata: dict[str, Any]) -> str:
    """Identifies a chunk's section: its file and heading path."""
    return f"{metadata.get('file_key', metadata.get('file'))}\x1f{metadata.get('section_path')}"


def chroma_where(where: dict[str, list[str]]) -> dict[str, Any] | None:
    """The same filters in Chroma's ``where`` syntax."""
    clauses = [{key: {"$in": values}} for key, values in where.items()]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@dataclass(frozen=True)
class FusionSettings:
    """How the two rankers' candidates are combined."""

    method: FusionMethod = "convex"
    alpha: float = 0.5
    """Dense weight for convex fusion."""
    rrf_k: int = 60
    candidates: int = 60
    """Candidates taken from each ranker before fusion."""
    normalise: Normalisation = DEFAULT_NORMALISATION
    """How convex fusion puts the two rankers' scores on one scale."""

    def fuse(
        self, pools: dict[str, list[tuple[str, float]]], *, complete: Collection[str] = ()
    ) -> list[tuple[str, float]]:
        """The rankers' lists fused with these settings (see :func:`assistant.fusion.fuse`)."""
        return fuse(
            pools,
            method=self.method,
            alpha=self.alpha,
            rrf_k=self.rrf_k,
            normalise=self.normalise,
            complete=complete,
        )


class HybridRetriever:
    """Searches a :class:`ChunkIndex` by BM25, dense vectors, or both fused."""

    DEFAULTS = FusionSettings()

    def __init__(self, index: ChunkIndex, *, fusion: FusionSettings | None = None) -> None:
        self.index = index
        self.fusion = fusion or self.DEFAULTS
        self.candidates = self.fusion.candidates

    def search(
        self,
        query: str,
        *,
        k: int = 5,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
        vector: Vectors | None = None,
    ) -> list[Hit]:
        """The ``k`` best sections for ``query``.

        Each ranker's candidate chunks are collapsed to sections (a section scores as its
        best chunk) before fusion, so a section whose best keyword match and best semantic
        match are different chunks is credited with both. The hit shows the section's chunk
        that fuses best on its own. ``vector`` is the query's embedding when the caller
        already has it (the answerer embeds the question once for retrieval and sentence
        selection).
        """
        where = (filters or Filters()).where()
        pools: dict[str, list[tuple[str, float]]] = {}
        stored: dict[str, tuple[str, dict[str, Any]]] = {}
        if mode in ("bm25", "hybrid"):
            pools["bm25"] = self._bm25(query, where)
        if mode in ("dense", "hybrid"):
            if vector is None:
                vector = self.index.embedder.embed([query])[0]
            dense = self._dense(vector, where)
            pools["dense"] = [(s.chunk_id, 1.0 - (s.distance or 0.0)) for s in dense]
            # Chunks read from the store (not the catalog) bring their own text and metadata.
            stored.update({s.chunk_id: (s.text, s.metadata) for s in dense if s.metadata})
        catalog = self.index.catalog
        section_of: dict[str, str] = {}
        for pool in pools.values():
            for chunk_id, _ in pool:
                meta = stored[chunk_id][1] if chunk_id in stored else catalog.get(chunk_id)
                if meta is not None:  # else the store moved on since the catalog was read
                    section_of[chunk_id] = section_key(meta)
        known = {
            name: [(cid, score) for cid, score in pool if cid in section_of]
            for name, pool in pools.items()
        }
        sections = {name: collapse(pool, section_of) for name, pool in known.items()}
        if mode == "hybrid":
            # A list shorter than asked for holds every candidate its ranker scores above zero.
            complete = {name for name, pool in pools.items() if len(pool) < self.candidates}
            order = self.fusion.fuse(sections, complete=complete)
            # Which chunk shows a section: the one that fuses best on its own.
            chunks = [cid for cid, _ in self.fusion.fuse(known, complete=complete)]
        else:
            order = sections[mode]
            chunks = [cid for cid, _ in known[mode]]
        best_chunk: dict[str, str] = {}
        for chunk_id in chunks:
            best_chunk.setdefault(section_of[chunk_id], chunk_id)
        ranks = {
            name: {key: rank for rank, (key, _) in enumerate(pool, start=1)}
            for name, pool in sections.items()
        }
        raw = {name: dict(pool) for name, pool in sections.items()}
        hits: list[Hit] = []
        for key, score in order[:k]:
            chunk_id = best_chunk[key]
            if chunk_id in stored:
                text, meta = stored[chunk_id]
            else:
                entry = catalog[chunk_id]
                text, meta = entry["text"], {k2: v for k2, v in entry.items() if k2 != "text"}
            hits.append(
                Hit(
                    chunk_id,
                    text,
                    score,
                    meta,
                    {name: r[key] for name, r in ranks.items() if key in r},
                    {name: scores[key] for name, scores in raw.items() if key in scores},
                )
            )
        return hits

    def _bm25(self, query: str, where: dict[str, list[str]]) -> list[tuple[str, float]]:
        keyword = self.index.keyword
        return keyword.top(query, self.candidates, self.index.mask(where))

    def _dense(self, vector: Vectors, where: dict[str, list[str]]) -> list[StoredChunk]:
        """The nearest chunks allowed by ``where``, as ids and distances.

        Text and metadata come from the index's in-memory catalog, so Chroma is asked for
        distances only (reading 60 chunks' documents and metadata costs it five times the
        search itself). A filtered search takes the nearest chunks unfiltered and filters
        them here: Chroma's own filtered query visits every chunk the filter allows (275 ms
        at 100k chunks against 9 ms unfiltered, docs/benchmarks.md), while most filters (a
        program plus site-wide, a role) allow most chunks; a selective filter falls back to
        Chroma's. When the store holds a chunk the catalog does not know yet (another
        process is ingesting), the chunks are read from the store instead.
        """
        store, catalog = self.index.store, self.index.catalog
        width = self.candidates * (POST_FILTER_WIDTH if where else 1)
        found = store.query(vector, width, None, include_text=False)
        if not all(s.chunk_id in catalog for s in found):
            return self._dense_from_store(vector, where)
        kept = [s for s in found if matches(catalog[s.chunk_id], where)]
        if not where or len(kept) >= self.candidates:
            return kept[: self.candidates]
        narrow = store.query(vector, self.candidates, chroma_where(where), include_text=False)
        if not all(s.chunk_id in catalog for s in narrow):
            return self._dense_from_store(vector, where)
        return narrow

    def _dense_from_store(self, vector: Vectors, where: dict[str, list[str]]) -> list[StoredChunk]:
        """The nearest allowed chunks with their text and metadata as the store holds them."""
        return self.index.store.query(vector, self.candidates, chroma_where(where))
