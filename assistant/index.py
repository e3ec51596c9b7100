"""The chunk index: vector store + BM25 + manifest, kept consistent with each other.

Layout under ``Settings.index_dir``::

    manifest.json   embedder id, dimension, chunking, schema version, per-file hash and chunk ids
    chroma/         the embedded Chroma store (absent when COPC_CHROMA_URL names a server)
    keyword/        the BM25 index and the ids it covers
    catalog.json    chunk metadata and text for keyword hits and filters
    generations/    the same files for each generation built by ``copc ingest --rebuild``

Consistency rule: chunks are written to the store first, then the manifest (atomically),
then superseded chunks are deleted. Whatever a crash interrupts, :meth:`ChunkIndex.reconcile`
at the next ingest deletes store chunks the manifest does not list and forgets manifest
entries whose chunks are missing (so those files ingest again).

Generations (:mod:`assistant.generations`): with a Chroma store, the index is one of several
generations, each a collection plus a folder. Everything above applies to one generation (a
*view*). Readers use the generation the shared pointer names, checked every
``COPC_INDEX_CHECK_S``; :meth:`ChunkIndex.reading` pins one view for a whole query,
:meth:`ChunkIndex.writing` one writable view for an incremental ingest (published to the
pointer at the end), and :meth:`ChunkIndex.building` a new generation for a rebuild, switched
to only when complete.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from assistant.chunking import ChunkingParams, embedding_text
from assistant.documents import Chunk
from assistant.embedding import Embedder, Vectors
from assistant.errors import IndexMismatchError
from assistant.generations import Generations
from assistant.index_views import Build, GenerationViews, IndexView
from assistant.keyword import KeywordIndex, Tokenizer, ids_digest
from assistant.manifest import SCHEMA_VERSION, FileEntry, Manifest
from assistant.store import StoredChunk, VectorStore

__all__ = ["SCHEMA_VERSION", "Build", "ChunkIndex", "FileEntry", "IndexView", "Manifest"]

log = logging.getLogger(__name__)


class ChunkIndex(GenerationViews):
    """Writes and reads chunks, keeping store, BM25 and manifest in step.

    Args:
        folder: The index folder (``Settings.index_dir``).
        store: The vector store of the ``base`` generation.
        embedder: Computes chunk and query vectors.
        params: Chunking parameters recorded in the manifest.
        generations: With a Chroma store: the shared pointer and where generations live;
            without it the index is the one ``base`` generation (as before generations).
    """

    def __init__(
        self,
        folder: Path,
        store: VectorStore,
        embedder: Embedder,
        params: ChunkingParams,
        *,
        generations: Generations | None = None,
    ) -> None:
        self.root = folder
        self.embedder = embedder
        self.params = params
        self.generations = generations
        self._tokenizer: Tokenizer | None = None
        self._init_views(store)

    # -- manifest ---------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        """Where the manifest lives."""
        return self.folder / "manifest.json"

    @property
    def manifest(self) -> Manifest:
        """The manifest (read on first use; refused when built another way)."""
        return self._manifest_of(self._view())

    def _manifest_of(self, view: IndexView) -> Manifest:
        if view.manifest is None:
            view.manifest = self._read_manifest(view.folder)
        return view.manifest

    def _read_manifest(self, folder: Path) -> Manifest:
        path = folder / "manifest.json"
        if not path.is_file():
            return Manifest(
                embedder_id=self.embedder.embedder_id,
                dimension=-1,
                chunking=self.params.as_dict(),
            )
        data = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest.from_json(data)
        self._check(manifest, folder)
        return manifest

    def _check(self, manifest: Manifest, folder: Path) -> None:
        rebuild = f"delete {folder} (or point COPC_HOME elsewhere) and run `copc ingest` again"
        if manifest.schema_version != SCHEMA_VERSION:
            raise IndexMismatchError(
                f"index schema {manifest.schema_version} is not {SCHEMA_VERSION}; {rebuild}"
            )
        if manifest.embedder_id != self.embedder.embedder_id:
            raise IndexMismatchError(
                f"index was built with embedder {manifest.embedder_id!r}, "
                f"not {self.embedder.embedder_id!r}; {rebuild}"
            )
        if manifest.chunking != self.params.as_dict():
            raise IndexMismatchError(
                f"index was built with chunking {manifest.chunking}, "
                f"not {self.params.as_dict()}; {rebuild}"
            )

    def save_manifest(self) -> None:
        """Write the manifest atomically."""
        view = self._view()
        view.folder.mkdir(parents=True, exist_ok=True)
        path = view.folder / "manifest.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self._manifest_of(view).to_json(), indent=1), encoding="utf-8")
        os.replace(tmp, path)

    # -- writing ----------------------------------------------------------------------------
    def reconcile(self) -> int:
        """Make store and manifest agree after an interrupted run. Returns chunks removed."""
        manifest = self.manifest
        store = self.store
        listed = set(manifest.all_chunk_ids())
        present: set[str] = set()
        orphans: list[str] = []
        for stored in store.scan(include_text=False):
            if stored.chunk_id in listed:
                present.add(stored.chunk_id)
            else:
                orphans.append(stored.chunk_id)
        if orphans:
            store.delete(orphans)
        broken = [k for k, e in manifest.files.items() if not set(e.chunk_ids) <= present]
        for key in broken:
            store.delete(manifest.files.pop(key).chunk_ids)
        if orphans or broken:
            self.save_manifest()
        return len(orphans)

    def write_file(self, file_key: str, sha256: str, chunks: list[Chunk], vectors: Vectors) -> None:
        """Replace everything indexed for ``file_key`` by ``chunks``."""
        manifest = self.manifest
        if manifest.dimension < 0:
            manifest.dimension = int(vectors.shape[1])
        metadatas = [{**c.metadata(), "file_key": file_key} for c in chunks]
        self.store.upsert(
            [c.chunk_id for c in chunks], vectors, [c.text for c in chunks], metadatas
        )
        old = manifest.files.get(file_key)
        new_ids = [c.chunk_id for c in chunks]
        manifest.files[file_key] = FileEntry(
            file=chunks[0].file if chunks else Path(file_key).name,
            sha256=sha256,
            doc_id=chunks[0].doc_id if chunks else Path(file_key).name,
            chunk_ids=new_ids,
        )
        self.save_manifest()
        if old:
            stale = set(old.chunk_ids) - set(new_ids)
            if stale:
                self.store.delete(sorted(stale))

    def remove_file(self, file_key: str) -> None:
        """Forget a file and delete its chunks."""
        entry = self.manifest.files.pop(file_key, None)
        self.save_manifest()
        if entry:
            self.store.delete(entry.chunk_ids)

    def embed_chunks(self, chunks: list[Chunk]) -> Vectors:
        """Vectors for chunks, from their heading-prefixed text."""
        return self.embedder.embed([embedding_text(c) for c in chunks])

    # -- reading ----------------------------------------------------------------------------
    @property
    def tokenizer(self) -> Tokenizer:
        """The shared BM25 tokenizer."""
        if self._tokenizer is None:
            self._tokenizer = Tokenizer()
        return self._tokenizer

    def refresh_keyword(self, *, force: bool = False) -> KeywordIndex:
        """Rebuild BM25 and the catalog from the store when they do not match the manifest.

        A reader's view (a generation named by the pointer) never writes files: it loads
        them when their digest is the pointer's, else rebuilds them in memory from the store.
        """
        view = self._view()
        if not view.writable:
            return self._load(view, force=force)
        manifest = self._manifest_of(view)
        wanted = ids_digest(manifest.all_chunk_ids())
        keyword = view.keyword or KeywordIndex.load(view.folder / "keyword", self.tokenizer)
        catalog = view.catalog if view.catalog is not None else _read_catalog(view.folder)
        if force or keyword is None or catalog is None or keyword.digest != wanted:
            stored = list(view.store.scan(include_text=True))
            listed = set(manifest.all_chunk_ids())
            stored = [s for s in stored if s.chunk_id in listed]
            catalog, keyword = self._build(stored)
            keyword.save(view.folder / "keyword")
            _write_catalog(view.folder, catalog)
            manifest.keyword_digest = keyword.digest
            self.save_manifest()
        view.keyword, view.catalog = keyword, catalog
        return keyword

    def _load(self, view: IndexView, *, force: bool = False) -> KeywordIndex:
        """Load a reader's view completely: BM25 and catalog, from files or from the store."""
        if view.keyword is not None and view.catalog is not None and not force:
            return view.keyword
        wanted = view.pointer.digest if view.pointer is not None else None
        keyword = None if force else KeywordIndex.load(view.folder / "keyword", self.tokenizer)
        catalog = None if force else _read_catalog(view.folder)
        if keyword is None or catalog is None or keyword.digest != wanted:
            catalog, keyword = self._build(list(view.store.scan(include_text=True)))
            if keyword.digest != wanted:
                log.info(
                    "generation %s: the store holds chunks the pointer does not list "
                    "(an ingest is under way)",
                    view.generation,
                )
        view.keyword, view.catalog = keyword, catalog
        return keyword

    def _build(self, stored: list[StoredChunk]) -> tuple[dict[str, dict[str, Any]], KeywordIndex]:
        catalog = {s.chunk_id: {**s.metadata, "text": s.text} for s in stored}
        keyword = KeywordIndex.build(
            [s.chunk_id for s in stored],
            [keyword_text(s) for s in stored],
            self.tokenizer,
        )
        return catalog, keyword

    @property
    def keyword(self) -> KeywordIndex:
        """The BM25 index matching the manifest."""
        return self._view().keyword or self.refresh_keyword()

    @property
    def catalog(self) -> dict[str, dict[str, Any]]:
        """Chunk id → metadata (with ``text``)."""
        view = self._view()
        if view.catalog is None:
            self.refresh_keyword()
        assert view.catalog is not None
        return view.catalog

    def mask(self, where: Mapping[str, Iterable[str]]) -> npt.NDArray[np.bool_] | None:
        """Boolean row mask over the BM25 ids for metadata ``field in values`` filters."""
        if not where:
            return None
        view = self._view()
        keyword, catalog = self.keyword, self.catalog
        key = (keyword.digest, tuple(sorted((k, tuple(sorted(v))) for k, v in where.items())))
        cached = view.masks.get(key)
        if cached is not None:
            return cached
        allowed = {k: set(v) for k, v in where.items()}
        mask = np.array([matches(catalog[cid], allowed) for cid in keyword.ids], dtype=bool)
        if len(view.masks) > 64:  # a handful of programs × roles × types; stay bounded
            view.masks.clear()
        view.masks[key] = mask
        return mask

    def is_empty(self) -> bool:
        """True when nothing has been ingested (in any process sharing the pointer)."""
        view = self._view()
        if not view.writable and view.pointer is not None:
            return view.pointer.chunks == 0
        return not self._manifest_of(view).files


def _read_catalog(folder: Path) -> dict[str, dict[str, Any]] | None:
    path = folder / "catalog.json"
    if not path.is_file():
        return None
    try:
        data: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def _write_catalog(folder: Path, catalog: dict[str, dict[str, Any]]) -> None:
    path = folder / "catalog.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(catalog), encoding="utf-8")
    os.replace(tmp, path)


def matches(metadata: Mapping[str, Any], where: Mapping[str, Collection[str]]) -> bool:
    """Whether a chunk's metadata passes ``field in values`` filters (all of them)."""
    return all(metadata.get(key) in values for key, values in where.items())


def keyword_text(stored: StoredChunk) -> str:
    """What BM25 indexes for a chunk: its title and heading path, then its text."""
    meta = stored.metadata
    return f"{meta.get('title', '')} | {meta.get('section_path', '')}\n{stored.text}"
