"""Building the bank: generated + authored questions, deduplicated and checked, saved as JSON Lines.

catalog ─► Corpus ─► generators ─┐
corpus/questions/*.yaml ─────────┴─► assemble: authored first, generated on the same
                                     fact dropped, duplicates dropped, every question
                                     answerable and lint-clean (failures dropped with
                                     a logged reason) ─► questions.jsonl
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from assistant.embedding import Embedder
from assistant.questions.areas import AreaMapper, CachedEmbedder
from assistant.questions.authored import load_authored
from assistant.questions.corpus import Catalog, Corpus
from assistant.questions.generators import GENERATORS, GenContext, Generator
from assistant.questions.linter import lint, lint_question
from assistant.questions.model import Question, QuestionBankError
from assistant.questions.text import normalise

if TYPE_CHECKING:
    from assistant.app import Assistant
    from assistant.config import Settings
    from assistant.questions.staleness import RefreshResult

log = logging.getLogger(__name__)

BANK_FILE = "questions.jsonl"
AUTHORED_FOLDER = "questions"


@dataclass(frozen=True)
class Dropped:
    """A question left out of the bank, and why."""

    question_id: str
    type: str
    reason: str


@dataclass
class GenerationResult:
    """The bank's questions and what was left out."""

    questions: list[Question]
    dropped: list[Dropped] = field(default_factory=list)

    def counts_by_type(self) -> dict[str, int]:
        """Questions per type."""
        return dict(sorted(Counter(q.type for q in self.questions).items()))

    def counts_by_area(self) -> dict[str, int]:
        """Questions per COPC area."""
        return dict(sorted(Counter(q.area for q in self.questions).items()))


def generate_questions(
    catalog: Catalog,
    *,
    embedder: Embedder | None = None,
    authored_dir: Path | None = None,
    generators: Sequence[Generator] = GENERATORS,
) -> GenerationResult:
    """Generate, load authored questions, and assemble a checked bank.

    Args:
        catalog: The index catalog (``ChunkIndex.catalog``).
        embedder: The index's embedder, used to map sections to COPC areas; keywords
            alone are used without it.
        authored_dir: Folder of authored YAML questions (none when not given).
        generators: The generators to run (all by default).
    """
    corpus = Corpus.from_catalog(catalog)
    ctx = GenContext.build(corpus, AreaMapper(corpus, embedder))
    generated = [q for generate in generators for q in generate(ctx)]
    authored, rejected = load_authored(authored_dir, corpus) if authored_dir else ([], [])
    result = assemble(generated, authored, corpus)
    result.dropped[:0] = [Dropped(r.where, "authored", r.reason) for r in rejected]
    return result


def _answer_keys(q: Question) -> set[str]:
    keys = {normalise(q.fact)}
    if q.type != "true_false":
        keys.add(normalise(q.correct_text))
    return keys - {""}


def assemble(
    generated: Iterable[Question], authored: Iterable[Question], corpus: Corpus | None = None
) -> GenerationResult:
    """Authored questions first; generated ones on the same fact (same source sentence, or
    the same answer in the same section) are dropped; then duplicates and every question
    failing the answerability check or the linter."""
    dropped: list[Dropped] = []
    kept: list[Question] = []
    for q in authored:
        issues = lint_question(q, corpus)
        if issues:
            dropped.append(
                Dropped(q.id, q.type, "; ".join(f"{i.rule}: {i.message}" for i in issues))
            )
        else:
            kept.append(q)
    quotes = {(q.citation.doc_id, normalise(q.citation.quote)): q.id for q in kept}
    answers = {(q.section_key, key): q.id for q in kept for key in _answer_keys(q)}
    ids = {q.id for q in kept}
    candidates: list[Question] = []
    for q in generated:
        by_quote = quotes.get((q.citation.doc_id, normalise(q.citation.quote)))
        by_answer = next(
            (answers[(q.section_key, k)] for k in _answer_keys(q) if (q.section_key, k) in answers),
            None,
        )
        winner = by_quote or by_answer
        if winner:
            dropped.append(
                Dropped(q.id, q.type, f"authored question {winner} covers the same fact")
            )
        elif q.id in ids:
            dropped.append(Dropped(q.id, q.type, "duplicate id"))
        else:
            ids.add(q.id)
            candidates.append(q)
    issues_by_id: dict[str, list[str]] = {}
    for issue in lint([*kept, *candidates], corpus):
        issues_by_id.setdefault(issue.question_id, []).append(f"{issue.rule}: {issue.message}")
    for q in candidates:
        if q.id in issues_by_id:
            dropped.append(Dropped(q.id, q.type, "; ".join(issues_by_id[q.id])))
        else:
            kept.append(q)
    for d in dropped:
        log.info("question %s (%s) dropped: %s", d.question_id, d.type, d.reason)
    return GenerationResult(questions=kept, dropped=dropped)


class QuestionBank:
    """The question bank of one site: generation, persistence and refresh.

    Review statuses (approved, retired) are decisions people made, so they carry over to
    regenerated questions with the same id.
    """

    def __init__(self, path: Path, *, authored_dir: Path | None = None) -> None:
        self.path = path
        self.authored_dir = authored_dir
        self.dropped: list[Dropped] = []
        self._embedder: CachedEmbedder | None = None

    def _cached(self, embedder: Embedder) -> CachedEmbedder:
        """The index's embedder behind a cache kept for this bank's lifetime."""
        if self._embedder is None or self._embedder.inner is not embedder:
            self._embedder = CachedEmbedder(embedder)
        return self._embedder

    @classmethod
    def from_settings(cls, settings: Settings) -> QuestionBank:
        """The bank at ``COPC_HOME/questions.jsonl``, authored questions from the corpus."""
        return cls(settings.home / BANK_FILE, authored_dir=settings.corpus_dir / AUTHORED_FOLDER)

    def generate(self, assistant: Assistant) -> list[Question]:
        """Generated + authored questions from the assistant's index (not saved).

        Questions that were dropped are in :attr:`dropped` with the reason.
        """
        result = generate_questions(
            assistant.index.catalog,
            embedder=self._cached(assistant.index.embedder),
            authored_dir=self.authored_dir,
        )
        self.dropped = result.dropped
        statuses = {q.id: q.status for q in self.load()} if self.path.is_file() else {}
        return [
            q.with_status(statuses[q.id]) if q.id in statuses and q.origin == "generated" else q
            for q in result.questions
        ]

    def refresh(self, assistant: Assistant) -> RefreshResult:
        """Bring the saved bank in line with the index, save it, and say what changed."""
        from assistant.questions.staleness import refresh

        result = refresh(
            self.load(),
            assistant.index.catalog,
            embedder=self._cached(assistant.index.embedder),
            authored_dir=self.authored_dir,
        )
        self.dropped = result.dropped
        self.save(result.questions)
        return result

    def save(self, questions: Iterable[Question]) -> None:
        """Write the bank as JSON Lines, atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".jsonl.tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for q in questions:
                fh.write(q.model_dump_json() + "\n")
        os.replace(tmp, self.path)

    def load(self) -> list[Question]:
        """The saved bank (empty when nothing was saved yet).

        Raises:
            QuestionBankError: a line is not a valid question.
        """
        if not self.path.is_file():
            return []
        out = []
        with self.path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    out.append(Question.model_validate_json(line))
                except ValidationError as exc:
                    raise QuestionBankError(
                        f"{self.path} line {n} is not a valid question "
                        f"({exc.error_count()} errors); regenerate with `copc questions generate`"
                    ) from exc
        return out
