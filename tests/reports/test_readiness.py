"""Report figures against the hand-computed history of ``conftest.scenario`` (both backends)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from assistant.errors import AssistantError
from assistant.records import Records
from assistant.reports import ReportError, build_report
from assistant.reports.model import ReportPolicy
from assistant.scheduling import FORECAST_TIME, Scheduler

from .conftest import NOW, SINCE, Scenario

AUDIT_DAY = date(2026, 3, 20)


def recall(s: Scenario, who: str, at: datetime) -> dict[str, float]:
    """Each approved card's recall, straight from the scheduler (the independent reference)."""
    person = s.people[who]
    cards = s.records.cards_with_area(person)
    return {card.question_id: s.scheduler.retrievability(card, at) for card, _ in cards}


def by_name(rows, name):  # type: ignore[no-untyped-def]
    return next(r for r in rows if r.name == name)


def test_counts_and_rates_match_the_hand_computed_history(scenario: Scenario) -> None:
    report = build_report(scenario.records, scenario.scheduler, since=SINCE, now=NOW)
    people = {p.name: p for p in report.people}
    assert [p.name for p in report.people] == ["Alice", "Bob", "Carol", "Dave"]

    # attempts in [NOW-28d, NOW): alice 3 (2 right), bob 1 (0), carol 2 (1), dave 0
    assert [(people[n].tally.attempts, people[n].tally.correct) for n in people] == [
        (3, 2),
        (1, 0),
        (2, 1),
        (0, 0),
    ]
    # first-ever attempts made in the period: bob's first (D-30) is before it
    assert (people["Alice"].tally.first_attempts, people["Alice"].tally.first_correct) == (2, 1)
    assert people["Bob"].tally.first_attempts == 0
    assert people["Bob"].tally.first_attempt_accuracy is None
    assert people["Carol"].tally.first_attempt_accuracy == 0.5
    # practised in the 14 days before now
    assert [people[n].active for n in people] == [True, True, True, False]
    assert people["Alice"].last_practice == NOW - timedelta(days=1)
    assert people["Dave"].last_practice is None
    # interviews: carol, one session, answers scored 60 and 80
    assert (people["Carol"].interviews, people["Carol"].interview_answers) == (1, 2)
    assert people["Carol"].interview_score == pytest.approx(70.0)
    assert people["Alice"].interview_score is None

    site = report.site
    assert (site.people, site.active, site.tally.attempts, site.tally.correct) == (4, 3, 6, 3)
    assert site.coverage == 0.75
    assert site.tally.accuracy == 0.5
    assert (site.tally.first_attempts, site.tally.first_correct) == (4, 2)
    assert site.interview_score == pytest.approx(70.0)
    teams = {g.name: g for g in report.teams}
    assert (teams["T1"].tally.attempts, teams["T1"].tally.correct, teams["T1"].active) == (4, 2, 2)
    assert (teams["T2"].people, teams["T2"].active, teams["T2"].coverage) == (2, 1, 0.5)
    assert [g.name for g in report.programs] == ["harbor-bank", "lumen-telecom"]
    assert {g.name: g.people for g in report.roles} == {"agent": 3, "team_lead": 1}


def test_mastery_and_audit_day_recall_pool_the_schedulers_own_recall(scenario: Scenario) -> None:
    report = build_report(
        scenario.records, scenario.scheduler, since=SINCE, now=NOW, audit_date=AUDIT_DAY
    )
    audit_at = datetime.combine(AUDIT_DAY, FORECAST_TIME)
    pooled_now: list[float] = []
    pooled_audit: list[float] = []
    for name, who in (("Alice", "alice"), ("Bob", "bob"), ("Carol", "carol")):
        row = by_name(report.people, name)
        now_values = recall(scenario, who, NOW)
        audit_values = recall(scenario, who, audit_at)
        pooled_now += now_values.values()
        pooled_audit += audit_values.values()
        assert row.tally.cards == len(now_values)
        assert row.tally.mastery == pytest.approx(sum(now_values.values()) / len(now_values))
        assert row.tally.predicted_recall == pytest.approx(
            sum(audit_values.values()) / len(audit_values)
        )
        forecast = scenario.scheduler.forecast_for(
            scenario.records, scenario.people[who], AUDIT_DAY
        )
        assert row.tally.predicted_recall == pytest.approx(forecast.overall)
    assert by_name(report.people, "Dave").tally.mastery is None
    assert report.site.tally.mastery == pytest.approx(sum(pooled_now) / len(pooled_now))
    assert report.site.tally.predicted_recall == pytest.approx(
        sum(pooled_audit) / len(pooled_audit)
    )
    # per area: alice's calibration cards are q-a1 and q-a2
    alice = recall(scenario, "alice", NOW)
    assert by_name(report.people, "Alice").areas["calibration"].mastery == pytest.approx(
        (alice["q-a1"] + alice["q-a2"]) / 2
    )
    # the retired question never counts, though it has no cards here either
    assert "q-r" not in {c.question_id for c, _ in scenario.records.cards_with_area()}


def test_must_know_readiness_follows_role_difficulty_and_recall(scenario: Scenario) -> None:
    report = build_report(scenario.records, scenario.scheduler, since=SINCE, now=NOW)
    rows = {p.name: p for p in report.people}
    # agents: q-a1 only (q-a2 is difficulty 2, q-b1 is for team leads, q-r is retired)
    assert (rows["Alice"].must_know, rows["Bob"].must_know, rows["Dave"].must_know) == (1, 1, 1)
    assert rows["Carol"].must_know == 2  # q-a1 and q-b1
    expected = {
        "Alice": recall(scenario, "alice", NOW)["q-a1"] >= 0.8,
        "Bob": recall(scenario, "bob", NOW)["q-a1"] >= 0.8,
        "Carol": all(v >= 0.8 for k, v in recall(scenario, "carol", NOW).items()),
        "Dave": False,
    }
    assert {n: r.ready for n, r in rows.items()} == expected
    # the history was built so that only alice recalls q-a1 well one day after getting it right
    assert expected == {"Alice": True, "Bob": False, "Carol": False, "Dave": False}
    assert (rows["Carol"].must_know_seen, rows["Dave"].must_know_seen) == (2, 0)
    assert [p.name for p in report.not_ready] == ["Bob", "Dave", "Carol"]  # least ready first
    assert report.site.ready == 1


def test_weekly_trend_buckets_by_monday_weeks(scenario: Scenario) -> None:
    report = build_report(scenario.records, scenario.scheduler, since=SINCE, now=NOW)
    weeks = [date(2026, 2, 2) + timedelta(weeks=k) for k in range(5)]
    overall = [(w.week, w.attempts, w.correct, w.people) for w in report.trend if w.series == "all"]
    assert overall == [
        (weeks[0], 0, 0, 0),
        (weeks[1], 1, 0, 1),
        (weeks[2], 0, 0, 0),
        (weeks[3], 5, 3, 3),
        (weeks[4], 0, 0, 0),
    ]
    t1 = {w.week: (w.attempts, w.correct, w.people) for w in report.trend if w.series == "T1"}
    assert t1[weeks[1]] == (1, 0, 1) and t1[weeks[3]] == (3, 2, 2)
    t2 = {w.week: (w.attempts, w.correct, w.people) for w in report.trend if w.series == "T2"}
    assert t2[weeks[3]] == (2, 1, 1) and t2[weeks[1]] == (0, 0, 0)


def test_most_missed_questions_carry_their_source(scenario: Scenario) -> None:
    report = build_report(scenario.records, scenario.scheduler, since=SINCE, now=NOW)
    assert len(report.missed) == 1
    m = report.missed[0]
    assert (m.question_id, m.attempts, m.misses, m.people_missing) == ("q-a1", 4, 3, 3)
    assert m.miss_rate == 0.75
    assert (m.source_doc_id, m.source_section, m.source_file) == (
        "DOC-calibration",
        "Section on q-a1",
        "calibration.md",
    )


def test_team_program_and_period_filters(scenario: Scenario) -> None:
    team = build_report(scenario.records, scenario.scheduler, team="T1", since=SINCE, now=NOW)
    assert [p.name for p in team.people] == ["Alice", "Bob"]
    assert (team.site.tally.attempts, team.missed[0].misses) == (4, 2)
    program = build_report(
        scenario.records, scenario.scheduler, program="lumen-telecom", since=SINCE, now=NOW
    )
    assert [p.name for p in program.people] == ["Carol", "Dave"]
    assert program.site.tally.attempts == 2
    # a period that ends before the last week: until is an inclusive date
    early = build_report(
        scenario.records,
        scenario.scheduler,
        since=date(2026, 2, 1),
        until=date(2026, 2, 20),
        now=NOW,
    )
    assert early.until == datetime(2026, 2, 21, tzinfo=UTC)
    assert early.site.tally.attempts == 1  # alice's wrong answer on D-20 (2026-02-10)
    assert early.as_of == early.until


def test_an_empty_database_reports_nothing_without_failing(sqlite_records: Records) -> None:
    report = build_report(sqlite_records, Scheduler(), now=NOW)
    assert report.people == () and report.missed == ()
    assert report.site.coverage is None and report.site.tally.mastery is None
    assert all(w.attempts == 0 for w in report.trend)


def test_bad_options_are_one_line_errors(sqlite_records: Records) -> None:
    with pytest.raises(ReportError, match="the period is empty"):
        build_report(sqlite_records, Scheduler(), since=date(2026, 3, 1), until=date(2026, 2, 1))
    with pytest.raises(AssistantError, match="no time zone"):
        build_report(sqlite_records, Scheduler(), now=datetime(2026, 3, 1, 12))


def test_policy_changes_the_thresholds(scenario: Scenario) -> None:
    strict = build_report(
        scenario.records,
        scenario.scheduler,
        since=SINCE,
        now=NOW,
        policy=ReportPolicy(ready_recall=0.999, coverage_days=3, must_know_difficulty=2),
    )
    rows = {p.name: p for p in strict.people}
    assert rows["Alice"].must_know == 2  # q-a2 (difficulty 2, everyone) joins q-a1
    assert not rows["Alice"].ready
    assert [rows[n].active for n in rows] == [True, False, True, False]  # bob last practised D-5


def test_must_know_is_the_sites_authored_questions_when_it_has_any(scenario: Scenario) -> None:
    from .conftest import question

    authored = question("q-a1", "calibration", ["agent", "team_lead"], 1, "approved")
    authored.payload = {**authored.payload, "origin": "authored"}
    generated = question("q-g1", "calibration", ["agent"], 1, "approved")
    scenario.records.upsert_questions([authored, generated], now=NOW)
    report = build_report(scenario.records, scenario.scheduler, since=SINCE, now=NOW)
    rows = {p.name: p for p in report.people}
    # agents: only the authored q-a1, not the generated q-g1 of the same difficulty
    assert rows["Alice"].must_know == 1 and rows["Alice"].ready
    # team leads: the site authored q-a1 for them too, so q-b1 (generated) no longer counts
    assert rows["Carol"].must_know == 1
    everything = build_report(
        scenario.records,
        scenario.scheduler,
        since=SINCE,
        now=NOW,
        policy=ReportPolicy(must_know_authored=False),
    )
    rows = {p.name: p for p in everything.people}
    assert (rows["Alice"].must_know, rows["Carol"].must_know) == (2, 2)
    assert not rows["Alice"].ready  # she never saw q-g1


def test_the_default_period_starts_with_the_first_week_of_practice(scenario: Scenario) -> None:
    report = build_report(scenario.records, scenario.scheduler, now=NOW)
    # 12 weeks before NOW is 2025-12-08; bob's first answer (2026-01-31) is later: its Monday
    assert report.since == datetime(2026, 1, 26, tzinfo=UTC)
    assert next(w.week for w in report.trend if w.series == "all") == date(2026, 1, 26)
    assert report.site.tally.attempts == 7  # bob's answer of D-30 is now inside the period
