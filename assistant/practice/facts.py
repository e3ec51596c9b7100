"""Key facts of a reference answer, and whether a free-text answer states them.

What an assessor listens for in an answer: the figures (``80%``, ``20 seconds``, ``554
evaluations``), the named methods (Erlang C, a 95% confidence level, root-cause analysis),
the owners and approvers (the WFM Manager, the client), and the document it is written in.
Facts are found with patterns, not a language model, so grading is repeatable and offline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant.questions.text import content_tokens, normalise

FactKind = Literal["number", "method", "owner", "document"]

_UNITS = (
    r"%|percent|per cent|seconds?|secs?|s\b|minutes?|mins?|hours?|days?|business days?|weeks?"
    r"|months?|years?|points?|calls?|chats?|emails?|contacts?|evaluations?|agents?|interactions?"
)
_NUMBER = re.compile(rf"(?<![\w.-])(\d+(?:[.,]\d+)?)\s*({_UNITS})?(?![\w-])", re.IGNORECASE)
_YEAR = re.compile(r"^(19|20)\d\d$")
_DOC_ID = re.compile(r"\b[A-Z]{2,}(?:-[A-Z0-9]{2,})+\b")
_OWNER = re.compile(
    r"\b(?:(?:[A-Z][a-z]+|WFM|QA|HR|IT)\s+){0,3}"
    r"(?:Manager|Director|Lead|Analyst|Officer|Coordinator|Specialist|Supervisor|Planner)s?\b"
    r"|\bthe client\b|\bteam leads?\b",
)
_METHODS = re.compile(
    r"Erlang [A-C]\b|confidence level|\d+% confidence|margin of error|root[- ]cause analysis"
    r"|Pareto|time-and-motion study|calibration|baseline|benchmark|top[- ]quartile"
    r"|shrinkage|performance improvement plan|\bPIP\b|action log|median|moving average"
    r"|staffing study|cost analysis|customer-critical|business-critical|compliance-critical"
    r"|double sample|top-2-box",
    re.IGNORECASE,
)
_UNIT_ALIASES = {"percent": "%", "per cent": "%", "sec": "second", "secs": "second", "s": "second"}


@dataclass(frozen=True)
class Fact:
    """One thing a good answer states, with how to recognise it."""

    kind: FactKind
    text: str
    """As shown to the person ("80%", "Erlang C", "SITE-QA-010")."""
    aliases: tuple[str, ...] = ()
    """Other ways to say it that also count (a document's title words, say)."""

    def stated_in(self, answer: str) -> bool:
        """Whether ``answer`` states this fact (figures by value, words by content)."""
        if self.kind == "number":
            return _value(self.text) in {_value(n) for n in numbers(spoken_numbers(answer))}
        said = normalise(answer)
        return any(_words_in(option, said) for option in (self.text, *self.aliases))


def _words_in(phrase: str, said: str) -> bool:
    wanted = content_tokens(phrase)
    if not wanted:
        return False
    have = content_tokens(said)
    found = sum(1 for word in wanted if word in have or any(h.startswith(word) for h in have))
    # Short facts in full; longer ones by three fifths of their words ("improvement plan").
    return found == len(wanted) if len(wanted) <= 2 else 5 * found >= 3 * len(wanted)


def _value(number: str) -> str:
    match = _NUMBER.match(number.strip())
    raw = (match.group(1) if match else number).replace(",", "")
    try:
        return f"{float(raw):g}"
    except ValueError:
        return raw


_ONES = [
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen"),
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_WORD_NUMBER = re.compile(
    rf"\b(?:(?P<tens>{'|'.join(_TENS)})(?:[\s-](?P<unit>{'|'.join(_ONES[1:10])}))?"
    rf"|(?P<ones>{'|'.join(_ONES)}))\b",
    re.IGNORECASE,
)


def spoken_numbers(text: str) -> str:
    """Number words as digits, as people say figures aloud ("eighty percent" → "80 percent")."""

    def digits(match: re.Match[str]) -> str:
        if match.group("ones"):
            return str(_ONES.index(match.group("ones").lower()))
        value = 10 * (_TENS.index(match.group("tens").lower()) + 2)
        unit = match.group("unit")
        return str(value + (_ONES.index(unit.lower()) if unit else 0))

    return _WORD_NUMBER.sub(digits, text)


def numbers(text: str) -> list[str]:
    """The figures in ``text`` with their units (``"20 seconds"``), years left out."""
    found = []
    for match in _NUMBER.finditer(text):
        value, unit = match.group(1), (match.group(2) or "").lower()
        if _YEAR.match(value) and not unit:
            continue
        unit = _UNIT_ALIASES.get(unit, unit)
        found.append(f"{value}{unit}" if unit == "%" else f"{value} {unit}".strip())
    return found


def extract_facts(reference: str, *, documents: dict[str, str] | None = None) -> list[Fact]:
    """The key facts of ``reference`` in order of appearance, each once.

    Args:
        reference: The model answer (``[n]`` markers are ignored).
        documents: Cited document ids → titles; each becomes a "document" fact that the
            title's words also satisfy.
    """
    text = re.sub(r"\[\d+\]", " ", reference)
    facts: list[Fact] = []
    seen: set[str] = set()

    def add(fact: Fact) -> None:
        key = f"{fact.kind}:{normalise(fact.text)}"
        if key not in seen:
            seen.add(key)
            facts.append(fact)

    for value in numbers(text):
        add(Fact("number", value))
    for match in _METHODS.finditer(text):
        add(Fact("method", match.group(0)))
    for match in _OWNER.finditer(text):
        add(Fact("owner", match.group(0).strip()))
    for doc_id, title in (documents or {}).items():
        add(Fact("document", doc_id, (title,) if title else ()))
    for doc_id in _DOC_ID.findall(text):
        add(Fact("document", doc_id))
    return facts


def parse_fact(text: str) -> Fact:
    """An authored key fact: a figure, a document id, an owner's title, else a method."""
    text = text.strip()
    if _NUMBER.fullmatch(text) or (_NUMBER.match(text) and numbers(text) == [text]):
        return Fact("number", text)
    if _DOC_ID.fullmatch(text):
        return Fact("document", text)
    if _OWNER.fullmatch(text):
        return Fact("owner", text)
    return Fact("method", text)
