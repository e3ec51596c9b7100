"""Numbers with units in sentences ("80% of calls", "within 20 seconds", "5 business days"),
and plausible wrong values for them.

Wrong values come first from other values of the same unit found in the corpus (closest
in magnitude first), then from variations of the right value. A wrong value is never the
right value, never one of the sentence's own values, and never repeated.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Bound = Literal["lower", "upper"] | None
Side = Literal["below", "above"] | None

# Unit surface forms after a number → canonical unit. Longer forms first.
_UNIT_FORMS: tuple[tuple[str, str], ...] = (
    (r"\s?%", "%"),
    (r" per ?cent\b", "%"),
    (r" business days?\b", "business day"),
    (r" mock contacts?\b", "mock contact"),
    (r"-(?:second|minute|hour|day|week|month|point)\b", ""),
    (r" seconds?\b", "second"),
    (r" s\b(?!-)", "second"),
    (r" minutes?\b", "minute"),
    (r" min\b", "minute"),
    (r" hours?\b", "hour"),
    (r" days?\b", "day"),
    (r" weeks?\b", "week"),
    (r" months?\b", "month"),
    (r" evaluations?\b", "evaluation"),
    (r" agents?\b", "agent"),
    (r" calls?\b", "call"),
    (r" chats?\b", "chat"),
    (r" contacts?\b", "contact"),
    (r" emails?\b", "email"),
    (r" questions?\b", "question"),
    (r" points?\b", "point"),
    (r" leavers?\b", "leaver"),
    (r" characters?\b", "character"),
    (r" sessions?\b", "session"),
)
_NUMBER = r"(?P<sign>±)?(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
_QUANTITY = re.compile(
    rf"(?<![\w./:–-]){_NUMBER}(?P<unit>{'|'.join(f'(?:{f})' for f, _ in _UNIT_FORMS)})"
    r"(?![\w/–]|-\d|\.\d)"
)
_JOINED_BEFORE = re.compile(r"\d\s*[–-]\s*$|\d\s+$|\d\s+(min|h)\s+$")
_JOINED_AFTER = re.compile(r"\s*\d")
_LOWER_BEFORE = re.compile(r"(at least|minimum of|min\.|≥|more than|above|over)\s*$", re.I)
_UPPER_BEFORE = re.compile(r"(at most|up to|within|no more than|≤|less than|below|under)\s*$", re.I)
_LOWER_AFTER = re.compile(r"^\s*(or more|or higher|or above|or better)\b", re.I)
_UPPER_AFTER = re.compile(r"^\s*(or less|or fewer|or lower|or below)\b", re.I)


@dataclass(frozen=True)
class Quantity:
    """A number with its unit, as found in a sentence."""

    value: Decimal
    text: str
    """The surface text, e.g. ``"45 seconds"``, ``"620-second"``, ``"±5 points"``."""
    unit: str
    """Canonical unit, e.g. ``"second"``, ``"%"``, ``"business day"``."""
    start: int
    end: int
    bound: Bound = None
    """``lower`` for "at least 90%", ``upper`` for "within 12 hours" / "4% or less"."""

    @property
    def decimals(self) -> int:
        """Digits after the decimal point in the source."""
        exponent = self.value.as_tuple().exponent
        return -exponent if isinstance(exponent, int) and exponent < 0 else 0

    def render(self, value: Decimal) -> str:
        """``value`` written the way this quantity is written."""
        digits = _digits(self.text)
        head = self.text[: self.text.index(digits)]
        unit = self.text[len(head) + len(digits) :]
        word = unit.strip()
        if unit.startswith(" ") and word not in {"s", "%"} and not word.startswith("per"):
            plural = word.endswith("s")
            if plural and value == 1:
                word = word[:-1]
            elif not plural and self.value == 1 and value != 1:
                word += "s"
            unit = " " + word
        return f"{head}{_format(value, self.decimals)}{unit}"


def _digits(text: str) -> str:
    match = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    return match.group(0) if match else ""


def _format(value: Decimal, decimals: int) -> str:
    if decimals:
        return f"{value:.{decimals}f}"
    integer = int(value)
    return f"{integer:,}" if integer >= 10000 else str(integer)


def _canonical(unit_text: str) -> str:
    for form, unit in _UNIT_FORMS:
        if re.fullmatch(form, unit_text):
            if unit:
                return unit
            return unit_text.lstrip("-")  # "-second" → "second"
    return unit_text.strip()


def find_quantities(sentence: str) -> list[Quantity]:
    """Numbers with a unit in ``sentence``, in order.

    Ranges ("15–18 s", "3-4%"), ratios ("80/20"), dates, times and ids are not quantities.
    """
    out: list[Quantity] = []
    for m in _QUANTITY.finditer(sentence):
        before, after = sentence[: m.start()], sentence[m.end() :]
        if _JOINED_BEFORE.search(before) or _JOINED_AFTER.match(after):
            continue  # part of a range or of "5 min 45 s"
        if re.fullmatch(r"(19|20)\d\d", m.group("num")):
            continue  # a year ("the 2026 call pattern")
        bound: Bound = None
        if _LOWER_BEFORE.search(before) or _LOWER_AFTER.search(after):
            bound = "lower"
        elif _UPPER_BEFORE.search(before) or _UPPER_AFTER.search(after):
            bound = "upper"
        out.append(
            Quantity(
                value=Decimal(m.group("num").replace(",", "")),
                text=m.group(0),
                unit=_canonical(m.group("unit")),
                start=m.start(),
                end=m.end(),
                bound=bound,
            )
        )
    return out


class UnitIndex:
    """Every value seen per unit in a corpus: the pool wrong answers are drawn from."""

    def __init__(self, sentences: Iterable[str]) -> None:
        self.values: dict[str, set[Decimal]] = {}
        for sentence in sentences:
            for q in find_quantities(sentence):
                self.values.setdefault(q.unit, set()).add(q.value)

    def wrong_values(
        self,
        quantity: Quantity,
        *,
        exclude: Iterable[Decimal] = (),
        n: int = 3,
        side: Side = None,
    ) -> list[Decimal]:
        """Up to ``n`` plausible values that are not ``quantity.value``.

        Args:
            quantity: The right value.
            exclude: Values that must not be offered (e.g. others in the same sentence).
            n: How many to return.
            side: ``below``/``above`` keeps only values below/above the right one.
        """
        answer = quantity.value
        banned = {answer, *exclude}
        pool = sorted(
            (v for v in self.values.get(quantity.unit, ()) if v not in banned and v > 0),
            key=lambda v: (_distance(v, answer), v),
        )
        pool = [v for v in pool if _distance(v, answer) <= math.log(4)]
        variations = [v for v in _variations(quantity) if v not in banned]
        # Mostly values from the corpus (they look real), at least one variation.
        chosen: list[Decimal] = []
        for v in [*pool[: max(n - 1, 1)], *variations, *pool[max(n - 1, 1) :]]:
            if v in chosen or (side == "below" and v > answer) or (side == "above" and v < answer):
                continue
            if quantity.unit == "%" and v > 100:
                continue
            if quantity.decimals == 0 and v != v.to_integral_value():
                continue
            chosen.append(v)
            if len(chosen) == n:
                break
        return chosen


def _distance(a: Decimal, b: Decimal) -> float:
    return abs(math.log(float(a) / float(b))) if a > 0 and b > 0 else math.inf


#: Values people actually use for these units; variations snap to them.
_NICE: dict[str, tuple[int, ...]] = {
    "month": (1, 3, 6, 12, 18, 24, 36, 48, 60),
    "hour": (1, 2, 4, 8, 12, 24, 48, 72),
    "business day": (1, 2, 3, 5, 10, 15, 20),
    "day": (1, 2, 3, 5, 7, 10, 14, 15, 20, 30, 45, 60, 90),
    "week": (1, 2, 3, 4, 6, 8, 12),
    "minute": (1, 2, 3, 5, 10, 15, 20, 30, 45, 60),
}


def _variations(quantity: Quantity) -> list[Decimal]:
    """Nearby values a careless reader might pick."""
    v = quantity.value
    nice = _NICE.get(quantity.unit)
    if nice and quantity.decimals == 0:
        return [Decimal(n) for n in sorted(nice, key=lambda n: (_distance(Decimal(n), v), n))]
    if quantity.decimals:
        step = Decimal("0.5") if v >= 1 else Decimal(1).scaleb(-quantity.decimals)
        return [x for x in (v - step, v + step, v - 2 * step, v + 2 * step) if x > 0]
    if quantity.unit == "%":
        steps = (
            [Decimal(5), Decimal(-5), Decimal(10), Decimal(-10)]
            if v >= 20
            else [Decimal(1), Decimal(-1), Decimal(2), Decimal(-2)]
        )
        return [v + s for s in steps if 0 < v + s <= 100]
    if v <= 3:
        return [v + 1, v + 2, v * 2 + 1]
    if v <= 12:
        return [v + 1, v - 1, v * 2, v + 2]
    if v <= 60:
        step = Decimal(5)
        return [v + step, v - step, v * 2, (v / 2).to_integral_value()]
    step = Decimal(10) ** (len(str(int(v))) - 2) * 2
    return [v + step, v - step, v + 2 * step, v - 2 * step]
