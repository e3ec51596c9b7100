"""Authored YAML questions: parsing, resolution against the index, and winning over
generated questions on the same fact."""

from __future__ import annotations

from pathlib import Path

from assistant.questions.bank import generate_questions
from assistant.questions.corpus import Corpus

from .conftest import Catalog

GOOD = """
questions:
  - id: a-asa
    type: mcq_numeric
    prompt: What is the Harbor Bank ASA target?
    choices: [15 seconds, 18 seconds, 20 seconds, 25 seconds]
    answer: 1
    citation:
      doc_id: HB-TGT-1
      section: Average speed of answer
      quote: The ASA target is 18 seconds or less per month.
    area: service-performance
    roles: [team_lead, manager]
  - type: true_false
    prompt: True or false? The ASA target comes from the contract.
    answer: false
    fact: derived from the Erlang C model
    citation:
      doc_id: HB-TGT-1
      section: Average speed of answer
      quote: >-
        The ASA target is derived from the Erlang C model rather
        than taken from the contract.
    area: target-setting
    roles: [manager]
    difficulty: 1
  - id: a-sla-answer
    type: cloze
    prompt: The service level target is ____ of calls answered within 20 seconds.
    answer: 80%
    citation:
      doc_id: HB-TGT-1
      section: Service level target
      quote: The service level target is 80% of calls answered within 20 seconds.
    area: service-performance
    roles: [agent]
"""

BROKEN = """
- id: a-no-citation
  type: cloze
  prompt: Something ____.
  answer: x
  area: calibration
  roles: [agent]
- id: a-bad-index
  type: mcq_numeric
  prompt: Which?
  choices: [a, b, c]
  answer: 5
  citation:
    doc_id: HB-TGT-1
    section: Handle time
    quote: &acw The ACW target is 45 seconds or less per call.
  area: cost-efficiency
  roles: [agent]
- id: a-bad-role
  type: cloze
  prompt: The ACW target is ____ or less per call.
  answer: 45 seconds
  citation: {doc_id: HB-TGT-1, section: Handle time, quote: *acw}
  area: cost-efficiency
  roles: [director]
- id: a-false-without-fact
  type: true_false
  prompt: True or false? The ACW target is 60 seconds.
  answer: false
  citation: {doc_id: HB-TGT-1, section: Handle time, quote: *acw}
  area: cost-efficiency
  roles: [agent]
"""

UNSUPPORTED = """
- id: a-invented-quote
  type: cloze
  prompt: The ACW target is ____ per call.
  answer: 40 seconds
  citation: {doc_id: HB-TGT-1, section: Handle time, quote: The ACW target is 40 seconds per call.}
  area: cost-efficiency
  roles: [agent]
"""


def _write(folder: Path, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_authored_questions_load_resolve_and_are_approved(
    site_catalog: Catalog, tmp_path: Path
) -> None:
    from assistant.questions.authored import load_authored

    folder = _write(tmp_path / "questions", **{"a.yaml": GOOD})
    questions, rejected = load_authored(folder, Corpus.from_catalog(site_catalog))
    assert rejected == []
    assert [q.type for q in questions] == ["mcq_numeric", "true_false", "cloze"]
    asa, false, _ = questions
    assert asa.id == "a-asa" and asa.origin == "authored" and asa.status == "approved"
    assert asa.citation.file == "memo.md" and asa.citation.version == "2.0"
    assert asa.citation.section_path == ("Harbor Bank speed targets", "Average speed of answer")
    assert asa.source_hash and asa.fact == "18 seconds"
    assert false.answer == 1 and false.choices == ("True", "False")
    assert false.id.startswith("a-"), "an id is derived when none is given"
    assert false.citation.quote.startswith("The ASA target is derived from the Erlang C model")


def test_bad_authored_questions_are_rejected_with_reasons(
    site_catalog: Catalog, tmp_path: Path
) -> None:
    from assistant.questions.authored import load_authored

    folder = _write(tmp_path / "q", **{"b.yaml": BROKEN, "c.yml": "questions: [unclosed"})
    questions, rejected = load_authored(folder, Corpus.from_catalog(site_catalog))
    assert questions == []
    reasons = {r.where: r.reason for r in rejected}
    assert "citation needs" in reasons["b.yaml #1"]
    assert "not an index" in reasons["b.yaml #2"]
    assert "roles" in reasons["b.yaml #3"]
    assert "needs `fact`" in reasons["b.yaml #4"]
    assert "YAML" in reasons["c.yml"]


def test_authored_wins_over_generated_on_the_same_fact(
    site_catalog: Catalog, tmp_path: Path
) -> None:
    alone = generate_questions(site_catalog)
    same_quote = [
        q
        for q in alone.questions
        if q.citation.quote == "The ASA target is 18 seconds or less per month."
    ]
    same_answer = [
        q
        for q in alone.questions
        if q.citation.section == "Service level target" and q.fact == "80%"
    ]
    assert same_quote and same_answer, "the generator covers these facts on its own"

    folder = _write(tmp_path / "questions", **{"a.yaml": GOOD})
    both = generate_questions(site_catalog, authored_dir=folder)
    ids = {q.id for q in both.questions}
    assert {"a-asa", "a-sla-answer"} <= ids
    assert not {q.id for q in same_quote + same_answer} & ids
    beaten = {d.question_id: d.reason for d in both.dropped}
    assert all("a-asa" in beaten[q.id] for q in same_quote)
    assert all("a-sla-answer" in beaten[q.id] for q in same_answer)


def test_authored_question_without_support_is_dropped_with_the_reason(
    site_catalog: Catalog, tmp_path: Path
) -> None:
    folder = _write(tmp_path / "questions", **{"u.yaml": UNSUPPORTED})
    result = generate_questions(site_catalog, authored_dir=folder)
    assert "a-invented-quote" not in {q.id for q in result.questions}
    [dropped] = [d for d in result.dropped if d.question_id == "a-invented-quote"]
    assert "answer_not_in_source" in dropped.reason and "verbatim" in dropped.reason
