"""Cards and the due queue, daily claims, feedback and interview sessions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from assistant.records import Card, Person, Records, RecordsError

from .conftest import NOW, make_question


def _card(person: Person, qid: str, due_in: timedelta, **kw: object) -> Card:
    return Card(
        person_id=person.id,
        question_id=qid,
        due=NOW + due_in,
        state={"state": 2},
        stability=3.0,
        last_review=NOW - timedelta(days=3),
        created_at=NOW - timedelta(days=3),
        **kw,  # type: ignore[arg-type]
    )


def test_card_round_trip(records: Records, agent: Person, bank: list[str]) -> None:
    assert records.get_card(agent, "q1") is None
    records.save_card(_card(agent, "q1", timedelta(days=2), reps=3, lapses=1, difficulty=5.5))
    card = records.get_card(agent.id, "q1")
    assert card is not None
    assert (card.due, card.reps, card.lapses, card.difficulty) == (
        NOW + timedelta(days=2),
        3,
        1,
        5.5,
    )
    assert card.state == {"state": 2}
    card.reps = 4
    records.save_card(card)
    assert records.get_card(agent, "q1").reps == 4  # type: ignore[union-attr]
    with pytest.raises(RecordsError, match="unknown question id 'nope'"):
        records.save_card(_card(agent, "nope", timedelta(0)))


def test_due_cards_most_overdue_first(records: Records, agent: Person, bank: list[str]) -> None:
    other = records.upsert_person("U-2", display_name="Other")
    records.save_card(_card(agent, "q1", -timedelta(hours=1)))
    records.save_card(_card(agent, "q2", -timedelta(days=2)))
    records.save_card(_card(agent, "q3", timedelta(hours=1)))  # not yet due
    records.save_card(_card(agent, "q4", -timedelta(days=1)))
    records.save_card(_card(agent, "q5", -timedelta(days=9)))
    records.save_card(_card(other, "q1", -timedelta(days=30)))  # someone else's
    records.set_question_status(["q5"], "retired")  # retired: never served

    assert [c.question_id for c in records.due_cards(agent, NOW)] == ["q2", "q4", "q1"]
    assert [c.question_id for c in records.due_cards(agent, NOW, 2)] == ["q2", "q4"]
    later = NOW + timedelta(hours=2)
    assert [c.question_id for c in records.due_cards(agent, later)] == ["q2", "q4", "q1", "q3"]
    records.upsert_questions([make_question("q4", area="training")])
    assert [c.question_id for c in records.due_cards(agent, NOW, area="training")] == ["q4"]


def test_new_questions_follow_role_and_skip_seen_ones(records: Records, agent: Person) -> None:
    records.upsert_questions(
        [
            make_question("hard", difficulty=3),
            make_question("easy", difficulty=1),
            make_question("managers", roles=["manager"]),
            make_question("agents", roles=["agent"], difficulty=2),
            make_question("draft", status="draft"),
            make_question("seen"),
        ]
    )
    records.save_card(_card(agent, "seen", timedelta(days=1)))
    assert [q.id for q in records.new_questions(agent, limit=10)] == ["easy", "agents", "hard"]
    assert [q.id for q in records.new_questions(agent, limit=1)] == ["easy"]
    assert records.new_questions(agent, limit=0) == []
    assert records.cards_introduced_since(agent, NOW - timedelta(days=4)) == 1
    assert records.cards_introduced_since(agent, NOW) == 0


def test_cards_with_area(records: Records, agent: Person, bank: list[str]) -> None:
    records.upsert_questions([make_question("q2", area="training")])
    records.save_card(_card(agent, "q1", timedelta(0)))
    records.save_card(_card(agent, "q2", timedelta(0)))
    pairs = records.cards_with_area(agent)
    assert [(c.question_id, area) for c, area in pairs] == [
        ("q1", "quality_management"),
        ("q2", "training"),
    ]


def test_claim_daily_once_per_person_per_day(records: Records, agent: Person) -> None:
    other = records.upsert_person("U-2", display_name="Other")
    day = date(2025, 3, 3)
    assert records.claim_daily(agent, day, now=NOW) is True
    assert records.claim_daily(agent, day, now=NOW) is False
    assert records.claim_daily(other, day, now=NOW) is True
    assert records.claim_daily(agent.id, day + timedelta(days=1), now=NOW) is True
    with pytest.raises(RecordsError, match="unknown person id 404"):
        records.claim_daily(404, day)


def test_feedback(records: Records, agent: Person) -> None:
    long = "y" * 20_000
    made = records.add_feedback(agent, "What is a fatal error?", long, "down", "wrong doc", now=NOW)
    assert made.id > 0
    [got] = records.feedback_between(NOW, NOW + timedelta(seconds=1))
    assert (got.question, got.rating, got.reason, got.created_at) == (
        "What is a fatal error?",
        "down",
        "wrong doc",
        NOW,
    )
    assert len(got.answer) == 10_000
    with pytest.raises(RecordsError, match="feedbackrating 'meh' is not one of"):
        records.add_feedback(agent, "q", "a", "meh")


def test_interview_sessions(records: Records, agent: Person) -> None:
    session = records.start_interview(agent, "team_lead", now=NOW)
    records.add_interview_turn(session.id, {"question": "How was the AHT target set?"})
    records.add_interview_turn(session.id, {"answer": "From the forecast", "score": 55})
    done = records.finish_interview(session.id, now=NOW + timedelta(minutes=9))
    assert done.turns == [
        {"question": "How was the AHT target set?"},
        {"answer": "From the forecast", "score": 55},
    ]
    assert records.finish_interview(session.id, now=NOW + timedelta(hours=1)).finished_at == (
        NOW + timedelta(minutes=9)
    )
    with pytest.raises(RecordsError, match=f"interview session {session.id} is already finished"):
        records.add_interview_turn(session.id, {"question": "late"})
    fetched = records.get_interview(session.id)
    assert (fetched.role, fetched.started_at, len(fetched.turns)) == ("team_lead", NOW, 2)
    assert [s.id for s in records.interviews_for(agent)] == [session.id]
    with pytest.raises(RecordsError, match="unknown interview session 999"):
        records.get_interview(999)
