"""The nouns of the ingest pipeline: a loaded document, its sections, and its chunks.

Data flow: file ─► ``LoadedDocument`` (metadata + ``Section``s) ─► ``Chunk``s ─► index.
Every value here is immutable; ids derive from content so re-indexing is idempotent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

#: The roles people hold at a site; documents may declare which of them they are for.
ROLES: tuple[str, ...] = ("agent", "team_lead", "manager", "quality", "wfm")


@dataclass(frozen=True)
class DocumentMeta:
    """Document-control metadata, whatever form the site recorded it in.

    All fields are optional: a document without a control block still ingests,
    with its file name as ``doc_id``.
    """

    doc_id: str | None = None
    title: str | None = None
    version: str | None = None
    owner: str | None = None
    effective_date: str | None = None
    client_approved: str | None = None
    approved_by: str | None = None
    program: str | None = None
    doc_type: str | None = None
    next_review: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """One headed part of a document.

    ``path`` is the chain of headings from the top level down to and including
    ``heading``. ``start``/``end`` are character offsets of ``text`` inside
    ``LoadedDocument.text``. ``page`` is the 1-based page where the section starts
    (PDF only).
    """

    heading: str
    path: tuple[str, ...]
    text: str
    start: int
    end: int
    page: int | None = None


@dataclass(frozen=True)
class LoadedDocument:
    """A file turned into clean text, metadata and sections."""

    file: str
    text: str
    meta: DocumentMeta
    sections: tuple[Section, ...]
    page_starts: tuple[int, ...] = ()
    """Character offsets where each PDF page starts in ``text`` (empty for other formats)."""


@dataclass(frozen=True)
class Chunk:
    """The unit that is embedded and searched. Never spans two sections."""

    chunk_id: str
    text: str
    file: str
    doc_id: str
    title: str
    section: str
    section_path: tuple[str, ...]
    start: int
    end: int
    page: int | None = None
    program: str | None = None
    doc_type: str | None = None
    version: str | None = None
    effective_date: str | None = None
    client_approved: str | None = None
    approved_by: str | None = None
    owner: str | None = None
    audience: tuple[str, ...] = ()
    """Roles the document is written for; empty means everyone."""

    def metadata(self) -> dict[str, Any]:
        """Flat, store-friendly metadata (no ``None`` values; paths joined with `` > ``)."""
        raw: dict[str, Any] = {
            "file": self.file,
            "doc_id": self.doc_id,
            "title": self.title,
            "section": self.section,
            "section_path": " > ".join(self.section_path),
            "start": self.start,
            "end": self.end,
            "page": self.page,
            "program": self.program,
            "doc_type": self.doc_type,
            "version": self.version,
            "effective_date": self.effective_date,
            "client_approved": self.client_approved,
            "approved_by": self.approved_by,
            "owner": self.owner,
        }
        out = {k: v for k, v in raw.items() if v is not None}
        out["audience"] = ", ".join(self.audience) if self.audience else "all"
        # One flag per role, so a role filter is a plain equality in every store.
        for role in ROLES:
            if not self.audience or role in self.audience:
                out[f"for_{role}"] = "yes"
        return out


def content_id(*parts: str, length: int = 24) -> str:
    """A stable id from content: the same parts always give the same id."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]
