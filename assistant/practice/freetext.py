"""Grading a free-text interview answer against the cited evidence.

The score (0..100) weighs two things an assessor weighs: whether the answer states the key
facts of the cited sections (figures, methods, owners, documents) and whether it is about
the same thing as the model answer (semantic similarity of the two, with the index's
embedding model). Facts weigh most: a fluent answer with the wrong figures is not right.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.answers import Citation
from assistant.embedding import Embedder
from assistant.practice.facts import Fact
from assistant.practice.grading import Verdict, verdict_for

#: Characters of an answer that are graded; a spoken interview answer is far shorter.
GRADED_CHARS = 2_000
#: Most facts one answer is expected to state.
MAX_FACTS = 6


@dataclass(frozen=True)
class GradingPolicy:
    """How facts and similarity combine into the score.

    ``similarity_floor`` is the cosine similarity of an unrelated answer (scores 0 on that
    part), ``similarity_ceiling`` that of a close paraphrase (scores full marks).
    """

    fact_weight: float = 0.7
    similarity_floor: float = 0.2
    similarity_ceiling: float = 0.6


@dataclass(frozen=True)
class FreeTextGrade:
    """The grade of one free-text answer, with what to say back to the person."""

    score: float
    verdict: Verdict
    matched_facts: tuple[str, ...]
    missing_facts: tuple[str, ...]
    similarity: float
    model_answer: str
    citations: tuple[Citation, ...]
    follow_up: str
    truncated: bool = False

    @property
    def correct(self) -> bool:
        """Counts as a right answer."""
        return self.verdict == "correct"


class FreeTextGrader:
    """Grades answers with the index's embedder; one instance serves many answers."""

    def __init__(
        self,
        embedder: Embedder,
        policy: GradingPolicy | None = None,
        *,
        expand: Callable[[str], str] | None = None,
    ) -> None:
        """``expand`` adds the site's spellings of abbreviations an answer uses ("PIP")."""
        self.embedder = embedder
        self.policy = policy or GradingPolicy()
        self.expand = expand or (lambda text: text)

    def similarity(self, answer: str, reference: str) -> float:
        """Cosine similarity of the two texts' embeddings."""
        vectors = np.asarray(self.embedder.embed([answer, reference]), dtype=np.float32)
        a, b = vectors[0], vectors[1]
        norm = float(np.linalg.norm(a) * np.linalg.norm(b))
        return float(a @ b) / norm if norm else 0.0

    def grade(
        self,
        answer: str,
        *,
        reference: str,
        facts: Sequence[Fact],
        citations: Sequence[Citation] = (),
    ) -> FreeTextGrade:
        """Grade ``answer`` against the model answer ``reference`` and its key ``facts``."""
        text = answer.strip()
        truncated = len(text) > GRADED_CHARS
        text = text[:GRADED_CHARS]
        # Naming the document is asked for by the follow-up, not scored: people say "the
        # service level memo", seldom its id. Only when nothing else is known does it count.
        content = [f for f in facts if f.kind != "document"]
        wanted = (content or list(facts))[:MAX_FACTS]
        said = self.expand(text) if text else ""
        matched = tuple(f.text for f in wanted if said and f.stated_in(said))
        missing = tuple(f.text for f in wanted if f.text not in matched)
        similarity = self.similarity(text, reference) if text else 0.0
        p = self.policy
        closeness = (similarity - p.similarity_floor) / (p.similarity_ceiling - p.similarity_floor)
        closeness = min(1.0, max(0.0, closeness))
        if wanted:
            recall = len(matched) / len(wanted)
            score = 100.0 * (p.fact_weight * recall + (1 - p.fact_weight) * closeness)
            # An answer on another subject does not earn fact credit by chance wording.
            if closeness == 0.0:
                score = min(score, 100.0 * p.fact_weight * recall * 0.5)
        else:
            score = 100.0 * closeness
        score = round(score, 1)
        verdict = verdict_for(score)
        if verdict == "incorrect" and matched and closeness > 0:
            verdict = "partial"  # some key facts right, on the subject: partly right
        return FreeTextGrade(
            score=score,
            verdict=verdict,
            matched_facts=matched,
            missing_facts=missing,
            similarity=round(similarity, 4),
            model_answer=reference,
            citations=tuple(citations),
            follow_up=follow_up(text, missing, list(facts), citations),
            truncated=truncated,
        )


def follow_up(
    answer: str, missing: Sequence[str], facts: Sequence[Fact], citations: Sequence[Citation]
) -> str:
    """The assessor's next question: probe what the answer left out, else ask for the document."""
    by_text = {f.text: f for f in facts}
    kinds = [by_text[m].kind for m in missing if m in by_text]
    if not answer:
        return "Take it step by step: what is the figure, and where is it written down?"
    if "number" in kinds:
        return "What exactly is the figure, and how was that number arrived at?"
    if "owner" in kinds:
        return "Who owns that, and who approved it?"
    if "method" in kinds:
        return "How was it worked out? Which method or data was used?"
    named = any(c.doc_id.lower() in answer.lower() for c in citations)
    if "document" in kinds or not named:
        return "Where is that documented? Can you show me the document and its version?"
    return "What happens when the target is missed for three months running?"
