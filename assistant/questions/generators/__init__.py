"""Rule-based question generators: each reads the corpus and yields draft questions.

numeric     mcq_numeric, true_false   sentences with a number and a unit
cloze       cloze                     a key term blanked out
ordering    ordering                  numbered or lettered procedure steps
errors      error_class               scorecard error classes, examples and grid rows
documents   which_document,           which document holds a sentence;
            who_approves              client approval and approving roles
"""

from __future__ import annotations

from assistant.questions.generators.base import GenContext, Generator
from assistant.questions.generators.cloze import generate_cloze
from assistant.questions.generators.documents import generate_documents
from assistant.questions.generators.errors import generate_error_class
from assistant.questions.generators.numeric import generate_numeric
from assistant.questions.generators.ordering import generate_ordering

GENERATORS: tuple[Generator, ...] = (
    generate_numeric,
    generate_cloze,
    generate_ordering,
    generate_error_class,
    generate_documents,
)

__all__ = [
    "GENERATORS",
    "GenContext",
    "Generator",
    "generate_cloze",
    "generate_documents",
    "generate_error_class",
    "generate_numeric",
    "generate_ordering",
]
