"""The vector store: Chroma, embedded (``PersistentClient``) or a server (``HttpClient``).

Vectors are computed by the caller; the collection uses the cosine space.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

import numpy as np

from assistant.embedding import Vectors
from assistant.errors import ConfigError, StoreError


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as the store returns it."""

    chunk_id: str
    text: str
    metadata: dict[str, Any]
    distance: float | None = None


class VectorStore(Protocol):
    """What the index needs from a vector store."""

    def upsert(
        self, ids: list[str], vectors: Vectors, texts: list[str], metadatas: list[dict[str, Any]]
    ) -> None:
        """Insert or replace chunks."""
        ...

    def delete(self, ids: Sequence[str]) -> None:
        """Remove chunks by id (unknown ids are ignored)."""
        ...

    def query(
        self, vector: Vectors, k: int, where: dict[str, Any] | None = None
    ) -> list[StoredChunk]:
        """The ``k`` nearest chunks to ``vector`` (distance ascending)."""
        ...

    def scan(self, *, include_text: bool = True) -> Iterator[StoredChunk]:
        """Every chunk in the store, in pages."""
        ...

    def count(self) -> int:
        """Number of chunks."""
        ...


class ChromaStore:
    """A Chroma collection in cosine space."""

    def __init__(self, client: Any, collection: str) -> None:
        self._client = client
        self._name = collection
        self._collection: Any = None

    @classmethod
    def embedded(cls, path: Path, collection: str) -> ChromaStore:
        """A ``PersistentClient`` under ``path``."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(
            path=str(path), settings=ChromaSettings(anonymized_telemetry=False)
        )
        return cls(client, collection)

    @classmethod
    def server(cls, url: str, collection: str) -> ChromaStore:
        """An ``HttpClient`` for a Chroma server such as ``http://127.0.0.1:8000``."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        parsed = urlparse(url)
        if parsed.scheme not in {"http", "https"} or not parsed.hostname:
            raise ConfigError(f"COPC_CHROMA_URL must look like http://host:port, got {url!r}")
        port = parsed.port or (443 if parsed.scheme == "https" else 8000)
        try:
            client = chromadb.HttpClient(
                host=parsed.hostname,
                port=port,
                ssl=parsed.scheme == "https",
                settings=ChromaSettings(anonymized_telemetry=False),
            )
        except Exception as exc:
            raise StoreError(
                f"cannot reach the Chroma server at {url}: {_one_line(exc)}; is `chroma run` up?"
            ) from exc
        return cls(client, collection)

    @property
    def collection(self) -> Any:
        """The Chroma collection (created on first use)."""
        if self._collection is None:
            try:
                self._collection = self._client.get_or_create_collection(
                    self._name, metadata={"hnsw:space": "cosine"}, embedding_function=None
                )
            except Exception as exc:
                raise StoreError(f"cannot open the Chroma collection: {_one_line(exc)}") from exc
        return self._collection

    def _batch(self) -> int:
        try:
            return max(1, min(int(self._client.get_max_batch_size()), 2000))
        except Exception:
            return 500

    def upsert(
        self, ids: list[str], vectors: Vectors, texts: list[str], metadatas: list[dict[str, Any]]
    ) -> None:
        step = self._batch()
        for i in range(0, len(ids), step):
            self.collection.upsert(
                ids=ids[i : i + step],
                embeddings=np.asarray(vectors[i : i + step], dtype=np.float32),
                documents=texts[i : i + step],
                metadatas=metadatas[i : i + step],
            )

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        step = self._batch()
        for i in range(0, len(ids), step):
            self.collection.delete(ids=ids[i : i + step])

    def query(
        self, vector: Vectors, k: int, where: dict[str, Any] | None = None
    ) -> list[StoredChunk]:
        # Chroma returns fewer results when the collection holds fewer than k (or none), so
        # no count() round trip is needed on this hot path.
        result = self.collection.query(
            query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
            n_results=k,
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        ids = result["ids"][0]
        docs = result["documents"][0]
        metas = result["metadatas"][0]
        dists = result["distances"][0]
        return [
            StoredChunk(cid, doc or "", dict(meta or {}), float(dist))
            for cid, doc, meta, dist in zip(ids, docs, metas, dists, strict=True)
        ]

    def scan(self, *, include_text: bool = True) -> Iterator[StoredChunk]:
        include = ["metadatas", "documents"] if include_text else ["metadatas"]
        page = 5000
        offset = 0
        while True:
            got = self.collection.get(limit=page, offset=offset, include=include)
            ids = got["ids"]
            if not ids:
                return
            docs = got.get("documents") or [""] * len(ids)
            for cid, doc, meta in zip(ids, docs, got["metadatas"], strict=True):
                yield StoredChunk(cid, doc or "", dict(meta or {}))
            offset += len(ids)

    def count(self) -> int:
        return int(self.collection.count())


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
