"""The answer the assistant gives: text with ``[n]`` markers, citations, or an abstention."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.retrieval import Hit


@dataclass(frozen=True)
class Citation:
    """One cited section and the exact sentence(s) quoted from it."""

    n: int
    file: str
    section: str
    section_path: list[str]
    doc_id: str
    page: int | None
    version: str | None
    effective_date: str | None
    client_approved: str | None
    approved_by: str | None
    program: str | None
    quote: str
    score: float
    chunk_id: str

    @classmethod
    def from_hit(cls, n: int, hit: Hit, quote: str) -> Citation:
        """Cite ``hit`` with ``quote`` (which must be a verbatim part of ``hit.text``)."""
        meta = hit.metadata
        return cls(
            n=n,
            file=hit.file,
            section=hit.section,
            section_path=hit.section_path,
            doc_id=hit.doc_id,
            page=hit.page,
            version=meta.get("version"),
            effective_date=meta.get("effective_date"),
            client_approved=meta.get("client_approved"),
            approved_by=meta.get("approved_by"),
            program=meta.get("program"),
            quote=quote,
            score=round(hit.score, 6),
            chunk_id=hit.chunk_id,
        )

    def as_json(self) -> dict[str, Any]:
        """The citation as printed by ``copc ask --json``."""
        return {
            "n": self.n,
            "file": self.file,
            "section": self.section,
            "section_path": self.section_path,
            "doc_id": self.doc_id,
            "page": self.page,
            "version": self.version,
            "effective_date": self.effective_date,
            "client_approved": self.client_approved,
            "approved_by": self.approved_by,
            "program": self.program,
            "quote": self.quote,
            "score": self.score,
        }


@dataclass(frozen=True)
class Answer:
    """What ``ask`` returns.

    ``text`` holds sentences each ending with ``[n]`` markers that point into ``citations``.
    When ``abstained`` is true, ``text`` says plainly that there is no evidence, ``citations``
    is empty and ``closest`` lists the nearest sections (not as evidence).
    """

    question: str
    text: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    closest: list[Hit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    generator: str = "extractive"
    latency_ms: float = 0.0

    def as_json(self) -> dict[str, Any]:
        """The object printed by ``copc ask --json`` (DESIGN §6, plus ``closest`` and ``notes``)."""
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [c.as_json() for c in self.citations],
            "closest": [h.as_json(rank) for rank, h in enumerate(self.closest, start=1)],
            "notes": self.notes,
            "generator": self.generator,
            "latency_ms": round(self.latency_ms, 1),
        }
