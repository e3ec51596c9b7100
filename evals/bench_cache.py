"""An on-disk cache of text vectors, so the scale benchmark embeds each synthetic chunk once.

Embedding 100,000 chunks takes tens of minutes on two cores; the benchmark measures search
and ask, not that pass, so vectors are kept under ``~/.cache/copc/bench/vectors-<model>``.
Each entry is keyed by the SHA-256 of the model fingerprint and the exact text, so a changed
text or model can never be served a stale vector. New vectors are appended in shards
(``NNNNN-<pid>.npy`` + ``.json`` with the keys), which makes an interrupted fill resumable.

:class:`CachedEmbedder` serves vectors the wrapped model computed earlier on the same text;
it keeps the model's ``embedder_id``, so an index built through it is the index the product
itself would build (the CLI opens it with the plain model).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from assistant.embedding import Embedder, SentenceTransformerEmbedder, Vectors

Progress = Callable[[int, int], None]


def model_fingerprint(embedder: Embedder) -> str:
    """The embedder id plus, for a local model, the names and sizes of its files."""
    h = hashlib.sha256(embedder.embedder_id.encode())
    if isinstance(embedder, SentenceTransformerEmbedder):
        root = embedder.model_path
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            h.update(f"\0{path.relative_to(root)}:{path.stat().st_size}".encode())
    return h.hexdigest()[:16]


class VectorCache:
    """Vectors by text for one model, stored in append-only shards under ``folder``."""

    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.folder = folder / f"vectors-{fingerprint}"
        self.fingerprint = fingerprint
        self._rows: dict[str, tuple[int, int]] = {}
        self._shards: list[Vectors] = []
        self._load()

    def key(self, text: str) -> str:
        """The cache key of ``text``."""
        return hashlib.sha256(f"{self.fingerprint}\0{text}".encode()).hexdigest()

    def _load(self) -> None:
        if not self.folder.is_dir():
            return
        for keys_file in sorted(self.folder.glob("*.json")):
            vec_file = keys_file.with_suffix(".npy")
            try:
                keys = json.loads(keys_file.read_text(encoding="utf-8"))
                vectors = np.load(vec_file, allow_pickle=False)
            except (OSError, ValueError):
                continue  # a shard cut short by an interrupted run: its texts embed again
            if len(keys) != len(vectors):
                continue
            shard = len(self._shards)
            self._shards.append(np.asarray(vectors, dtype=np.float32))
            for row, key in enumerate(keys):
                self._rows[key] = (shard, row)

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, key: str) -> Vectors | None:
        """The vector stored under ``key``, or ``None``."""
        where = self._rows.get(key)
        if where is None:
            return None
        vector: Vectors = self._shards[where[0]][where[1]]
        return vector

    def add(self, keys: Sequence[str], vectors: Vectors) -> None:
        """Append a shard (written atomically: vectors first, then the keys that name them)."""
        if not keys:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        # The process id keeps two benchmark processes filling one cache from colliding.
        number = len(list(self.folder.glob("*.json")))
        while list(self.folder.glob(f"{number:05d}-*.json")):
            number += 1
        stem = self.folder / f"{number:05d}-{os.getpid()}"
        tmp = stem.with_suffix(".npy.tmp")
        with tmp.open("wb") as fh:
            np.save(fh, np.asarray(vectors, dtype=np.float32), allow_pickle=False)
        os.replace(tmp, stem.with_suffix(".npy"))
        tmp_keys = stem.with_suffix(".json.tmp")
        tmp_keys.write_text(json.dumps(list(keys)), encoding="utf-8")
        os.replace(tmp_keys, stem.with_suffix(".json"))
        shard = len(self._shards)
        self._shards.append(np.asarray(vectors, dtype=np.float32))
        for row, key in enumerate(keys):
            self._rows[key] = (shard, row)


class CachedEmbedder:
    """An :class:`~assistant.embedding.Embedder` that reuses cached vectors of the same model.

    Texts not in the cache are embedded by the wrapped model in groups of ``group`` and
    stored before the next group starts.
    """

    def __init__(
        self,
        inner: Embedder,
        cache: VectorCache,
        *,
        group: int = 1024,
        progress: Progress | None = None,
    ) -> None:
        self.inner = inner
        self.cache = cache
        self.group = group
        self.progress = progress
        self.computed = 0
        """How many vectors this instance had to compute (not served from the cache)."""

    @property
    def embedder_id(self) -> str:
        return self.inner.embedder_id

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed(self, texts: list[str]) -> Vectors:
        keys = [self.cache.key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if self.cache.get(k) is None))
        if missing:
            by_key = dict(zip(keys, texts, strict=True))
            for start in range(0, len(missing), self.group):
                part = missing[start : start + self.group]
                self.cache.add(part, self.inner.embed([by_key[k] for k in part]))
                self.computed += len(part)
                if self.progress:
                    self.progress(min(start + self.group, len(missing)), len(missing))
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        rows = [self.cache.get(k) for k in keys]
        if any(r is None for r in rows):  # pragma: no cover - every key was filled above
            raise RuntimeError("vector cache lost an entry while embedding; run again")
        return np.stack([r for r in rows if r is not None]).astype(np.float32)
