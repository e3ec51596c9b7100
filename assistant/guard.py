"""Guards on document text: what must never be treated as evidence."""

from __future__ import annotations

import re

# Text in a document that talks to the model. It stays in the prompt (as data) but never
# counts as evidence, so a claim that only an injected sentence "supports" is dropped.
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,40}?"
    r"\b(?:previous|prior|above|earlier|preceding|system|all)\b[^.!?\n]{0,20}?"
    r"\b(?:instructions?|rules?|prompts?|messages?|context)\b"
    r"|\bsystem prompt\b|\bas an ai\b"
    r"|\byou are (?:now )?(?:an? |the )?(?:ai|assistant|chatbot|language model|llm)\b",
    re.I,
)


def looks_like_instruction(text: str) -> bool:
    """True for text addressed to a language model ("ignore all previous instructions …").

    Such sentences in a document are data, never evidence: they are not quoted and do not
    count as support for a generated sentence.
    """
    return _INSTRUCTION.search(text) is not None
