"""The chunk index: vector store + BM25 + manifest, kept consistent with each other.

Layout under ``Settings.index_dir``::

    manifest.json   embedder id, dimension, chunking, schema version, per-file hash and chunk ids
    chroma/         the embedded Chroma store (absent when COPC_CHROMA_URL names a server)
    keyword/        the BM25 index and the ids it covers
    catalog.json    chunk metadata and text for keyword hits and filters

Consistency rule: chunks are written to the store first, then the manifest (atomically),
then superseded chunks are deleted. Whatever a crash interrupts, :meth:`ChunkIndex.reconcile`
at the next ingest deletes store chunks the manifest does not list and forgets manifest
entries whose chunks are missing (so those files ingest again).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from assistant.chunking import ChunkingParams, embedding_text
from assistant.documents import Chunk
from assistant.embedding import Embedder, Vectors
from assistant.errors import IndexMismatchError
from assistant.keyword import KeywordIndex, Tokenizer, ids_digest
from assistant.store import StoredChunk, VectorStore

Mask = npt.NDArray[np.bool_]

SCHEMA_VERSION = 2  # 2: audience and per-role flags in chunk metadata


@dataclass
class FileEntry:
    """What the manifest knows about one ingested file."""

    file: str
    sha256: str
    doc_id: str
    chunk_ids: list[str]
    ingested_at: float = field(default_factory=time.time)


@dataclass
class Manifest:
    """The index's record of how it was built and what it holds."""

    embedder_id: str
    dimension: int
    chunking: dict[str, int]
    schema_version: int = SCHEMA_VERSION
    files: dict[str, FileEntry] = field(default_factory=dict)
    keyword_digest: str = ""

    def all_chunk_ids(self) -> list[str]:
        """Every chunk id of every file."""
        return [cid for entry in self.files.values() for cid in entry.chunk_ids]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "schema_version": self.schema_version,
            "embedder_id": self.embedder_id,
            "dimension": self.dimension,
            "chunking": self.chunking,
            "keyword_digest": self.keyword_digest,
            "files": {key: vars(entry) for key, entry in sorted(self.files.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        """Parse what :meth:`to_json` wrote."""
        return cls(
            embedder_id=data["embedder_id"],
            dimension=int(data["dimension"]),
            chunking=dict(data.get("chunking", {})),
            schema_version=int(data.get("schema_version", 0)),
            files={k: FileEntry(**v) for k, v in data.get("files", {}).items()},
            keyword_digest=data.get("keyword_digest", ""),
        )


class ChunkIndex:
    """Writes and reads chunks, keeping store, BM25 and manifest in step."""

    def __init__(
        self,
        folder: Path,
        store: VectorStore,
        embedder: Embedder,
        params: ChunkingParams,
    ) -> None:
        self.folder = folder
        self.store = store
        self.embedder = embedder
        self.params = params
        self._manifest: Manifest | None = None
        self._keyword: KeywordIndex | None = None
        self._catalog: dict[str, dict[str, Any]] | None = None
        self._tokenizer: Tokenizer | None = None
        # Without this cache a filtered query makes one Python pass over every chunk.
        self._masks: dict[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], Mask] = {}

    # -- manifest ---------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        """Where the manifest lives."""
        return self.folder / "manifest.json"

    @property
    def manifest(self) -> Manifest:
        """The manifest (read on first use; refused when built another way)."""
        if self._manifest is None:
            self._manifest = self._read_manifest()
        return self._manifest

    def _read_manifest(self) -> Manifest:
        if not self.manifest_path.is_file():
            return Manifest(
                embedder_id=self.embedder.embedder_id,
                dimension=-1,
                chunking=self.params.as_dict(),
            )
        data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        manifest = Manifest.from_json(data)
        self._check(manifest)
        return manifest

    def _check(self, manifest: Manifest) -> None:
        rebuild = f"delete {self.folder} (or point COPC_HOME elsewhere) and run `copc ingest` again"
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
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.manifest_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.manifest.to_json(), indent=1), encoding="utf-8")
        os.replace(tmp, self.manifest_path)

    # -- writing ----------------------------------------------------------------------------
    def reconcile(self) -> int:
        """Make store and manifest agree after an interrupted run. Returns chunks removed."""
        manifest = self.manifest
        listed = set(manifest.all_chunk_ids())
        present: set[str] = set()
        orphans: list[str] = []
        for stored in self.store.scan(include_text=False):
            if stored.chunk_id in listed:
                present.add(stored.chunk_id)
            else:
                orphans.append(stored.chunk_id)
        if orphans:
            self.store.delete(orphans)
        broken = [k for k, e in manifest.files.items() if not set(e.chunk_ids) <= present]
        for key in broken:
            self.store.delete(manifest.files.pop(key).chunk_ids)
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
        """Rebuild BM25 and the catalog from the store when they do not match the manifest."""
        wanted = ids_digest(self.manifest.all_chunk_ids())
        keyword = self._keyword or KeywordIndex.load(self.folder / "keyword", self.tokenizer)
        catalog = self._catalog if self._catalog is not None else self._read_catalog()
        if force or keyword is None or catalog is None or keyword.digest != wanted:
            stored = list(self.store.scan(include_text=True))
            listed = set(self.manifest.all_chunk_ids())
            stored = [s for s in stored if s.chunk_id in listed]
            catalog = {s.chunk_id: {**s.metadata, "text": s.text} for s in stored}
            keyword = KeywordIndex.build(
                [s.chunk_id for s in stored],
                [_keyword_text(s) for s in stored],
                self.tokenizer,
            )
            keyword.save(self.folder / "keyword")
            self._write_catalog(catalog)
            self.manifest.keyword_digest = keyword.digest
            self.save_manifest()
        self._keyword, self._catalog = keyword, catalog
        return keyword

    @property
    def keyword(self) -> KeywordIndex:
        """The BM25 index matching the manifest."""
        return self._keyword or self.refresh_keyword()

    @property
    def catalog(self) -> dict[str, dict[str, Any]]:
        """Chunk id → metadata (with ``text``)."""
        if self._catalog is None:
            self.refresh_keyword()
        assert self._catalog is not None
        return self._catalog

    def mask(self, where: Mapping[str, Iterable[str]]) -> npt.NDArray[np.bool_] | None:
        """Boolean row mask over the BM25 ids for metadata ``field in values`` filters."""
        if not where:
            return None
        keyword, catalog = self.keyword, self.catalog
        key = (keyword.digest, tuple(sorted((k, tuple(sorted(v))) for k, v in where.items())))
        cached = self._masks.get(key)
        if cached is not None:
            return cached
        allowed = {k: set(v) for k, v in where.items()}
        mask = np.array(
            [
                all(catalog[cid].get(k) in vals for k, vals in allowed.items())
                for cid in keyword.ids
            ],
            dtype=bool,
        )
        if len(self._masks) > 64:  # a handful of programs × roles × types; stay bounded
            self._masks.clear()
        self._masks[key] = mask
        return mask

    def _read_catalog(self) -> dict[str, dict[str, Any]] | None:
        path = self.folder / "catalog.json"
        if not path.is_file():
            return None
        try:
            data: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data

    def _write_catalog(self, catalog: dict[str, dict[str, Any]]) -> None:
        path = self.folder / "catalog.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(catalog), encoding="utf-8")
        os.replace(tmp, path)

    def is_empty(self) -> bool:
        """True when nothing has been ingested."""
        return not self.manifest.files


def _keyword_text(stored: StoredChunk) -> str:
    meta = stored.metadata
    return f"{meta.get('title', '')} | {meta.get('section_path', '')}\n{stored.text}"
