"""Refreshing a saved bank when documents change or disappear."""

from __future__ import annotations

from pathlib import Path

from assistant.questions.bank import generate_questions
from assistant.questions.model import Question
from assistant.questions.staleness import refresh

from .conftest import SITE, BuildCatalog

AUTHORED = """
- id: a-aht
  type: mcq_numeric
  prompt: What is the Harbor Bank AHT target?
  choices: [330 seconds, 345 seconds, 372 seconds, 400 seconds]
  answer: 1
  citation:
    doc_id: HB-TGT-1
    section: Handle time
    quote: The AHT target is 345 seconds per call, about 7% below the baseline.
  area: cost-efficiency
  roles: [team_lead]
"""


def _approved(questions: list[Question]) -> list[Question]:
    return [q.with_status("approved") for q in questions]


def test_refresh_marks_changed_and_vanished_sections(build_catalog: BuildCatalog) -> None:
    bank = _approved(generate_questions(build_catalog(SITE)).questions)
    before = {q.id: q for q in bank}
    changed = dict(SITE)
    changed["memo.md"] = SITE["memo.md"].replace(
        "The AHT target is 345 seconds per call", "The AHT target is 340 seconds per call"
    )
    del changed["policy.txt"]
    result = refresh(bank, build_catalog(changed))
    after = {q.id: q for q in result.questions}

    # Every saved question is still there (records may point at it), with a status that says why.
    assert set(before) <= set(after)
    for qid, old in before.items():
        new = after[qid]
        if old.citation.doc_id == "SITE-SEC-1":
            assert new.status == "retired" and qid in result.retired
        elif old.citation.section == "Handle time":
            assert new.status in {"stale", "retired"}
        else:
            assert new == old and qid in result.kept, "unchanged sections keep their questions"

    handle_time = [q for q in result.questions if q.citation.section == "Handle time"]
    stale = [q for q in handle_time if q.status == "stale"]
    assert stale and all("345" in q.fact or "345" in q.citation.quote for q in stale)
    added = [after[i] for i in result.added]
    assert any("340 seconds" in q.citation.quote for q in added), "regenerated from the new text"
    assert all(q.source_hash != before[s.id].source_hash for q in added for s in stale)


def test_a_regenerated_question_on_the_same_fact_supersedes_and_keeps_the_review(
    build_catalog: BuildCatalog,
) -> None:
    bank = _approved(generate_questions(build_catalog(SITE)).questions)
    # A sentence added to the section changes its hash, not the facts of the other sentences.
    changed = {
        **SITE,
        "memo.md": SITE["memo.md"].replace(
            "## Handle time\n", "## Handle time\n\nHandle time is measured for every call.\n"
        ),
    }
    result = refresh(bank, build_catalog(changed))
    after = {q.id: q for q in result.questions}
    superseded = [after[i] for i in result.retired]
    assert superseded and all(q.citation.section == "Handle time" for q in superseded)
    for old in superseded:
        [new] = [
            after[i]
            for i in result.added
            if (after[i].type, after[i].fact, after[i].citation.quote)
            == (old.type, old.fact, old.citation.quote)
        ]
        assert new.id != old.id and new.status == "approved", "the review carries over"


def test_refresh_without_changes_keeps_everything(build_catalog: BuildCatalog) -> None:
    catalog = build_catalog(SITE)
    bank = generate_questions(catalog).questions
    result = refresh(bank, catalog)
    assert result.questions == bank
    assert (result.added, result.stale, result.retired) == ([], [], [])


def test_authored_questions_go_stale_when_their_quote_disappears(
    build_catalog: BuildCatalog, tmp_path: Path
) -> None:
    folder = tmp_path / "questions"
    folder.mkdir()
    (folder / "a.yaml").write_text(AUTHORED, encoding="utf-8")
    bank = generate_questions(build_catalog(SITE), authored_dir=folder).questions
    assert any(q.id == "a-aht" and q.status == "approved" for q in bank)

    same = refresh(bank, build_catalog(SITE), authored_dir=folder)
    assert {q.id: q.status for q in same.questions}["a-aht"] == "approved"

    changed = {**SITE, "memo.md": SITE["memo.md"].replace("345 seconds", "340 seconds")}
    result = refresh(bank, build_catalog(changed), authored_dir=folder)
    assert {q.id: q.status for q in result.questions}["a-aht"] == "stale"
    assert "a-aht" in result.stale
    assert any(d.question_id == "a-aht" for d in result.dropped), "the reason is reported"

    removed = {k: v for k, v in SITE.items() if k != "memo.md"}
    gone = refresh(bank, build_catalog(removed), authored_dir=folder)
    assert {q.id: q.status for q in gone.questions}["a-aht"] == "retired"
