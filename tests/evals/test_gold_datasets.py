"""The gold sets agree with their corpora: every file, section and answer fact exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import BUNDLED_CORPUS
from evals.check import check_gold
from evals.gold import ExpectedSource, load_gold, section_matches

DATASETS = Path(__file__).resolve().parents[2] / "evals" / "datasets"
GSA_DOCS = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "gsa-contact-center-guidelines"
    / "docs"
)


def test_bundled_site_gold_set_matches_the_corpus() -> None:
    questions = load_gold(DATASETS / "site.jsonl")
    assert len(questions) >= 80
    assert {q.type for q in questions} == {
        "evidence",
        "definition",
        "procedure",
        "numeric",
        "out_of_scope",
    }
    assert check_gold(questions, BUNDLED_CORPUS) == []


def test_gsa_gold_set_matches_the_real_documents() -> None:
    if not GSA_DOCS.is_dir():
        pytest.skip(f"shared data not present at {GSA_DOCS}")
    questions = load_gold(DATASETS / "gsa.jsonl")
    assert len(questions) >= 30
    assert check_gold(questions, GSA_DOCS) == []


def test_checker_reports_a_missing_fact_and_section(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "# Doc\n\n## Sampling\nEight evaluations a month.\n", encoding="utf-8"
    )
    gold = tmp_path / "g.jsonl"
    gold.write_text(
        '{"id": "1", "question": "q", "type": "numeric", "expected_sources": '
        '[{"file": "a.md", "section": "Sampling"}], "answer_facts": ["eight", "nine"]}\n'
        '{"id": "2", "question": "q", "type": "numeric", "expected_sources": '
        '[{"file": "a.md", "section": "Nope"}], "answer_facts": []}\n',
        encoding="utf-8",
    )
    problems = check_gold(load_gold(gold), tmp_path)
    assert problems == [
        "1: answer fact 'nine' not in its expected sections",
        "2: no section 'Nope' in a.md",
    ]


@pytest.mark.parametrize(
    ("expected", "path", "ok"),
    [
        ("Call Calibration", ["Ops", "Call Calibration {#call}"], True),
        ("call  calibration", ["Ops", "Call Calibration", "How To Implement"], True),
        ("Don't do this", ["Doc", "Don’t do this"], True),
        ("Sampling", ["Doc", "Other"], False),
    ],
)
def test_section_matching_rule(expected: str, path: list[str], ok: bool) -> None:
    assert section_matches(ExpectedSource("f.md", expected), "f.md", path) is ok
    assert not section_matches(ExpectedSource("g.md", expected), "f.md", path)
