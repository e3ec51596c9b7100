"""The answerability check: a question's answer must be supported by its cited quote.

Supported means: the quote occurs verbatim (whitespace aside) in the cited section of the
index, the fact the question tests occurs in the quote, and the numbers and content words
of the correct answer occur in the quote (for error classes, in the quote or the headings
of its section). Every question, generated, authored or produced by an LLM, must pass.
"""

from __future__ import annotations

from assistant.questions.corpus import Corpus
from assistant.questions.model import Question
from assistant.questions.text import contains, missing_terms, normalise


def check_answerable(question: Question, corpus: Corpus | None = None) -> str | None:
    """Why ``question`` is not answerable from its source, or None when it is.

    Args:
        question: The question to check.
        corpus: The indexed documents. Without it only the quote itself is checked
            against the answer (the quote's presence in the index is not).
    """
    c = question.citation
    quote = c.quote.strip()
    if not quote:
        return "the citation has no quote"
    heading = " > ".join(c.section_path)
    if corpus is not None:
        section = corpus.find_section(c.doc_id, heading, file=c.file or None, quote=quote)
        if section is None:
            return f"source section not found: {c.doc_id} “{heading}”"
        if section.chunk_with(quote) is None:
            return f"quote not found verbatim in {c.doc_id} “{c.section}”"
    kind = question.type
    if kind == "ordering":
        return _check_order(question, quote)
    if kind == "which_document":
        if c.doc_id.lower() not in question.correct_text.lower():
            return f"the correct choice does not name the cited document {c.doc_id}"
        return None
    evidence = f"{heading} {quote}" if kind == "error_class" else quote
    for part in (p for p in question.fact.split(";") if p.strip()):
        if not contains(evidence, part):
            return f"the fact “{part.strip()}” is not in the quote"
    if kind == "true_false":
        if question.answer == 1 and contains(question.prompt, quote):
            return "the statement marked false is the quoted sentence itself"
        return None
    missing = missing_terms(question.correct_text, evidence)
    if missing:
        return f"answer terms not in the quote: {', '.join(missing)}"
    return None


def _check_order(question: Question, quote: str) -> str | None:
    assert isinstance(question.answer, tuple)
    text = normalise(quote)
    positions = []
    for index in question.answer:
        step = normalise(question.choices[index])
        at = text.find(step)
        if at < 0:
            return f"step not in the quote: “{question.choices[index]}”"
        positions.append(at)
    if positions != sorted(positions):
        return "the answer order differs from the order in the quote"
    return None
