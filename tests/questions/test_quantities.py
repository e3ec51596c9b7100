"""Numbers with units, and the wrong values offered in their place."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.questions.quantities import UnitIndex, find_quantities


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("80% of calls answered within 20 seconds.", [("80%", "%"), ("20 seconds", "second")]),
        (
            "The 620-second target assumes 2 chats per agent.",
            [("620-second", "second"), ("2 chats", "chat")],
        ),
        ("Resolve within 5 business days of receipt.", [("5 business days", "business day")]),
        ("Within ±5 points of the calibrated score.", [("±5 points", "point")]),
        ("The target is 3.0% per month or less.", [("3.0%", "%")]),
        ("Chat abandonment rises after 60 s of waiting.", [("60 s", "second")]),
    ],
)
def test_finds_numbers_with_units(sentence: str, expected: list[tuple[str, str]]) -> None:
    assert [(q.text, q.unit) for q in find_quantities(sentence)] == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "The model predicts ASA 15–18 s across the week.",  # a range
        "The benchmark for outsourcers is 3-4% a month.",  # a range
        "Raising the standard to 85/20 would need one more agent.",  # a ratio
        "Signed 2025-01-20; open 07:00 to 23:00; see SITE-QA-009 v3.1.",  # dates, times, ids
        "The forecast 2026 call pattern was used.",  # a year, not 2026 calls
        "AHT is 5 min 45 s in total.",  # a compound duration
    ],
)
def test_ignores_ranges_ratios_dates_and_ids(sentence: str) -> None:
    assert find_quantities(sentence) == []


def test_bounds_are_read_from_the_wording() -> None:
    at_least, within, or_less, plain = (
        find_quantities(s)[0]
        for s in (
            "Accuracy must be at least 90% across the mocks.",
            "Answered within 12 hours of arrival.",
            "ASA is 18 seconds or less per month.",
            "The baseline was 372 seconds.",
        )
    )
    assert (at_least.bound, within.bound, or_less.bound, plain.bound) == (
        "lower",
        "upper",
        "upper",
        None,
    )


def test_render_keeps_the_surface_form_and_number_agreement() -> None:
    hours, adjective, signed, decimal, one = (
        find_quantities(s)[0]
        for s in (
            "within 24 hours of receipt",
            "the 620-second target",
            "within ±5 points of the score",
            "the target is 99.5% here",
            "within 1 business day of receipt",
        )
    )
    assert hours.render(Decimal(1)) == "1 hour"
    assert adjective.render(Decimal(660)) == "660-second"
    assert signed.render(Decimal(10)) == "±10 points"
    assert decimal.render(Decimal(99)) == "99.0%"
    assert one.render(Decimal(5)) == "5 business days"
    adjectival_count = find_quantities("selects 3 chats and 2 email threads")[1]
    assert adjectival_count.render(Decimal(3)) == "3 email"  # "email threads" stays singular


CORPUS = [
    "Service level is 80% of calls in 20 seconds.",
    "ASA is 18 seconds or less.",
    "AHT is 345 seconds; the baseline was 372 seconds; top agents take 330 seconds.",
    "Abandonment is 4% or less; attrition is 3% a month.",
    "Records are kept for 36 months, evaluations for 24 months, recordings for 13 months.",
]


@pytest.mark.parametrize(
    "sentence", ["The AHT target is 345 seconds.", "Keep it 24 months.", "At least 90% accuracy."]
)
def test_wrong_values_are_unique_plausible_and_never_the_answer(sentence: str) -> None:
    index = UnitIndex(CORPUS)
    quantity = find_quantities(sentence)[0]
    wrong = index.wrong_values(quantity, n=3)
    assert len(wrong) == 3
    assert quantity.value not in wrong
    assert len(set(wrong)) == 3
    if quantity.unit == "%":
        assert all(Decimal(0) < v <= 100 for v in wrong)


def test_wrong_values_prefer_the_corpus_and_respect_exclusions_and_sides() -> None:
    index = UnitIndex(CORPUS)
    aht = find_quantities("The AHT target is 345 seconds.")[0]
    wrong = index.wrong_values(aht, n=3)
    assert {Decimal(330), Decimal(372)} <= set(wrong), "values seen in the corpus come first"
    assert Decimal(330) not in index.wrong_values(aht, exclude=[Decimal(330)], n=3)
    assert all(v > aht.value for v in index.wrong_values(aht, n=3, side="above"))
    assert all(v < aht.value for v in index.wrong_values(aht, n=3, side="below"))


def test_integer_answers_get_integer_wrong_values() -> None:
    index = UnitIndex(["A 3.5 month pilot ran.", "Kept 36 months."])
    months = find_quantities("Kept for 24 months.")[0]
    assert all(v == v.to_integral_value() for v in index.wrong_values(months, n=3))
