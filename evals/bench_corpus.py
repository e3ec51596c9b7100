"""Synthetic distractor documents that grow an index to a chosen size for the scale benchmark.

A distractor section is one or two sentences recombined from documents nobody here wrote:
the GSA contact-center guidelines (the same domain as the site: service levels, quality,
staffing) and SciFact abstracts (off-topic text). They are hard negatives for the site gold
set without holding its answers, so hit@5 with distractors present measures how well the
right site section survives a crowd.

Generation is deterministic: file ``i`` depends only on the seed and ``i``, so a larger
level contains every file of a smaller one and their vectors are computed once (see
:mod:`evals.bench_cache`). Each file has :data:`SECTIONS_PER_FILE` sections under its
title (from front matter); every section is short enough to be exactly one chunk, and short
(about 130 to 600 characters) because embedding 100,000 of them is the benchmark's slowest step.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.chunking import ChunkingParams, chunk_document
from assistant.documents import Chunk
from assistant.errors import AssistantError
from assistant.loaders import load_document

SECTIONS_PER_FILE = 100
SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
GSA_DOCS = SHARED_DATA / "gsa-contact-center-guidelines" / "docs"
SCIFACT = SHARED_DATA / "beir-scifact"
#: Share of sentences drawn from the contact-center guidelines (the rest from SciFact).
DOMAIN_SHARE = 0.2
_PROGRAMS = ("Harbor Bank", "Lumen Telecom", "Site-wide")
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"'(]?[A-Z])")
_WORD = re.compile(r"[A-Za-z][A-Za-z-]+")


@dataclass(frozen=True)
class SentencePool:
    """Sentences to recombine: in-domain (contact centers) and off-topic (science)."""

    domain: tuple[str, ...]
    other: tuple[str, ...]

    @property
    def digest(self) -> str:
        """Identifies the pool's content (part of a generated corpus's identity)."""
        h = hashlib.sha256()
        for sentence in (*self.domain, "\0", *self.other):
            h.update(sentence.encode() + b"\n")
        return h.hexdigest()[:16]


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        flat = " ".join(paragraph.split())
        for sentence in _SPLIT.split(flat):
            if 40 <= len(sentence) <= 300 and sentence[-1] in ".!?" and "|" not in sentence:
                out.append(sentence)
    return out


def load_pool(
    gsa_docs: Path = GSA_DOCS, scifact: Path = SCIFACT, *, max_abstracts: int | None = None
) -> SentencePool:
    """Sentences from the GSA guidelines (read by the product's loaders) and SciFact abstracts.

    Raises:
        AssistantError: a source folder is missing.
    """
    if not gsa_docs.is_dir() or not (scifact / "corpus.jsonl").is_file():
        raise AssistantError(
            f"distractor sources not found ({gsa_docs}, {scifact / 'corpus.jsonl'}); "
            "pass --data pointing at the shared data folder"
        )
    domain: list[str] = []
    for path in sorted(gsa_docs.glob("*.md")):
        domain.extend(_sentences(load_document(path).text))
    other: list[str] = []
    with (scifact / "corpus.jsonl").open(encoding="utf-8") as fh:
        for number, line in enumerate(fh):
            if max_abstracts is not None and number >= max_abstracts:
                break
            other.extend(_sentences(str(json.loads(line).get("text", ""))))
    return SentencePool(tuple(dict.fromkeys(domain)), tuple(dict.fromkeys(other)))


def _heading(sentence: str, rng: random.Random) -> str:
    words = _WORD.findall(sentence)
    pick = words[: rng.randint(2, 4)] or ["Notes"]
    return " ".join(pick).capitalize()


def _section_body(pool: SentencePool, rng: random.Random) -> str:
    parts: list[str] = []
    while len(parts) < 2 and sum(len(p) + 1 for p in parts) < 120:
        source = pool.domain if rng.random() < DOMAIN_SHARE else pool.other
        parts.append(source[rng.randrange(len(source))])
    return " ".join(parts)


def distractor_file(pool: SentencePool, number: int, sections: int, seed: int) -> str:
    """The Markdown text of distractor file ``number`` with its first ``sections`` sections."""
    rng = random.Random(f"{seed}:{number}")
    program = _PROGRAMS[rng.randrange(len(_PROGRAMS))]
    bodies = [_section_body(pool, rng) for _ in range(SECTIONS_PER_FILE)]
    headings = [f"{n}. {_heading(body, rng)}" for n, body in enumerate(bodies, start=1)]
    title = f"Notes {number:05d}"
    lines = [
        "---",
        f"title: {json.dumps(title)}",
        f"doc_id: SYN-{number:05d}",
        'version: "1.0"',
        f"program: {program}",
        "doc_type: Reference",
        "---",
        "",
    ]
    for heading, body in list(zip(headings, bodies, strict=True))[:sections]:
        lines += [f"## {heading}", "", body, ""]
    return "\n".join(lines)


@dataclass(frozen=True)
class DistractorSet:
    """Distractor files written to a folder, and their chunks."""

    folder: Path
    files: list[Path]
    chunks: list[Chunk]


def write_distractors(
    pool: SentencePool, folder: Path, n_chunks: int, *, seed: int = 7, params: ChunkingParams
) -> DistractorSet:
    """Write files holding ``n_chunks`` distractor sections into ``folder`` (kept when present).

    Files already there with the same content are left untouched, so an index built from
    the folder re-ingests nothing on the next run; files beyond the size are removed.
    """
    folder.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    chunks: list[Chunk] = []
    for number, sections in _layout(n_chunks):
        path = folder / f"notes-{number:05d}.md"
        text = distractor_file(pool, number, sections, seed)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        files.append(path)
        chunks.extend(chunk_document(load_document(path), params, file_key=str(path.resolve())))
    keep = set(files)
    for stale in folder.glob("notes-*.md"):
        if stale not in keep:
            stale.unlink()
    return DistractorSet(folder, files, chunks)


def _layout(n_chunks: int) -> Iterator[tuple[int, int]]:
    """(file number, sections) pairs covering ``n_chunks`` sections."""
    number = 0
    left = max(n_chunks, 0)
    while left > 0:
        take = min(SECTIONS_PER_FILE, left)
        yield number, take
        left -= take
        number += 1
