"""Sections into chunks: a chunk never spans two sections.

A short section is one chunk. A long one is split on paragraph boundaries, and a
paragraph longer than the limit on sentence boundaries, so every chunk is a run of
whole sentences with its exact character span in the document.
"""

from __future__ import annotations

import re
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


def _pieces(text: str, start: int, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Spans of ``text`` (offset by ``start``) cut at ``pattern``, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for match in pattern.finditer(text):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(text)))
    out: list[tuple[int, int]] = []
    for a, b in spans:
        piece = text[a:b]
        stripped = piece.strip()
        if not stripped:
            continue
        lead = len(piece) - len(piece.lstrip())
        out.append((start + a + lead, start + a + lead + len(stripped)))
    return out


def _hard_split(a: int, b: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut an unbreakable run (no sentence ends) at ``max_chars``."""
    return [(i, min(i + max_chars, b)) for i in range(a, b, max_chars)]


def split_section(section: Section, params: ChunkingParams) -> list[tuple[int, int]]:
    """Character spans (document offsets) of the chunks of one section."""
    text = section.text
    if len(text.strip()) <= params.max_chars:
        pieces = _pieces(text, section.start, re.compile(r"\A\Z"))
        return pieces or [(section.start, section.end)]
    units: list[tuple[int, int]] = []
    for a, b in _pieces(text, section.start, _PARAGRAPH):
        if b - a <= params.max_chars:
            units.append((a, b))
            continue
        for sa, sb in _pieces(text[a - section.start : b - section.start], a, _SENTENCE_END):
            units.extend(
                _hard_split(sa, sb, params.max_chars) if sb - sa > params.max_chars else [(sa, sb)]
            )
    chunks: list[tuple[int, int]] = []
    cur_a, cur_b = units[0]
    for a, b in units[1:]:
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
    for section in doc.sections:
        for index, (a, b) in enumerate(split_section(section, params)):
            text = doc.text[a:b]
            chunk_id = content_id(file_key, " > ".join(section.path), str(index), text)
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
    """1-based page that holds ``offset`` in a paged document."""
    page = 1
    for number, start in enumerate(doc.page_starts, start=1):
        if start <= offset:
            page = number
        else:
            break
    return page


def embedding_text(chunk: Chunk) -> str:
    """What is embedded and keyword-indexed: the heading path gives the chunk its context."""
    heading = " > ".join(p for p in chunk.section_path if p) or chunk.section
    prefix = chunk.title if chunk.title and chunk.title not in heading else ""
    head = f"{prefix} | {heading}" if prefix else heading
    return f"{head}\n{chunk.text}"
