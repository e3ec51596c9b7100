"""People and the question bank round-trip on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from assistant.records import Records, RecordsError

from .conftest import NOW, make_question


def test_people_round_trip(records: Records) -> None:
    madrid_morning = datetime(2025, 3, 3, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    made = records.upsert_person(
        "U123",
        display_name="Lucía",
        role="team_lead",
        team="blue",
        program="Acme Telco",
        timezone="Europe/Madrid",
        now=madrid_morning,
    )
    found = records.get_person("U123")
    assert found is not None
    assert (found.id, found.display_name, found.role, found.team, found.program) == (
        made.id,
        "Lucía",
        "team_lead",
        "blue",
        "Acme Telco",
    )
    assert found.timezone == "Europe/Madrid"
    assert found.created_at == datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    assert found.created_at.tzinfo is UTC

    updated = records.upsert_person("U123", display_name="Lucía P.", role="manager")
    assert updated.id == made.id
    assert records.person(made.id).role == "manager"
    assert records.get_person("nobody") is None
    assert [p.external_id for p in records.list_people(role="manager")] == ["U123"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"role": "boss"}, "role 'boss' is not one of"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
    ],
)
def test_bad_person_values_are_rejected(
    records: Records, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(RecordsError, match=message):
        records.upsert_person("U1", display_name="X", **kwargs)  # type: ignore[arg-type]
    assert records.get_person("U1") is None


def test_unknown_person_id(records: Records) -> None:
    with pytest.raises(RecordsError, match="unknown person id 999"):
        records.person(999)


def test_questions_round_trip_and_bulk_upsert(records: Records) -> None:
    payload = {
        "choices": ["4 hours", "24 hours", "Ñ-72 hours"],
        "answer": "24 hours",
        "explanation": "The procedure says so.",
        "citation": {"doc": "CA-02", "section": "Timing", "quote": "within 24 hours"},
    }
    first = [
        make_question("q-a", payload=payload, roles=["agent", "team_lead"], difficulty=2),
        make_question("q-b", area="target_setting"),
        make_question("q-c", status="draft"),
    ]
    assert records.upsert_questions(first, now=NOW).inserted == 3

    got = records.get_question("q-a")
    assert got.payload == payload
    assert got.roles == ["agent", "team_lead"]
    assert (got.difficulty, got.area, got.status) == (2, "quality_management", "approved")
    assert (got.source_doc_id, got.source_section, got.source_hash) == (
        "QA-01",
        "Monitoring",
        "abc",
    )
    assert got.updated_at == NOW

    later = NOW + timedelta(days=1)
    again = [
        make_question("q-a", payload=payload, roles=["agent", "team_lead"], difficulty=2),
        make_question("q-b", area="target_setting", prompt="Reworded?"),
        make_question("q-d"),
    ]
    report = records.upsert_questions(again, now=later)
    assert (report.inserted, report.updated, report.unchanged) == (1, 1, 1)
    assert records.get_question("q-a").updated_at == NOW
    assert records.get_question("q-b").prompt == "Reworded?"
    assert records.get_question("q-b").updated_at == later

    assert [q.id for q in records.list_questions(status="approved")] == ["q-a", "q-d", "q-b"]
    assert [q.id for q in records.list_questions(area="target_setting")] == ["q-b"]
    assert records.set_question_status(["q-a", "q-c"], "retired", now=later) == 2
    assert records.get_question("q-c").status == "retired"


def test_unknown_question_id_is_a_clear_error(records: Records) -> None:
    with pytest.raises(RecordsError) as caught:
        records.get_question("q-missing")
    assert str(caught.value) == (
        "unknown question id 'q-missing'; see `copc questions list` for the bank"
    )
    with pytest.raises(RecordsError, match="unknown question id 'q-missing'"):
        records.set_question_status(["q-missing"], "approved")


def test_bad_question_status_is_rejected(records: Records) -> None:
    with pytest.raises(RecordsError, match="questionstatus 'live' is not one of"):
        records.upsert_questions([make_question("q1", status="live")])
    assert records.list_questions() == []
