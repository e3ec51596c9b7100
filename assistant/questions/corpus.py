"""A read-only view of the index catalog as documents, sections and sentences.

The catalog holds chunks (``chunk_id → metadata + text``); questions are about sections.
Chunks of one section are grouped back together here, and each section gets a
``source_hash`` so the bank can tell when the text a question was drawn from changed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from assistant.answering import split_sentences
from assistant.questions.text import collapse, contains, normalise

Catalog = Mapping[str, Mapping[str, Any]]
SectionKey = tuple[str, str, str]
"""``(doc_id, file, section path joined with " > ")``."""

_CONTROL_LINE = re.compile(
    r"^\s*(document id|doc id|title|version|owner|effective date|approved by( client)?|"
    r"client approval|program|programme|document type|next review)\s*[|:]",
    re.I | re.M,
)
_LIST_MARK = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)]|[a-h][.)])\s+")
_SKIP_SECTIONS = re.compile(r"\b(related documents|interview questions|references)\b", re.I)
_PAGE_FOOTER = re.compile(r"uncontrolled when printed|^page \d+$", re.I)


@dataclass(frozen=True)
class ChunkView:
    """One indexed chunk of a section."""

    chunk_id: str
    text: str
    start: int


@dataclass(frozen=True)
class Sentence:
    """A sentence (or list item) of a section, with the chunk it came from."""

    text: str
    """Whitespace collapsed, list marker removed."""
    chunk_id: str


@dataclass(frozen=True)
class SectionView:
    """A section of an indexed document, rebuilt from its chunks."""

    doc_id: str
    file: str
    title: str
    section: str
    section_path: tuple[str, ...]
    program: str | None
    doc_type: str | None
    version: str | None
    approved_by: str | None
    client_approved: str | None
    owner: str | None
    file_key: str | None
    chunks: tuple[ChunkView, ...]

    @property
    def key(self) -> SectionKey:
        """Identity of the section across index rebuilds."""
        return (self.doc_id, self.file, " > ".join(self.section_path))

    @property
    def text(self) -> str:
        """The section's text, chunks in document order."""
        return "\n\n".join(c.text for c in self.chunks)

    @property
    def source_hash(self) -> str:
        """Hash of the section text: it changes whenever the section's wording changes."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]

    @property
    def is_criteria_note(self) -> bool:
        """A COPC criteria note (our words about the standard), not a site document."""
        return self.doc_type == "criteria-note"

    @property
    def is_control_block(self) -> bool:
        """The document-control block at the top of a document."""
        return len(_CONTROL_LINE.findall(self.text)) >= 3

    @property
    def is_statement_source(self) -> bool:
        """Sections whose sentences may become questions (not control blocks or link lists)."""
        return not self.is_control_block and not _SKIP_SECTIONS.search(self.section)

    def chunk_with(self, quote: str) -> ChunkView | None:
        """The chunk whose text contains ``quote`` (whitespace-insensitive)."""
        return next((c for c in self.chunks if contains(c.text, quote)), None)

    def sentences(self) -> list[Sentence]:
        """All sentences and list items, whitespace collapsed, in document order."""
        out: list[Sentence] = []
        for chunk in self.chunks:
            for a, b in split_sentences(chunk.text):
                text = collapse(_LIST_MARK.sub("", chunk.text[a:b]))
                if text:
                    out.append(Sentence(text, chunk.chunk_id))
        return out

    def statements(self, *, min_chars: int = 30, max_chars: int = 240) -> list[Sentence]:
        """Sentences that read as a standalone statement of fact."""
        if not self.is_statement_source:
            return []
        headings = {normalise(h) for h in self.section_path}
        out = []
        for s in self.sentences():
            t = s.text
            if not min_chars <= len(t) <= max_chars or len(t.split()) < 6:
                continue
            if (
                "|" in t
                or t.endswith((":", "?", '?"', "?”"))
                or not (t[0].isupper() or t[0].isdigit())
            ):
                continue
            if normalise(t) in headings or _CONTROL_LINE.match(t) or _PAGE_FOOTER.search(t):
                continue
            out.append(s)
        return out


@dataclass(frozen=True)
class DocumentView:
    """An indexed document: its control metadata and sections in order."""

    doc_id: str
    file: str
    title: str
    program: str | None
    doc_type: str | None
    sections: tuple[SectionView, ...]

    @property
    def first(self) -> SectionView:
        """The first section (where the control block usually is)."""
        return self.sections[0]


@dataclass
class Corpus:
    """Documents and sections of an index catalog."""

    sections: list[SectionView]
    documents: dict[str, DocumentView] = field(default_factory=dict)

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> Corpus:
        """Group a catalog's chunks into sections and documents."""
        groups: dict[SectionKey, list[tuple[str, Mapping[str, Any]]]] = {}
        for chunk_id, meta in catalog.items():
            key = (
                str(meta.get("doc_id") or meta.get("file", "")),
                str(meta.get("file", "")),
                str(meta.get("section_path") or meta.get("section", "")),
            )
            groups.setdefault(key, []).append((chunk_id, meta))
        sections = [_section(items) for items in groups.values()]
        sections.sort(key=lambda s: (s.file_key or s.file, s.doc_id, s.chunks[0].start))
        docs: dict[str, list[SectionView]] = {}
        for s in sections:
            docs.setdefault(s.doc_id, []).append(s)
        documents = {
            doc_id: DocumentView(
                doc_id=doc_id,
                file=secs[0].file,
                title=secs[0].title,
                program=secs[0].program,
                doc_type=secs[0].doc_type,
                sections=tuple(secs),
            )
            for doc_id, secs in docs.items()
        }
        return cls(sections=sections, documents=documents)

    def by_key(self) -> dict[SectionKey, SectionView]:
        """Sections by :attr:`SectionView.key`."""
        return {s.key: s for s in self.sections}

    def site_sections(self) -> Iterator[SectionView]:
        """Sections of the site's own documents (criteria notes left out)."""
        return (s for s in self.sections if not s.is_criteria_note)

    def find_section(
        self, doc_id: str, section: str, *, file: str | None = None, quote: str | None = None
    ) -> SectionView | None:
        """The section of ``doc_id`` whose heading (or full path) is ``section``.

        With several candidates, the one containing ``quote`` wins.
        """
        wanted = normalise(section)
        found = [
            s
            for s in self.sections
            if s.doc_id == doc_id
            and (file is None or s.file == file)
            and wanted in {normalise(s.section), normalise(" > ".join(s.section_path))}
        ]
        if quote is not None:
            with_quote = [s for s in found if s.chunk_with(quote) is not None]
            found = with_quote or found
        return found[0] if found else None


def _section(items: list[tuple[str, Mapping[str, Any]]]) -> SectionView:
    items = sorted(items, key=lambda kv: int(kv[1].get("start", 0)))
    meta = items[0][1]
    path = tuple(p for p in str(meta.get("section_path", "")).split(" > ") if p)

    def opt(name: str) -> str | None:
        value = meta.get(name)
        return str(value) if value is not None else None

    return SectionView(
        doc_id=str(meta.get("doc_id") or meta.get("file", "")),
        file=str(meta.get("file", "")),
        title=str(meta.get("title") or meta.get("file", "")),
        section=str(meta.get("section", "")),
        section_path=path or (str(meta.get("section", "")),),
        program=opt("program"),
        doc_type=opt("doc_type"),
        version=opt("version"),
        approved_by=opt("approved_by"),
        client_approved=opt("client_approved"),
        owner=opt("owner"),
        file_key=opt("file_key"),
        chunks=tuple(
            ChunkView(chunk_id=cid, text=str(m.get("text", "")), start=int(m.get("start", 0)))
            for cid, m in items
        ),
    )
