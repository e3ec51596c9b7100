"""The keyword side of hybrid search: BM25 (``bm25s``) over stemmed words.

The index is persisted beside the Chroma data together with the chunk ids it covers, and
can always be rebuilt from the store's texts.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
        "we",
        "our",
        "you",
        "your",
        "i",
        "me",
        "my",
        "do",
        "does",
        "did",
        "how",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "why",
        "can",
        "could",
        "should",
        "would",
        "shall",
        "may",
        "might",
        "must",
        "has",
        "have",
        "had",
        "been",
        "being",
        "am",
        "were",
        "than",
        "so",
        "not",
        "no",
        "nor",
        "too",
        "very",
        "s",
        "t",
        "just",
        "don",
        "about",
        "over",
        "under",
        "again",
        "further",
        "once",
        "here",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "own",
        "same",
        "only",
        "any",
        "all",
    ]
)


def _import_bm25s() -> Any:
    """Import bm25s, which sets its own logger to DEBUG on import; follow ours instead."""
    import bm25s

    logging.getLogger("bm25s").setLevel(
        max(logging.getLogger("assistant").getEffectiveLevel(), logging.INFO)
    )
    return bm25s


class Tokenizer:
    """Lower-cased words, stop words dropped, English Snowball stems."""

    def __init__(self) -> None:
        import Stemmer

        self._stemmer = Stemmer.Stemmer("english")

    def __call__(self, text: str) -> list[str]:
        words = [w.replace("'", "") for w in _WORD.findall(text.lower())]
        words = [w for w in words if w not in _STOPWORDS]
        return list(self._stemmer.stemWords(words))


class KeywordIndex:
    """BM25 over a list of chunk ids and their texts."""

    def __init__(self, ids: list[str], model: object | None, tokenizer: Tokenizer) -> None:
        self.ids = ids
        self._model = model
        self._tokenize = tokenizer
        self._position = {cid: i for i, cid in enumerate(ids)}

    @classmethod
    def build(
        cls, ids: list[str], texts: Sequence[str], tokenizer: Tokenizer | None = None
    ) -> KeywordIndex:
        """Fit BM25 on ``texts`` (one per id)."""
        bm25s = _import_bm25s()
        tok = tokenizer or Tokenizer()
        if not ids:
            return cls([], None, tok)
        model = bm25s.BM25(k1=1.2, b=0.75)
        model.index([tok(t) or [""] for t in texts], show_progress=False)
        return cls(list(ids), model, tok)

    @cached_property
    def digest(self) -> str:
        """Identifies the set of chunks covered (order-independent; computed once, since
        an index's ids never change after it is built)."""
        return ids_digest(self.ids)

    def position(self, chunk_id: str) -> int | None:
        """Row of ``chunk_id`` in this index."""
        return self._position.get(chunk_id)

    def scores(self, query: str) -> npt.NDArray[np.float32]:
        """BM25 score of every chunk for ``query`` (zeros when no word is known)."""
        if self._model is None:
            return np.zeros(0, dtype=np.float32)
        vocab = self._model.vocab_dict  # type: ignore[attr-defined]
        tokens = [t for t in self._tokenize(query) if t in vocab]
        if not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._model.get_scores(tokens), dtype=np.float32)  # type: ignore[attr-defined]

    def top(
        self, query: str, k: int, mask: npt.NDArray[np.bool_] | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` best (id, score) pairs with a positive score, optionally within ``mask``."""
        scores = self.scores(query)
        if scores.size == 0:
            return []
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(k, scores.size)
        idx = np.argpartition(-scores, k - 1)[:k]
        idx = idx[np.argsort(-scores[idx], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in idx if scores[i] > 0]

    def save(self, folder: Path) -> None:
        """Write the index to ``folder`` (replacing it atomically)."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._model is not None:
            self._model.save(str(tmp), show_progress=False)  # type: ignore[attr-defined]
        (tmp / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path, tokenizer: Tokenizer | None = None) -> KeywordIndex | None:
        """The saved index, or ``None`` when there is none or it is unreadable."""
        bm25s = _import_bm25s()
        ids_file = folder / "ids.json"
        if not ids_file.is_file():
            return None
        try:
            ids = list(json.loads(ids_file.read_text(encoding="utf-8")))
            model = bm25s.BM25.load(str(folder)) if ids else None
        except (OSError, ValueError):
            return None
        return cls(ids, model, tokenizer or Tokenizer())


def ids_digest(ids: Sequence[str]) -> str:
    """Order-independent digest of a set of chunk ids."""
    import hashlib

    h = hashlib.sha256()
    for cid in sorted(ids):
        h.update(cid.encode())
        h.update(b"\n")
    return h.hexdigest()[:32]
