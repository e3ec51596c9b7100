"""The question bank: practice questions drawn from the site's own indexed documents.

    catalog ─► Corpus (documents, sections, sentences)
            ─► generators (numeric MCQ, true/false, cloze, ordering, error class,
               which document, who approves) ─┐
    corpus/questions/*.yaml (authored) ───────┴─► assemble ─► answerability check + lint
                                                           ─► QuestionBank (questions.jsonl)
    refresh: source section changed → stale / superseded; gone → retired; new text → drafts

No language model is needed; every question cites the verbatim sentence holding its answer.
"""

from __future__ import annotations

from assistant.questions.areas import AREAS, AreaMapper, roles_for
from assistant.questions.authored import load_authored, parse_authored
from assistant.questions.bank import (
    BANK_FILE,
    Dropped,
    GenerationResult,
    QuestionBank,
    assemble,
    generate_questions,
)
from assistant.questions.checks import check_answerable
from assistant.questions.corpus import Corpus, SectionView
from assistant.questions.linter import RULES, LintIssue, lint, lint_question
from assistant.questions.model import (
    QUESTION_TYPES,
    ROLES,
    Question,
    QuestionBankError,
    QuestionSource,
    QuestionType,
    Role,
    Status,
)
from assistant.questions.staleness import RefreshResult, refresh

__all__ = [
    "AREAS",
    "BANK_FILE",
    "QUESTION_TYPES",
    "ROLES",
    "RULES",
    "AreaMapper",
    "Corpus",
    "Dropped",
    "GenerationResult",
    "LintIssue",
    "Question",
    "QuestionBank",
    "QuestionBankError",
    "QuestionSource",
    "QuestionType",
    "RefreshResult",
    "Role",
    "SectionView",
    "Status",
    "assemble",
    "check_answerable",
    "generate_questions",
    "lint",
    "lint_question",
    "load_authored",
    "parse_authored",
    "refresh",
    "roles_for",
]
