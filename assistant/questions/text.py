"""Small text helpers shared by the generators, the answerability check and the linter."""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+")
STOPWORDS: frozenset[str] = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "by",
        "with",
        "at",
        "from",
        "as",
        "is",
        "are",
        "be",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "only",
        "both",
        "either",
        "none",
        "all",
        "any",
        "each",
        "every",
        "per",
        "than",
        "then",
    ]
)


def collapse(text: str) -> str:
    """Whitespace runs (line wraps included) to single spaces, trimmed."""
    return _SPACE.sub(" ", text).strip()


def normalise(text: str) -> str:
    """Text for comparison: whitespace collapsed, quotes and dashes straightened, lower case."""
    return collapse(text.translate(_QUOTES)).lower()


def contains(haystack: str, needle: str) -> bool:
    """True when ``needle`` occurs in ``haystack`` after :func:`normalise` on both."""
    return normalise(needle) in normalise(haystack)


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def tokens(text: str) -> list[str]:
    """Numbers and words (lower case, plural ``s`` dropped) in order."""
    return [_stem(t) for t in _TOKEN.findall(normalise(text))]


def content_tokens(text: str) -> set[str]:
    """:func:`tokens` without stop words."""
    return {t for t in tokens(text) if t not in STOPWORDS}


def missing_terms(answer: str, evidence: str) -> list[str]:
    """Numbers and content words of ``answer`` that do not occur in ``evidence``."""
    have = set(tokens(evidence))
    return sorted(t for t in content_tokens(answer) if t not in have)
