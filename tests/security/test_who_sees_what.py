"""Who sees what: the role matrix, over the real assistant, practice engine and Slack bot.

- Readiness reports: managers and the quality team see any team, a team lead only their
  own, agents and WFM planners none; ``/copc stats`` only ever shows your own figures.
- A person scoped to a client program (``program`` in ``COPC_ROLES_FILE``) never gets
  another client program's documents: not in answers (citations, closest sections), not
  in quizzes (the question's source), not in mock interviews, not in reports.

The bundled corpus has Harbor Bank, Lumen Telecom and site-wide documents.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_fixtures import LiveBot, new_user, start_bot
from slack_standin import SlackStandIn, buttons

from assistant.app import Assistant
from assistant.chunking import SITE_WIDE, normalise_program
from assistant.config import Settings
from assistant.practice import Practice
from assistant.questions.model import SINGLE_CHOICE
from bots.report import REFUSAL

pytestmark = pytest.mark.slow

HARBOR, LUMEN = "harbor-bank", "lumen-telecom"
GOLD = Path(__file__).resolve().parents[2] / "evals" / "datasets" / "site.jsonl"


def program_of(value: str | None) -> str:
    return normalise_program(value)


def in_scope(program: str | None, scope: str) -> bool:
    return program_of(program) in (SITE_WIDE, scope)


# -- answers ---------------------------------------------------------------------------


def test_the_corpus_has_documents_of_both_programs(sec_assistant: Assistant) -> None:
    programs = {
        c.metadata.get("program") for c in sec_assistant.index.store.scan(include_text=False)
    }
    assert {HARBOR, LUMEN, SITE_WIDE} <= programs


@pytest.mark.parametrize("scope", [HARBOR, LUMEN])
def test_answers_for_a_scoped_person_cite_only_their_program_and_site_wide(
    sec_assistant: Assistant, scope: str
) -> None:
    gold = [json.loads(line)["question"] for line in GOLD.read_text().splitlines() if line]
    questions = gold[::3]  # a third of the gold set: every type of question, in a few seconds
    questions += [
        "What is the Lumen Telecom chat first response target?",
        "What is the Harbor Bank service level target?",
        "What is the QA sample size per agent?",
    ]
    cited: set[str] = set()
    for question in questions:
        answer = sec_assistant.ask(question, program=scope)
        for c in answer.citations:
            assert in_scope(c.program, scope), f"{question!r} cited {c.doc_id} ({c.program})"
            cited.add(program_of(c.program))
        for hit in answer.closest:
            program = str(hit.metadata.get("program"))
            assert in_scope(program, scope), f"{question!r} offered {hit.doc_id} ({program})"
    assert scope in cited, "the scope's own documents are cited"


# -- quizzes ---------------------------------------------------------------------------


def question_programs(practice: Practice) -> dict[str, str]:
    return {q.id: program_of(q.citation.program) for q in practice.bank_questions()}


def test_new_questions_for_a_scoped_person_come_from_their_program_or_site_wide(
    sec_practice: Practice,
) -> None:
    programs = question_programs(sec_practice)
    harbor, anyone = new_user(), new_user()
    sec_practice.enrol(harbor, program="Harbor Bank")
    sec_practice.enrol(anyone)
    records = sec_practice.records

    def served(user: str) -> set[str]:
        person = records.get_person(user)
        assert person is not None
        return {programs[q.id] for q in records.new_questions(person, limit=100_000)}

    assert LUMEN in served(anyone), "without a scope every program's questions are served"
    assert served(harbor) == {HARBOR, SITE_WIDE}
    items = sec_practice.next_questions(harbor, limit=50)
    assert items and {programs[i.question.id] for i in items} <= {HARBOR, SITE_WIDE}


def test_cards_from_another_program_are_not_due_once_a_person_is_scoped(
    sec_practice: Practice,
) -> None:
    programs = question_programs(sec_practice)
    user = new_user()
    sec_practice.enrol(user)  # not scoped yet: practises both programs
    approved = [
        q
        for q in sec_practice.bank_questions()
        if q.status == "approved" and q.type in SINGLE_CHOICE and not q.roles
    ] or [
        q
        for q in sec_practice.bank_questions()
        if q.status == "approved" and q.type in SINGLE_CHOICE
    ]
    picked = {p: next(q for q in approved if programs[q.id] == p) for p in (HARBOR, LUMEN)}
    for program, question in picked.items():
        sec_practice.answer(user, question.id, "A", idempotency_key=f"sec:{user}:{program}")
    person = sec_practice.records.get_person(user)
    later = datetime.now(UTC) + timedelta(days=400)
    assert person is not None
    due = {c.question_id for c in sec_practice.records.due_cards(person, later)}
    assert {picked[HARBOR].id, picked[LUMEN].id} <= due
    sec_practice.enrol(user, program="Harbor Bank")
    person = sec_practice.records.get_person(user)
    assert person is not None
    due = {c.question_id for c in sec_practice.records.due_cards(person, later)}
    assert picked[HARBOR].id in due and picked[LUMEN].id not in due
    queue = sec_practice.next_questions(user, limit=100, now=later)
    assert {programs[i.question.id] for i in queue} <= {HARBOR, SITE_WIDE}


# -- mock interviews -------------------------------------------------------------------


@pytest.mark.parametrize(("scope", "name"), [(HARBOR, "Harbor Bank"), (LUMEN, "Lumen Telecom")])
def test_interviews_for_a_scoped_person_stay_in_their_program(
    sec_practice: Practice, scope: str, name: str
) -> None:
    user = new_user()
    sec_practice.enrol(user, role="manager", program=name)
    step = sec_practice.start_interview(user)
    asked = 0
    while step.prompt is not None:
        asked += 1
        step = sec_practice.answer_interview(
            step.session_id, "I would check the procedure.", idempotency_key=f"sec:{user}:{asked}"
        )
        assert step.grade is not None
        for c in step.grade.citations:
            assert in_scope(c.program, scope), f"model answer cited {c.doc_id} ({c.program})"
    assert asked >= 1


# -- the Slack bot: reports, stats, quizzes and answers by role and program --------------


@pytest.fixture
def people() -> dict[str, str]:
    """Fresh Slack ids for each role (the records database is shared by the session)."""
    return {role: new_user() for role in ("agent", "lead", "manager", "quality", "wfm", "lumen")}


@pytest.fixture
def scoped_bot(
    people: dict[str, str],
    bot_settings: Settings,
    sec_assistant: Assistant,
    sec_practice: Practice,
    standin: SlackStandIn,
    tmp_path: Path,
) -> Iterator[LiveBot]:
    roles = tmp_path / "roles.yaml"
    roles.write_text(
        "users:\n"
        f"  {people['agent']}: {{role: agent, team: Harbor Voice A, program: Harbor Bank}}\n"
        f"  {people['lead']}: {{role: team_lead, team: Harbor Voice A, program: Harbor Bank}}\n"
        f"  {people['manager']}: {{role: manager, program: Harbor Bank}}\n"
        f"  {people['quality']}: {{role: quality}}\n"
        f"  {people['wfm']}: {{role: wfm}}\n"
        f"  {people['lumen']}: {{role: agent, team: Lumen Chat, program: Lumen Telecom}}\n"
    )
    bot = start_bot(
        bot_settings.model_copy(update={"roles_file": roles}),
        sec_assistant,
        sec_practice,
        standin,
    )
    yield bot
    bot.server.stop()


def replies(bot: LiveBot, count: int) -> list[dict[str, object]]:
    return [c.params for c in bot.standin.wait_count("response_url", count, timeout=60)]


@pytest.mark.parametrize(
    ("who", "text", "allowed"),
    [
        ("agent", "report", False),
        ("agent", "report Harbor Voice A", False),
        ("wfm", "report", False),
        ("lead", "report Lumen Chat", False),
        ("lead", "report Harbor Voice A", True),
        ("lead", "report", True),  # their own team
        ("manager", "report Lumen Chat", True),
        ("quality", "report", True),
    ],
)
def test_who_may_see_a_team_report(
    scoped_bot: LiveBot, people: dict[str, str], who: str, text: str, allowed: bool
) -> None:
    scoped_bot.slack.command(people[who], text)
    reply = replies(scoped_bot, 1)[0]
    assert reply["response_type"] == "ephemeral"
    assert (reply["text"] != REFUSAL) is allowed, reply["text"]


def test_stats_are_always_your_own(
    scoped_bot: LiveBot, people: dict[str, str], sec_practice: Practice
) -> None:
    practised = people["lumen"]
    sec_practice.enrol(practised, program="Lumen Telecom")
    item = next(i for i in sec_practice.next_questions(practised, limit=20) if i.question.choices)
    sec_practice.answer(practised, item.question.id, "A", idempotency_key=f"sec:{practised}")
    scoped_bot.slack.command(people["agent"], f"stats {practised}")
    shown = json.dumps(replies(scoped_bot, 1)[0], ensure_ascii=False)
    assert "*Last 7 days:* 0 answers" in shown, "the agent sees their own (empty) figures"


def _record_one_answer(practice: Practice, user: str) -> None:
    item = next(i for i in practice.next_questions(user, limit=20) if i.question.choices)
    practice.answer(user, item.question.id, "A", idempotency_key=f"sec:report:{user}")


def test_a_program_scoped_manager_reports_only_on_their_programs_people(
    scoped_bot: LiveBot, people: dict[str, str], sec_practice: Practice
) -> None:
    tag = uuid.uuid4().hex[:6]
    harbor, lumen = new_user(), new_user()
    sec_practice.enrol(
        harbor, display_name=f"Hana {tag}", team=f"Harbor {tag}", program="Harbor Bank"
    )
    sec_practice.enrol(
        lumen, display_name=f"Luca {tag}", team=f"Lumen {tag}", program="Lumen Telecom"
    )
    for user in (harbor, lumen):
        _record_one_answer(sec_practice, user)
    scoped_bot.slack.command(people["manager"], "report")
    shown = "\n".join(json.dumps(r, ensure_ascii=False) for r in replies(scoped_bot, 1))
    assert f"Harbor {tag}" in shown, "the manager's own program is reported"
    assert f"Lumen {tag}" not in shown and f"Luca {tag}" not in shown


def test_a_quiz_in_slack_serves_a_scoped_person_their_program_only(
    scoped_bot: LiveBot, people: dict[str, str], sec_practice: Practice
) -> None:
    programs = question_programs(sec_practice)
    user = people["lumen"]
    scoped_bot.slack.command(user, "quiz")
    posted = scoped_bot.standin.wait_for(
        lambda calls: (
            sum(bool(buttons(c.params)) or bool(c.params.get("metadata")) for c in calls) >= 3
        ),
        what="three quiz questions",
        timeout=60,
    )
    ids = {
        str(b["value"]).rpartition("|")[0] for c in posted for b in buttons(c.params) if b["value"]
    } | {
        str(c.params["metadata"]["event_payload"]["question_id"])
        for c in posted
        if c.params.get("metadata")
    }
    assert ids and {programs[i] for i in ids} <= {LUMEN, SITE_WIDE}


def test_a_scoped_agents_slack_answer_cites_only_their_program(
    scoped_bot: LiveBot, people: dict[str, str], sec_assistant: Assistant
) -> None:
    stored = sec_assistant.index.store.scan(include_text=False)
    lumen_docs = {str(c.metadata["doc_id"]) for c in stored if c.metadata.get("program") == LUMEN}
    assert lumen_docs
    scoped_bot.slack.command(
        people["agent"], "ask What is the chat first response target for Lumen Telecom?"
    )
    shown = json.dumps(replies(scoped_bot, 1)[0], ensure_ascii=False)
    assert "Sources" in shown or "No evidence" in shown
    for doc_id in lumen_docs:
        assert f"*{doc_id}*" not in shown, f"{doc_id} (Lumen Telecom) was cited"
