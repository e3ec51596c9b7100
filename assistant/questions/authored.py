"""Authored questions: YAML files written by the quality team (``corpus/questions/*.yaml``).

A file holds a list of questions (or ``{questions: [...]}``). Each question::

    id: a-hb-verification          # optional; derived from type, document and prompt
    type: mcq_numeric              # one of QUESTION_TYPES
    prompt: How many identifiers …
    choices: [...]                 # not for cloze; default True/False for true_false
    answer: 1                      # index; text (cloze); true/false; list of indices (ordering)
    explanation: …
    fact: two of three             # optional (required for a false true_false statement)
    citation: {doc_id: SITE-QA-010, section: Caller verification rule, quote: "…"}
    area: accuracy-error-classes
    roles: [agent, team_lead]
    difficulty: 1                  # optional, default 2
    status: approved               # optional, default approved

The citation is resolved against the index (file, section path, version, source hash);
whether the quote is really there is left to the answerability check.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assistant.documents import content_id
from assistant.questions.corpus import Corpus
from assistant.questions.model import TRUE_FALSE_CHOICES, Question, QuestionSource
from assistant.questions.text import collapse, normalise

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rejected:
    """An authored question (or file) that could not be read, with the reason."""

    where: str
    reason: str


def load_authored(folder: Path, corpus: Corpus) -> tuple[list[Question], list[Rejected]]:
    """Every authored question under ``folder`` (``*.yaml``/``*.yml``), resolved in ``corpus``."""
    questions: list[Question] = []
    rejected: list[Rejected] = []
    if not folder.is_dir():
        return questions, rejected
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    for path in files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            reason = collapse(str(exc))[:200]
            rejected.append(Rejected(path.name, f"not readable as YAML: {reason}"))
            continue
        items = data.get("questions") if isinstance(data, dict) else data
        if not isinstance(items, list):
            rejected.append(Rejected(path.name, "expected a list of questions"))
            continue
        for n, item in enumerate(items, start=1):
            where = f"{path.name} #{n}"
            try:
                questions.append(parse_authored(item, corpus))
            except (ValueError, TypeError, KeyError) as exc:
                rejected.append(Rejected(where, _one_line(exc)))
    for r in rejected:
        log.warning("authored question rejected: %s: %s", r.where, r.reason)
    return questions, rejected


def parse_authored(item: Any, corpus: Corpus) -> Question:
    """One authored question from its YAML mapping.

    Raises:
        ValueError: a field is missing or invalid (pydantic's ``ValidationError`` included).
    """
    if not isinstance(item, dict):
        raise ValueError("a question must be a mapping of fields")
    raw = dict(item)
    cite = raw.pop("citation", None)
    if not isinstance(cite, dict) or not {"doc_id", "section", "quote"} <= set(cite):
        raise ValueError("citation needs doc_id, section and quote")
    kind = raw.get("type")
    if kind == "true_false":
        raw.setdefault("choices", list(TRUE_FALSE_CHOICES))
        if isinstance(raw.get("answer"), bool):
            raw["answer"] = 0 if raw["answer"] else 1
    if kind == "ordering" and isinstance(raw.get("answer"), list):
        raw["answer"] = tuple(raw["answer"])
    if "choices" in raw:
        raw["choices"] = tuple(str(c) for c in raw["choices"])
    quote = collapse(str(cite["quote"]))
    section = corpus.find_section(
        str(cite["doc_id"]), str(cite["section"]), file=cite.get("file"), quote=quote
    )
    source = QuestionSource(
        doc_id=str(cite["doc_id"]),
        file=section.file if section else str(cite.get("file", "")),
        section=section.section if section else str(cite["section"]),
        section_path=section.section_path if section else (str(cite["section"]),),
        version=section.version if section else None,
        program=section.program if section else None,
        quote=quote,
        chunk_id=(c.chunk_id if (c := section.chunk_with(quote)) else None) if section else None,
    )
    fields: dict[str, Any] = {
        "difficulty": 2,
        "status": "approved",
        "explanation": "",
        **raw,
        "citation": source,
        "origin": "authored",
        "source_hash": section.source_hash if section else "",
    }
    fields.setdefault(
        "id",
        "a-"
        + content_id(str(kind), source.doc_id, normalise(str(raw.get("prompt", ""))), length=16),
    )
    fields.setdefault("fact", "")
    try:
        question = Question.model_validate(fields)
    except ValidationError as exc:
        raise ValueError(_validation_message(exc)) from exc
    if not question.fact:
        if question.type == "true_false" and question.answer == 1:
            raise ValueError(
                "a false true_false statement needs `fact`: the true value in the quote"
            )
        answer = question.answer
        fact = question.citation.quote if question.type == "true_false" else question.correct_text
        if isinstance(answer, tuple):
            fact = " | ".join(question.choices[i] for i in answer)
        question = question.model_copy(update={"fact": fact})
    if not question.explanation:
        question = question.model_copy(
            update={"explanation": f"{source.doc_id} says: “{source.quote}”"}
        )
    return question


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error.get("loc", ())) or "question"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)


def _one_line(exc: BaseException) -> str:
    return collapse(str(exc))[:240] or type(exc).__name__
