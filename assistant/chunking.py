"""Sections into chunks: a chunk never spans two sections.

A short section is one chunk. A long one is split on paragraph boundaries, and a
paragraph longer than the limit on sentence boundaries, so every chunk is a run of
whole sentences with its exact character span in the document.

Spans are streamed and merged as they are found, so memory follows the number of chunks,
not the number of sentences (a 20 MB line of "Word. Word. ..." is four million sentences).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.documents import ROLES, Chunk, LoadedDocument, Section, content_id

_PARAGRAPH = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[\"'(\[]?[A-Z0-9•\-])|\n")
_SLUG = re.compile(r"[^a-z0-9]+")

SITE_WIDE = "site-wide"


@dataclass(frozen=True)
class ChunkingParams:
    """How sections are cut. Recorded in the index manifest."""

    max_chars: int = 1200
    min_chars: int = 200

    def as_dict(self) -> dict[str, int]:
        """The parameters as a plain dict (for the manifest)."""
        return {"max_chars": self.max_chars, "min_chars": self.min_chars}


def slug(value: str) -> str:
    """``"Harbor Bank"`` → ``"harbor-bank"``."""
    return _SLUG.sub("-", value.lower()).strip("-")


def normalise_program(value: str | None) -> str:
    """A program name as a slug; missing or site-wide values become ``site-wide``."""
    if not value:
        return SITE_WIDE
    s = slug(value)
    if s in {"", "all", "all-programs", "site", "sitewide", "site-wide", "both", "none", "n-a"}:
        return SITE_WIDE
    return s


_ROLE_WORDS: dict[str, str] = {
    "agent": "agent",
    "agents": "agent",
    "advisor": "agent",
    "advisors": "agent",
    "team-lead": "team_lead",
    "team-leads": "team_lead",
    "tl": "team_lead",
    "tls": "team_lead",
    "supervisor": "team_lead",
    "supervisors": "team_lead",
    "manager": "manager",
    "managers": "manager",
    "operations-manager": "manager",
    "operations-managers": "manager",
    "site-director": "manager",
    "management": "manager",
    "quality": "quality",
    "qa": "quality",
    "quality-team": "quality",
    "quality-analysts": "quality",
    "wfm": "wfm",
    "workforce-management": "wfm",
    "workforce": "wfm",
    "planners": "wfm",
}


def normalise_role(value: str) -> str | None:
    """``"Team leads"`` → ``"team_lead"``; ``None`` for a word that names no known role."""
    s = slug(value)
    role = _ROLE_WORDS.get(s, s.replace("-", "_"))
    return role if role in ROLES else None


def parse_audience(value: str | None) -> tuple[str, ...]:
    """Roles named in a document's ``Audience`` field; empty (everyone) when absent or "all"."""
    if not value or slug(value) in {"all", "everyone", "all-staff", "all-roles"}:
        return ()
    roles = {normalise_role(part) for part in re.split(r"[,;/]| and ", value)}
    return tuple(r for r in ROLES if r in roles)


def _pieces(text: str, start: int, pattern: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    """Spans of ``text`` (offset by ``start``) cut at ``pattern``, whitespace trimmed."""
    pos = 0
    for match in pattern.finditer(text):
        yield from _trimmed(text, start, pos, match.start())
        pos = match.end()
    yield from _trimmed(text, start, pos, len(text))


def _trimmed(text: str, start: int, a: int, b: int) -> Iterator[tuple[int, int]]:
    """The span ``text[a:b]`` without surrounding whitespace (nothing when blank)."""
    piece = text[a:b]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        yield (start + a + lead, start + a + lead + len(stripped))


def _hard_split(
    text: str, offset: int, a: int, b: int, max_chars: int
) -> Iterator[tuple[int, int]]:
    """Cut a run without sentence ends (``text[a - offset : b - offset]``) into pieces of at
    most ``max_chars``: at the last space of each window, so words stay whole, else at the
    limit; pieces never start or end with whitespace."""
    while b - a > max_chars:
        window = text[a - offset : a - offset + max_chars + 1]
        cut = max(window.rfind(" "), window.rfind("\n"))
        if cut <= 0:
            yield (a, a + max_chars)
            a += max_chars
            continue
        yield (a, a + len(window[:cut].rstrip()))
        a += cut
        while a < b and text[a - offset].isspace():
            a += 1
    if b > a:
        yield (a, b)


def split_section(section: Section, params: ChunkingParams) -> list[tuple[int, int]]:
    """Character spans (document offsets) of the chunks of one section."""
    text = section.text
    if len(text.strip()) <= params.max_chars:
        pieces = list(_pieces(text, section.start, re.compile(r"\A\Z")))
        return pieces or [(section.start, section.end)]
    units = _units(section, params)
    chunks: list[tuple[int, int]] = []
    cur_a, cur_b = next(units)  # the section has text, so at least one unit
    for a, b in units:
        if b - cur_a <= params.max_chars:
            cur_b = b
        else:
            chunks.append((cur_a, cur_b))
            cur_a, cur_b = a, b
    chunks.append((cur_a, cur_b))
    # A tiny tail reads badly on its own: fold it into the previous chunk when that fits.
    if len(chunks) > 1 and chunks[-1][1] - chunks[-1][0] < params.min_chars:
        last_a, last_b = chunks.pop()
        prev_a, _ = chunks.pop()
        if last_b - prev_a <= params.max_chars + params.min_chars:
            chunks.append((prev_a, last_b))
        else:
            chunks.extend([(prev_a, last_a), (last_a, last_b)])
    return chunks


def _units(section: Section, params: ChunkingParams) -> Iterator[tuple[int, int]]:
    """Paragraphs that fit; sentences of those that do not; hard cuts of longer sentences."""
    text = section.text
    for a, b in _pieces(text, section.start, _PARAGRAPH):
        if b - a <= params.max_chars:
            yield (a, b)
            continue
        for sa, sb in _pieces(text[a - section.start : b - section.start], a, _SENTENCE_END):
            if sb - sa > params.max_chars:
                yield from _hard_split(text, section.start, sa, sb, params.max_chars)
            else:
                yield (sa, sb)


def chunk_document(doc: LoadedDocument, params: ChunkingParams, *, file_key: str) -> list[Chunk]:
    """All chunks of a document, in order, with citation metadata.

    ``file_key`` identifies the file in the index (its resolved path); it goes into the
    chunk id so two files never share chunk ids.
    """
    meta = doc.meta
    doc_id = meta.doc_id or doc.file
    title = meta.title or (doc.sections[0].heading if doc.sections else doc.file)
    program = normalise_program(meta.program)
    doc_type = slug(meta.doc_type) if meta.doc_type else None
    audience = parse_audience(meta.extra.get("audience") or meta.extra.get("roles"))
    chunks: list[Chunk] = []
    repeats: dict[str, int] = {}
    for section in doc.sections:
        for index, (a, b) in enumerate(split_section(section, params)):
            text = doc.text[a:b]
            chunk_id = content_id(file_key, " > ".join(section.path), str(index), text)
            # A section repeated word for word under the same headings would share ids (and
            # the store refuses a batch with duplicates): later copies get their own.
            seen = repeats.get(chunk_id, 0)
            repeats[chunk_id] = seen + 1
            if seen:
                chunk_id = content_id(chunk_id, str(seen))
            chunks.append(
                Chunk(
                    chunk_id=chunk_id,
                    text=text,
                    file=doc.file,
                    doc_id=doc_id,
                    title=title,
                    section=section.heading,
                    section_path=section.path,
                    start=a,
                    end=b,
                    page=_page_at(doc, a) if doc.page_starts else section.page,
                    program=program,
                    doc_type=doc_type,
                    version=meta.version,
                    effective_date=meta.effective_date,
                    client_approved=meta.client_approved,
                    approved_by=meta.approved_by,
                    owner=meta.owner,
                    audience=audience,
                )
            )
    return chunks


def _page_at(doc: LoadedDocument, offset: int) -> int:
    """1-based page that holds ``offset`` in a paged document (page starts are sorted)."""
    return max(1, bisect_right(doc.page_starts, offset))


def embedding_text(chunk: Chunk) -> str:
    """What is embedded and keyword-indexed: the heading path gives the chunk its context."""
    heading = " > ".join(p for p in chunk.section_path if p) or chunk.section
    prefix = chunk.title if chunk.title and chunk.title not in heading else ""
    head = f"{prefix} | {heading}" if prefix else heading
    return f"{head}\n{chunk.text}"
