"""The vector store: Chroma, embedded (``PersistentClient``) or a server (``HttpClient``).

Vectors are computed by the caller; the collection uses the cosine space.

A Chroma server may restart under a running bot: every call is retried on connection
errors with a short backoff for up to ``retry_s`` seconds (``COPC_CHROMA_RETRY_S``), so a
restart within that window is invisible; past it the call fails with a one-line
:class:`~assistant.errors.StoreError`, and the next call simply tries again (the HTTP client
reconnects by itself). A store opened with ``create=False`` never creates its collection: a
reader must not resurrect an index generation that was dropped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import urlparse

import numpy as np

from assistant.embedding import Vectors
from assistant.errors import ConfigError, StoreError

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Default seconds a call keeps retrying while the Chroma server does not answer.
RETRY_S = 2.0


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
        self,
        vector: Vectors,
        k: int,
        where: dict[str, Any] | None = None,
        *,
        include_text: bool = True,
    ) -> list[StoredChunk]:
        """The ``k`` nearest chunks to ``vector`` (distance ascending).

        With ``include_text=False`` only ids and distances come back (text ``""``, metadata
        ``{}``): a caller holding the chunks' text and metadata in memory skips reading them.
        """
        ...

    def scan(self, *, include_text: bool = True) -> Iterator[StoredChunk]:
        """Every chunk in the store, in pages."""
        ...

    def count(self) -> int:
        """Number of chunks."""
        ...


class ChromaStore:
    """A Chroma collection in cosine space.

    Args:
        client: A ``chromadb`` client (embedded or HTTP).
        collection: The collection's name.
        create: Create the collection on first use (writers); readers pass False.
        retry_s: Seconds to keep retrying a call while the server does not answer.
        where: How the store is named in error messages (the server URL or the folder).
    """

    def __init__(
        self,
        client: Any,
        collection: str,
        *,
        create: bool = True,
        retry_s: float = RETRY_S,
        where: str = "",
    ) -> None:
        self._client = client
        self._name = collection
        self._create = create
        self._retry_s = retry_s
        self._where = where
        self._collection: Any = None

    @property
    def name(self) -> str:
        """The collection's name."""
        return self._name

    @classmethod
    def embedded(cls, path: Path, collection: str) -> ChromaStore:
        """A ``PersistentClient`` under ``path``."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(
            path=str(path), settings=ChromaSettings(anonymized_telemetry=False)
        )
        return cls(client, collection, retry_s=0.0, where=str(path))

    @classmethod
    def server(cls, url: str, collection: str, *, retry_s: float = RETRY_S) -> ChromaStore:
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
        return cls(client, collection, retry_s=retry_s, where=url)

    def sibling(
        self, collection: str, *, create: bool = True, retry_s: float | None = None
    ) -> ChromaStore:
        """Another collection on the same client (an index generation, the pointer)."""
        retry = self._retry_s if retry_s is None else retry_s
        return ChromaStore(
            self._client, collection, create=create, retry_s=retry, where=self._where
        )

    @property
    def collection(self) -> Any:
        """The Chroma collection (created on first use unless ``create`` is False)."""
        if self._collection is None:
            self._collection = self._call("open the collection", self._open)
        return self._collection

    def _open(self) -> Any:
        if self._create:
            return self._client.get_or_create_collection(
                self._name, metadata={"hnsw:space": "cosine"}, embedding_function=None
            )
        return self._client.get_collection(self._name, embedding_function=None)

    def exists(self) -> bool:
        """True when the collection is there (never creates it)."""
        if self._collection is not None:
            return True
        return self._name in self.collection_names()

    def collection_names(self) -> list[str]:
        """Names of every collection on this client."""
        listed = self._call("list collections", self._client.list_collections)
        return [c if isinstance(c, str) else str(c.name) for c in listed]

    def drop(self) -> None:
        """Delete the whole collection (a missing one is fine); this object never recreates it."""
        self._collection = None
        self._create = False
        if self._name in self.collection_names():
            self._call("drop the collection", lambda: self._client.delete_collection(self._name))

    # -- small records (the index pointer) ---------------------------------------------------
    def get_record(self, record_id: str) -> dict[str, Any] | None:
        """The metadata of one record, or None (also when the collection does not exist)."""
        if self._collection is None and not self._create and not self.exists():
            return None
        got = self._call(
            "read a record",
            lambda: self.collection.get(ids=[record_id], include=["metadatas"]),
        )
        metas = got.get("metadatas") or []
        return dict(metas[0] or {}) if got["ids"] else None

    def put_record(self, record_id: str, metadata: dict[str, Any]) -> None:
        """Write one record's metadata (atomically replacing it)."""
        upsert = self.collection.upsert
        self._call(
            "write a record",
            partial(upsert, ids=[record_id], embeddings=[[1.0]], metadatas=[metadata]),
        )

    # -- chunks ------------------------------------------------------------------------------
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
            self._call(
                "write chunks",
                partial(
                    self.collection.upsert,
                    ids=ids[i : i + step],
                    embeddings=np.asarray(vectors[i : i + step], dtype=np.float32),
                    documents=texts[i : i + step],
                    metadatas=metadatas[i : i + step],
                ),
            )

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        step = self._batch()
        for i in range(0, len(ids), step):
            self._call("delete chunks", partial(self.collection.delete, ids=ids[i : i + step]))

    def query(
        self,
        vector: Vectors,
        k: int,
        where: dict[str, Any] | None = None,
        *,
        include_text: bool = True,
    ) -> list[StoredChunk]:
        # Chroma returns fewer results when the collection holds fewer than k (or none), so
        # no count() round trip is needed on this hot path. Reading documents and metadata
        # costs most of a query (60 nearest: 5 ms with them, 1 ms without), so a caller that
        # has them in memory asks for distances only.
        include = ["documents", "metadatas", "distances"] if include_text else ["distances"]
        result = self._call(
            "query",
            lambda: self.collection.query(
                query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
                n_results=k,
                where=where or None,
                include=include,
            ),
        )
        ids = result["ids"][0]
        dists = result["distances"][0]
        docs = result["documents"][0] if include_text else [""] * len(ids)
        metas = result["metadatas"][0] if include_text else [{}] * len(ids)
        return [
            StoredChunk(cid, doc or "", dict(meta or {}), float(dist))
            for cid, doc, meta, dist in zip(ids, docs, metas, dists, strict=True)
        ]

    def scan(self, *, include_text: bool = True) -> Iterator[StoredChunk]:
        include = ["metadatas", "documents"] if include_text else ["metadatas"]
        page = 5000
        offset = 0
        while True:
            got = self._call(
                "read chunks",
                partial(self.collection.get, limit=page, offset=offset, include=include),
            )
            ids = got["ids"]
            if not ids:
                return
            docs = got.get("documents") or [""] * len(ids)
            for cid, doc, meta in zip(ids, docs, got["metadatas"], strict=True):
                yield StoredChunk(cid, doc or "", dict(meta or {}))
            offset += len(ids)

    def count(self) -> int:
        return int(self._call("count chunks", lambda: self.collection.count()))

    # -- retries -----------------------------------------------------------------------------
    def _call(self, what: str, work: Callable[[], T]) -> T:
        """Run one Chroma call; retry while the server does not answer, then one clear line."""
        deadline = time.monotonic() + self._retry_s
        delay = 0.1
        while True:
            try:
                return work()
            except StoreError:
                raise
            except Exception as exc:
                if _missing(exc):
                    self._collection = None
                    raise StoreError(
                        f"the index collection {self._name!r} does not exist in Chroma at "
                        f"{self._where}; run `copc ingest`"
                    ) from exc
                if not _transient(exc):
                    raise StoreError(
                        f"Chroma could not {what} in {self._name!r}: {_one_line(exc)}"
                    ) from exc
                left = deadline - time.monotonic()
                if left <= 0:
                    raise StoreError(
                        f"cannot reach the Chroma server at {self._where} to {what}: "
                        f"{_one_line(exc)}; is `chroma run` up?"
                    ) from exc
                log.warning("Chroma at %s did not answer (%s); retrying", self._where, exc)
                time.sleep(min(delay, left))
                delay = min(delay * 2, 1.0)


def _transient(exc: BaseException) -> bool:
    """A connection-level failure that a restarted server cures (not a bad request)."""
    if isinstance(exc, ConnectionError | TimeoutError):
        return True
    try:
        import httpx
    except ImportError:  # pragma: no cover - chromadb depends on httpx
        return False
    return isinstance(exc, httpx.TransportError)


def _missing(exc: BaseException) -> bool:
    """Chroma's "collection does not exist" (a dropped generation, a wiped server)."""
    return type(exc).__name__ == "NotFoundError" or "does not exist" in str(exc)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
