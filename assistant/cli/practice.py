"""Practice commands: ``quiz``, ``interview``, ``stats``, ``questions generate|list|lint|review``.

Each reads answers one line at a time from standard input, so a terminal session and a
piped script (``printf 'B\\n80%%\\n' | copc quiz``) behave the same; the end of input ends
the session cleanly with what was recorded so far.
"""

from __future__ import annotations

import getpass
import json
import os
import uuid
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import click

from assistant.cli.common import edge

#: Tries for an answer that cannot be read (e.g. "E" with four choices) before moving on.
MAX_TRIES = 3


def _user(user: str | None) -> str:
    return user or os.environ.get("COPC_USER") or f"cli:{getpass.getuser()}"


def _practice() -> Any:
    from assistant.practice import Practice

    practice = Practice.from_settings()
    if practice.assistant.index.is_empty():
        click.echo("first use: indexing the bundled corpus (once)...", err=True)
    if not practice.bank.path.is_file():
        click.echo("first use: building the question bank (once)...", err=True)
    practice.sync_bank()
    return practice


def _read(prompt: str) -> str | None:
    """One line from the person; None at the end of input."""
    try:
        return str(click.prompt(prompt, default="", show_default=False, prompt_suffix="> "))
    except click.Abort:
        click.echo("")
        return None


def _show_question(number: int, total: int, question: Any, new: bool) -> None:
    from assistant.practice import letter

    tag = "new" if new else "review"
    click.secho(f"\n[{number}/{total}] {question.area} · {tag}", fg="cyan")
    click.echo(question.prompt)
    for i, choice in enumerate(question.choices):
        click.echo(f"  {letter(i)}. {choice}")
    hints = {
        "cloze": "Type the missing words.",
        "ordering": "Type the letters in the right order, e.g. C A B.",
    }
    hint = hints.get(question.type, "Type the letter of your answer.")
    click.secho(f"{hint} (Enter alone: I don't know)", dim=True)


def _cite(citation: Any) -> str:
    version = f" v{citation.version}" if citation.version else ""
    quote = " ".join(citation.quote.split())
    return f"{citation.doc_id}{version} § {citation.section}: “{quote}”"


def _show_result(result: Any) -> None:
    marks = {"correct": ("✓ correct", "green"), "partial": ("~ partly right", "yellow")}
    label, colour = marks.get(result.verdict, ("✗ not right", "red"))
    if not result.response.strip():
        label = "No answer given: counted as not known"
    click.secho(f"{label} ({result.score:.0f}/100)", fg=colour, bold=True)
    if result.verdict != "correct":
        click.echo(f"Answer: {result.correct_text}")
    if result.explanation:
        click.echo(result.explanation)
    click.secho(f"Source: {_cite(result.citation)}", dim=True)
    if not result.recorded:
        click.secho("(already recorded; not counted twice)", dim=True)


def _show_stats(stats: Any) -> None:
    click.secho("\nYour readiness", bold=True)
    click.echo(f"Due now: {stats.due_now} · new available today: {stats.new_today}")
    if stats.accuracy_7d is not None:
        click.echo(f"Last 7 days: {stats.attempts_7d} answers, {stats.accuracy_7d:.0%} right")
    if not stats.mastery:
        click.echo("No mastery yet: answer some questions first.")
    for area, m in stats.mastery.items():
        bar = "█" * round(m.mastery * 10) + "·" * (10 - round(m.mastery * 10))
        click.echo(f"  {area:<26} {bar} {m.mastery:.0%} ({m.cards} questions)")
    if stats.predicted_recall is not None:
        f = stats.predicted_recall
        click.echo(f"Predicted recall on {f.at.date()}: {f.overall:.0%} over {f.cards} questions")


def _stats_json(stats: Any) -> dict[str, Any]:
    forecast = stats.predicted_recall
    return {
        "user": stats.person.external_id,
        "role": stats.person.role,
        "due_now": stats.due_now,
        "new_today": stats.new_today,
        "attempts_7d": stats.attempts_7d,
        "accuracy_7d": stats.accuracy_7d,
        "mastery": {a: round(m.mastery, 4) for a, m in stats.mastery.items()},
        "cards": {a: m.cards for a, m in stats.mastery.items()},
        "predicted_recall": None
        if forecast is None
        else {"date": forecast.at.date().isoformat(), "overall": round(forecast.overall, 4)},
    }


@click.command()
@click.option("--user", help="Who is practising (default: $COPC_USER, else your login).")
@click.option("--area", help="Only questions of this COPC area, e.g. sample-size.")
@click.option("--n", "count", default=5, show_default=True, help="Questions in this session.")
@edge
def quiz(user: str | None, area: str | None, count: int) -> None:
    """Practise in the terminal: due reviews first, then new questions."""
    from assistant.practice import PracticeError

    practice = _practice()
    who = _user(user)
    items = practice.next_questions(who, area=area, limit=count)
    if not items:
        click.echo("Nothing due and no new questions left today. Well done.")
    session = uuid.uuid4().hex[:12]
    right = 0
    for number, item in enumerate(items, start=1):
        question = item.question
        _show_question(number, len(items), question, item.new)
        result = None
        for _try in range(MAX_TRIES):
            response = _read("answer")
            if response is None:
                _finish(practice, who, right, number - 1)
                return
            try:
                result = practice.answer(
                    who, question.id, response, idempotency_key=f"cli:{session}:{question.id}"
                )
                break
            except PracticeError as exc:
                click.secho(str(exc), fg="yellow")
        if result is None:
            click.echo("Skipped: no answer recorded.")
            continue
        right += result.correct
        _show_result(result)
    _finish(practice, who, right, len(items))


def _finish(practice: Any, who: str, right: int, asked: int) -> None:
    if asked:
        click.secho(f"\n{right} of {asked} right.", bold=True)
    _show_stats(practice.stats(who))


@click.command()
@click.option("--user", help="Who is interviewed (default: $COPC_USER, else your login).")
@click.option("--role", help="Interview as this role: agent, team_lead, manager, quality, wfm.")
@click.option("--n", "count", type=int, help="Questions (default: COPC_INTERVIEW_LENGTH).")
@click.option("--json", "as_json", is_flag=True, help="Print each graded answer as JSON.")
@edge
def interview(user: str | None, role: str | None, count: int | None, as_json: bool) -> None:
    """A mock assessor interview: open questions, free-text answers graded against the evidence."""
    practice = _practice()
    who = _user(user)
    step = practice.start_interview(who, role=role, count=count)
    if not as_json:
        click.secho(f"Mock assessor interview: {step.total} questions. One answer per line.",
                    bold=True)
    while step.prompt is not None:
        if not as_json:
            click.secho(f"\n[{step.index + 1}/{step.total}] {step.prompt}", fg="cyan")
        answer = _read("your answer")
        if answer is None:
            click.echo("Interview stopped; the answers given are recorded.", err=True)
            return
        asked = step.prompt
        step = practice.answer_interview(
            step.session_id, answer, idempotency_key=f"cli:{uuid.uuid4().hex}"
        )
        grade = step.grade
        assert grade is not None
        if as_json:
            click.echo(json.dumps(_grade_json(asked, answer, grade)))
        else:
            _show_grade(grade)


def _grade_json(prompt: str, answer: str, grade: Any) -> dict[str, Any]:
    return {
        "question": prompt,
        "answer": answer,
        "score": grade.score,
        "verdict": grade.verdict,
        "matched_facts": list(grade.matched_facts),
        "missing_facts": list(grade.missing_facts),
        "similarity": grade.similarity,
        "follow_up": grade.follow_up,
        "model_answer": grade.model_answer,
        "citations": [c.as_json() for c in grade.citations],
    }


def _show_grade(grade: Any) -> None:
    colour = {"correct": "green", "partial": "yellow"}.get(grade.verdict, "red")
    click.secho(f"{grade.score:.0f}/100 · {grade.verdict}", fg=colour, bold=True)
    if grade.matched_facts:
        click.echo("You covered: " + ", ".join(grade.matched_facts))
    if grade.missing_facts:
        click.echo("Missing: " + ", ".join(grade.missing_facts))
    click.echo(f"Assessor follow-up: {grade.follow_up}")
    click.secho("Model answer:", bold=True)
    click.echo(grade.model_answer)
    for c in grade.citations:
        click.secho(f"  [{c.n}] {_cite(c)}", dim=True)


@click.command()
@click.option("--user", help="Whose readiness (default: $COPC_USER, else your login).")
@click.option("--audit-date", type=click.DateTime(["%Y-%m-%d"]), help="Predict recall on this day.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@edge
def stats(user: str | None, audit_date: datetime | None, as_json: bool) -> None:
    """Your due questions, mastery per COPC area and predicted recall on the audit day."""
    practice = _practice()
    day: date | None = audit_date.date() if audit_date else None
    result = practice.stats(_user(user), audit_date=day, now=datetime.now(UTC))
    if as_json:
        click.echo(json.dumps(_stats_json(result)))
    else:
        _show_stats(result)


@click.group()
def questions() -> None:
    """Build, list, lint and review the question bank."""


@questions.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@edge
def generate(as_json: bool) -> None:
    """Regenerate the bank from the index (review decisions are kept)."""
    practice = _practice()
    practice.sync_bank(force=True)
    bank = practice.bank_questions()
    live = [q for q in bank if q.status not in {"retired", "stale"}]
    summary: dict[str, Any] = {
        "questions": len(live),
        "by_type": dict(sorted(Counter(q.type for q in live).items())),
        "by_area": dict(sorted(Counter(q.area for q in live).items())),
        "by_status": dict(sorted(Counter(q.status for q in bank).items())),
        "dropped": [
            {"id": d.question_id, "type": d.type, "reason": d.reason}
            for d in practice.bank.dropped
        ],
    }
    if as_json:
        click.echo(json.dumps(summary))
        return
    click.echo(f"{len(live)} questions across {len(summary['by_area'])} areas")
    for kind, n in summary["by_type"].items():
        click.echo(f"  {kind:<16} {n}")
    click.echo("status: " + ", ".join(f"{s} {n}" for s, n in summary["by_status"].items()))
    if summary["dropped"]:
        click.echo(f"{len(summary['dropped'])} dropped (failed a check); --json lists them")


def _filtered(practice: Any, status: str | None, area: str | None, kind: str | None) -> list[Any]:
    return [
        q
        for q in practice.bank_questions()
        if (status is None or q.status == status)
        and (area is None or q.area == area)
        and (kind is None or q.type == kind)
    ]


@questions.command("list")
@click.option("--status", type=click.Choice(["draft", "approved", "retired", "stale"]))
@click.option("--area", help="Only this COPC area.")
@click.option("--type", "kind", help="Only this question type, e.g. cloze.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line, with the quote.")
@edge
def list_(status: str | None, area: str | None, kind: str | None, as_json: bool) -> None:
    """List the bank's questions with their source."""
    for q in _filtered(_practice(), status, area, kind):
        if as_json:
            click.echo(q.model_dump_json())
        else:
            click.echo(f"{q.id}  {q.status:<8} {q.type:<14} {q.area:<24} {q.prompt[:70]}")


@questions.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per issue.")
@edge
def lint(as_json: bool) -> None:
    """Flag item-writing flaws; exit 1 when any question has one."""
    from assistant.questions import Corpus
    from assistant.questions import lint as lint_questions

    practice = _practice()
    live = [q for q in practice.bank_questions() if q.status not in {"retired", "stale"}]
    issues = lint_questions(live, Corpus.from_catalog(practice.assistant.index.catalog))
    for issue in issues:
        if as_json:
            click.echo(json.dumps({"id": issue.question_id, "rule": issue.rule,
                                   "message": issue.message}))
        else:
            click.echo(str(issue))
    if not as_json:
        click.echo(f"{len(live)} questions checked, {len(issues)} issues")
    if issues:
        raise SystemExit(1)


@questions.command()
@click.option("--approve", "approve", multiple=True, help="Approve this id (repeatable).")
@click.option("--retire", "retire", multiple=True, help="Retire this id (repeatable).")
@click.option("--area", help="Review only drafts of this area.")
@click.option("--limit", default=20, show_default=True, help="Drafts to review interactively.")
@edge
def review(approve: tuple[str, ...], retire: tuple[str, ...], area: str | None, limit: int) -> None:
    """Approve or retire questions, by id or one draft at a time (a/r/s, q to stop)."""
    practice = _practice()
    if approve or retire:
        changed = practice.review(list(approve), "approved") if approve else 0
        changed += practice.review(list(retire), "retired") if retire else 0
        click.echo(f"{changed} questions changed")
        return
    drafts = _filtered(practice, "draft", area, None)[:limit]
    if not drafts:
        click.echo("No drafts to review.")
        return
    decided = {"approved": 0, "retired": 0}
    for number, q in enumerate(drafts, start=1):
        _show_question(number, len(drafts), q, new=True)
        click.echo(f"Answer: {q.correct_text}")
        click.secho(f"Source: {_cite(q.citation)}", dim=True)
        choice = (_read("[a]pprove, [r]etire, [s]kip, [q]uit") or "q").strip().lower()[:1]
        if choice == "q":
            break
        status = {"a": "approved", "r": "retired"}.get(choice)
        if status:
            practice.review([q.id], status)
            decided[status] += 1
    click.echo(f"approved {decided['approved']}, retired {decided['retired']}")

