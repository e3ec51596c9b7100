"""Keeping a saved bank in step with the documents.

For every saved question, by its source section (``doc_id``, file, section path):

    section gone                          → retired
    section text unchanged                → kept as it is (status included)
    section changed, same fact regenerated → old one retired (superseded); the new one
                                            takes over the old one's review status
    section changed, fact not regenerated  → stale (a person decides)

New questions from new or changed text are added as drafts (authored ones as approved).
Authored questions are re-read from their YAML each time; the YAML is their source of truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.embedding import Embedder
from assistant.questions.bank import Dropped, generate_questions
from assistant.questions.corpus import Catalog, Corpus
from assistant.questions.model import Question, Status
from assistant.questions.text import normalise


@dataclass
class RefreshResult:
    """The refreshed bank and what happened to each question id."""

    questions: list[Question]
    added: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)


def _fact_key(q: Question) -> tuple[str, tuple[str, str, str], str]:
    return (q.type, q.section_key, normalise(q.fact))


def refresh(
    bank: Sequence[Question],
    catalog: Catalog,
    *,
    embedder: Embedder | None = None,
    authored_dir: Path | None = None,
) -> RefreshResult:
    """Mark questions whose source changed or vanished, and regenerate from the new text.

    Args:
        bank: The saved questions.
        catalog: The index catalog now.
        embedder: The index's embedder (for areas of new questions).
        authored_dir: Folder of authored YAML questions.
    """
    sections = Corpus.from_catalog(catalog).by_key()
    fresh = generate_questions(catalog, embedder=embedder, authored_dir=authored_dir)
    fresh_by_id = {q.id: q for q in fresh.questions}
    fresh_by_fact = {_fact_key(q): q for q in fresh.questions if q.origin == "generated"}
    result = RefreshResult(questions=[], dropped=fresh.dropped)
    taken: set[str] = set()
    for old in bank:
        section = sections.get(old.section_key)
        if old.origin == "authored" and old.id in fresh_by_id:
            result.questions.append(fresh_by_id[old.id])
            result.kept.append(old.id)
            taken.add(old.id)
        elif old.status == "retired":
            result.questions.append(old)
        elif section is None:
            result.questions.append(old.with_status("retired"))
            result.retired.append(old.id)
        elif section.source_hash == old.source_hash:
            result.questions.append(old)
            result.kept.append(old.id)
            taken.add(old.id)
        else:
            new = fresh_by_fact.get(_fact_key(old)) if old.origin == "generated" else None
            if new is not None and new.id not in taken:
                result.questions.append(old.with_status("retired"))
                result.retired.append(old.id)
                # A review decision carries over; a "stale" mark does not (the text is new).
                status: Status = old.status if old.status in ("approved", "draft") else "draft"
                result.questions.append(new.with_status(status))
                result.added.append(new.id)
                taken.add(new.id)
            else:
                result.questions.append(old.with_status("stale"))
                result.stale.append(old.id)
    known = {q.id for q in bank}
    for q in fresh.questions:
        if q.id not in taken and q.id not in known:
            result.questions.append(q)
            result.added.append(q.id)
    return result
