"""Gold datasets: loading, validation and the source-matching rule (DESIGN §6)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from assistant.errors import AssistantError

QuestionType = Literal["evidence", "definition", "procedure", "numeric", "out_of_scope"]
TYPES: frozenset[str] = frozenset(
    {"evidence", "definition", "procedure", "numeric", "out_of_scope"}
)

_ANCHOR = re.compile(r"\s*\{#[^}]*\}\s*$")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


@dataclass(frozen=True)
class ExpectedSource:
    """A section that holds the answer: file name and heading text."""

    file: str
    section: str


@dataclass(frozen=True)
class GoldQuestion:
    """One line of a gold set."""

    id: str
    question: str
    type: str
    role: str = "agent"
    expected_sources: tuple[ExpectedSource, ...] = ()
    answer_facts: tuple[str, ...] = ()
    program: str | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def answerable(self) -> bool:
        """False for out-of-scope questions, where abstaining is right."""
        return self.type != "out_of_scope"


def normalise_heading(text: str) -> str:
    """Heading text compared case-, spacing-, quote- and anchor-insensitively."""
    text = _ANCHOR.sub("", text.translate(_QUOTES))
    return " ".join(text.lower().split())


def section_matches(
    expected: ExpectedSource, file: str, section_path: list[str] | tuple[str, ...]
) -> bool:
    """True when a retrieved section is the expected one or one of its sub-sections."""
    if expected.file != file:
        return False
    want = normalise_heading(expected.section)
    return any(normalise_heading(h) == want for h in section_path)


def load_gold(path: Path) -> list[GoldQuestion]:
    """Parse a gold file; a malformed line raises one clear error naming the line."""
    questions: list[GoldQuestion] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            raw = json.loads(line)
            qid, text, qtype = str(raw["id"]), str(raw["question"]), str(raw["type"])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise AssistantError(f"{where}: not a gold question ({exc}); see DESIGN §6") from exc
        if qtype not in TYPES:
            raise AssistantError(f"{where}: unknown type {qtype!r}; use one of {sorted(TYPES)}")
        if qid in seen:
            raise AssistantError(f"{where}: duplicate id {qid!r}")
        seen.add(qid)
        sources = tuple(
            ExpectedSource(s["file"], s["section"]) for s in raw.get("expected_sources", [])
        )
        if qtype == "out_of_scope" and sources:
            raise AssistantError(f"{where}: out_of_scope questions have no expected sources")
        if qtype != "out_of_scope" and not sources:
            raise AssistantError(f"{where}: answerable questions need expected_sources")
        known = {"id", "question", "type", "role", "expected_sources", "answer_facts", "program"}
        questions.append(
            GoldQuestion(
                id=qid,
                question=text,
                type=qtype,
                role=str(raw.get("role", "agent")),
                expected_sources=sources,
                answer_facts=tuple(str(f) for f in raw.get("answer_facts", [])),
                program=raw.get("program"),
                extra={k: v for k, v in raw.items() if k not in known},
            )
        )
    return questions
