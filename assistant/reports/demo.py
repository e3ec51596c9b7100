"""Demo data: a realistic practice history, so a new user sees a full report at once.

Enrols a fictional roster of the bundled site (five agent teams on the two client programs,
their team leads, the operations managers and the quality team), then replays several weeks
of daily practice through the real practice engine: each person practises on some working
days, answers the questions the FSRS queue serves, and gets them right with a probability
that grows with their skill and with each review. A few questions are harder than the rest
(they become the most-missed), a few people stopped practising or joined late, and the
managers and team leads take mock interviews. The same seed gives the same history; the demo
goes only into a database of its own, once.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from assistant.errors import AssistantError

if TYPE_CHECKING:
    from assistant.practice import Practice
    from assistant.questions.model import Question
    from assistant.records import Records

DEMO_PREFIX = "demo-"

FIRST = [
    "Amara",
    "Sofia",
    "Liam",
    "Noah",
    "Olivia",
    "Mateo",
    "Zara",
    "Ethan",
    "Priya",
    "Lucas",
    "Chloe",
    "Omar",
    "Hana",
    "Diego",
    "Maya",
    "Jonas",
    "Leila",
    "Ivan",
    "Nora",
    "Kofi",
    "Elif",
    "Ravi",
    "Ines",
    "Tariq",
    "Ada",
    "Felix",
    "Yara",
    "Sven",
    "Mina",
    "Theo",
    "Lina",
    "Emeka",
    "Rosa",
    "Kai",
    "Anya",
    "Malik",
    "Greta",
    "Samir",
    "Tessa",
    "Jun",
    "Farah",
    "Bruno",
    "Lucia",
    "Aiden",
    "Selin",
]
LAST = [
    "Adeyemi",
    "Baker",
    "Costa",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Mensah",
    "Nguyen",
    "Okoro",
    "Petrov",
    "Quinn",
    "Rossi",
    "Santos",
    "Tanaka",
    "Usman",
    "Vargas",
    "Walsh",
    "Xu",
    "Yilmaz",
    "Zhou",
]

#: (team, program slug, agents)
TEAMS: tuple[tuple[str, str, int], ...] = (
    ("HB Team Alpha", "harbor-bank", 8),
    ("HB Team Bravo", "harbor-bank", 8),
    ("HB Team Charlie", "harbor-bank", 7),
    ("LT Team Delta", "lumen-telecom", 7),
    ("LT Team Echo", "lumen-telecom", 6),
)
#: (external id, name, role, team, program)
STAFF: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("demo-marcus-webb", "Marcus Webb", "manager", "Operations", "harbor-bank"),
    ("demo-elena-sousa", "Elena Sousa", "manager", "Operations", "lumen-telecom"),
    ("demo-daniel-okafor", "Daniel Okafor", "quality", "Quality", None),
    ("demo-qa-analyst-1", "Ruth Osei", "quality", "Quality", None),
    ("demo-qa-analyst-2", "Tomasz Nowak", "quality", "Quality", None),
)


class DemoError(AssistantError):
    """Demo data cannot be written to this database."""


@dataclass
class DemoPerson:
    """A fictional person and how they practise."""

    external_id: str
    name: str
    role: str
    team: str
    program: str | None
    skill: float
    diligence: float
    starts: int
    """Day index (0 = first day of the history) they start practising."""
    stops: int
    """Day index after which they stop practising."""


@dataclass(frozen=True)
class DemoSummary:
    """What ``seed_demo`` wrote."""

    people: int
    attempts: int
    interviews: int
    approved: int
    start: datetime
    end: datetime


def check_demo_database(records: Records) -> None:
    """Refuse a database with real people, or one that holds the demo already.

    Raises:
        DemoError: the reason, and what to do instead.
    """
    people = records.list_people()
    others = [p for p in people if not p.external_id.startswith(DEMO_PREFIX)]
    if others:
        raise DemoError(
            f"the records database already holds {len(others)} real people; demo data goes "
            "only into a database of its own (set COPC_HOME or COPC_DATABASE_URL)"
        )
    if people:
        raise DemoError(
            f"the demo is already in this database ({len(people)} demo people); point "
            "COPC_HOME at an empty folder to seed it again"
        )


def roster(rng: random.Random, days: int) -> list[DemoPerson]:
    """The fictional roster with practice habits (deterministic for a seeded ``rng``)."""
    names = [f"{f} {last}" for f in FIRST for last in LAST]
    rng.shuffle(names)
    people: list[DemoPerson] = []

    def add(external_id: str, name: str, role: str, team: str, program: str | None) -> None:
        skill = rng.uniform(0.45, 0.85) + (0.08 if role != "agent" else 0.0)
        lapsed = rng.random() < 0.12
        late = rng.random() < 0.08
        people.append(
            DemoPerson(
                external_id,
                name,
                role,
                team,
                program,
                skill=min(skill, 0.92),
                diligence=rng.uniform(0.3, 0.95),
                starts=days - rng.randint(8, 13) if late else 0,
                stops=days - rng.randint(17, 24) if lapsed else days,
            )
        )

    for team, program, agents in TEAMS:
        slug = team.lower().replace(" ", "-")
        add(f"{DEMO_PREFIX}{slug}-lead", names.pop(), "team_lead", team, program)
        for n in range(1, agents + 1):
            add(f"{DEMO_PREFIX}{slug}-{n:02d}", names.pop(), "agent", team, program)
    for external_id, name, role, team, staff_program in STAFF:
        add(external_id, name, role, team, staff_program)
    return people


def response_for(question: Question, correct: bool, rng: random.Random) -> str:
    """What a person types: the right answer, or a plausible wrong one."""
    from assistant.practice import letter

    answer = question.answer
    if isinstance(answer, tuple):
        order = list(answer) if correct else list(reversed(answer))
        if not correct and order == list(answer):
            order = order[1:] + order[:1]
        return " ".join(str(i + 1) for i in order)
    if isinstance(answer, str):
        return answer if correct else "not sure"
    if correct:
        return letter(answer)
    wrong = [i for i in range(len(question.choices)) if i != answer]
    return letter(rng.choice(wrong)) if wrong else ""


def seed_demo(
    practice: Practice,
    *,
    now: datetime,
    weeks: int = 6,
    seed: int = 7,
    approve_drafts: bool = True,
    interviews: bool = True,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Write the demo roster and its practice history ending at ``now``.

    Raises:
        DemoError: the database holds real people, or the demo already.
    """
    check_demo_database(practice.records)
    practice.sync_bank()
    approved = _approve_drafts(practice) if approve_drafts else 0
    rng = random.Random(seed)
    days = weeks * 7
    start = datetime.combine((now - timedelta(days=days)).date(), time(0), tzinfo=UTC)
    people = roster(rng, days)
    for p in people:
        practice.enrol(
            p.external_id, display_name=p.name, role=p.role, team=p.team, program=p.program
        )
    hard = _hard_questions(practice, rng)
    areas = _areas_by_role(practice)
    attempts = 0
    seen: dict[tuple[str, str], int] = {}
    for day in range(days):
        moment = start + timedelta(days=day)
        if moment.weekday() >= 5:
            continue
        if progress:
            progress(f"{moment:%Y-%m-%d}")
        for p in people:
            if not p.starts <= day <= p.stops or rng.random() > p.diligence:
                continue
            at = moment + timedelta(hours=rng.randint(7, 16), minutes=rng.randint(0, 59))
            if at >= now:
                continue
            # Half the sessions pick an area to work on, as people do before an audit.
            choices = areas.get(p.role, [])
            area = rng.choice(choices) if choices and rng.random() < 0.5 else None
            queue = practice.next_questions(p.external_id, area=area, limit=4, now=at)
            for k, item in enumerate(queue):
                q = item.question
                reps = seen.get((p.external_id, q.id), 0)
                chance = p.skill + 0.07 * reps - 0.05 * (q.difficulty - 1) - hard.get(q.id, 0.0)
                correct = rng.random() < min(max(chance, 0.05), 0.97)
                practice.answer(
                    p.external_id,
                    q.id,
                    response_for(q, correct, rng),
                    idempotency_key=f"demo:{p.external_id}:{day}:{q.id}",
                    now=at + timedelta(seconds=40 * k),
                )
                seen[(p.external_id, q.id)] = reps + 1
                attempts += 1
    held = _interviews(practice, people, now, rng) if interviews else 0
    return DemoSummary(len(people), attempts, held, approved, start, now)


def _approve_drafts(practice: Practice) -> int:
    """Approve the generated draft questions, in the bank file and the records alike."""
    bank = practice.bank
    questions = bank.load()
    drafts = [q for q in questions if q.status == "draft"]
    if not drafts:
        return 0
    bank.save(q.with_status("approved") if q.status == "draft" else q for q in questions)
    practice.sync_bank(force=True)
    return len(drafts)


def _areas_by_role(practice: Practice) -> dict[str, list[str]]:
    """The COPC areas each role has approved questions in."""
    out: dict[str, set[str]] = {}
    for q in practice.records.list_questions(status="approved"):
        for role in q.roles or ["agent", "team_lead", "manager", "quality"]:
            out.setdefault(role, set()).add(q.area)
    return {role: sorted(found) for role, found in out.items()}


def _hard_questions(practice: Practice, rng: random.Random) -> dict[str, float]:
    """A few questions that most people miss (an unclear procedure, in the story)."""
    ids = sorted(q.id for q in practice.records.list_questions(status="approved"))
    picked = rng.sample(ids, k=min(4, len(ids)))
    return {qid: 0.4 for qid in picked}


def _interviews(
    practice: Practice, people: list[DemoPerson], now: datetime, rng: random.Random
) -> int:
    """One mock interview for each team lead, manager and quality person."""
    held = 0
    for n, p in enumerate(q for q in people if q.role != "agent"):
        when = now - timedelta(days=rng.randint(2, 20), hours=rng.randint(0, 6))
        try:
            step = practice.start_interview(p.external_id, now=when)
        except AssistantError:
            continue  # no interview questions for this role in this corpus
        turn = 0
        while step.prompt is not None:
            full = practice.assistant.ask(step.prompt).text
            good = rng.random() < p.skill
            answer = full if good else (full.split(". ")[0] + ".")
            step = practice.answer_interview(
                step.session_id,
                answer,
                idempotency_key=f"demo-interview:{p.external_id}:{n}:{turn}",
                now=when + timedelta(minutes=3 * (turn + 1)),
            )
            turn += 1
        held += 1
    return held
