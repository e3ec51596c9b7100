"""Report commands: ``report``, ``audit`` and ``demo-data``."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from assistant.cli.common import build, edge, first_use

_FORMAT = click.Choice(["html", "csv", "json", "md"])


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from None


def _emit(text: str, out: Path | None, what: str) -> None:
    """Write to ``out`` (saying so on stderr) or to stdout."""
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        from assistant.reports import ReportError

        raise ReportError(f"cannot write {out}: {exc.strerror or exc}; pick another --out") from exc
    click.echo(f"wrote {out} ({what})", err=True)


def _audit(settings: Any, as_of: date, with_criteria: bool) -> Any:
    """The audit of the configured site; criteria coverage uses the index (built on first use)."""
    from assistant.reports import AuditSources, audit_policy, build_audit

    catalog = embedder = None
    if with_criteria:
        assistant = build()
        first_use(assistant)
        catalog, embedder = assistant.index.catalog, assistant.index.embedder
    return build_audit(
        AuditSources.from_settings(settings),
        as_of=as_of,
        policy=audit_policy(settings),
        catalog=catalog,
        embedder=embedder,
        cache_dir=settings.home,
    )


@click.command()
@click.option("--format", "fmt", type=_FORMAT, default="html", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@click.option("--team", help="Only this team.")
@click.option("--program", help="Only this client program (name or slug).")
@click.option(
    "--since", callback=_date, help="Start of the period, YYYY-MM-DD (default: 12 weeks)."
)
@click.option(
    "--until", callback=_date, help="Last day of the period, YYYY-MM-DD (default: today)."
)
@click.option("--audit-date", callback=_date, help="Predict recall on this day, YYYY-MM-DD.")
@click.option(
    "--audit/--no-audit",
    "with_audit",
    default=None,
    help="Add the audit as a section (default: on for HTML, off otherwise).",
)
@edge
def report(
    fmt: str,
    out: Path | None,
    team: str | None,
    program: str | None,
    since: date | None,
    until: date | None,
    audit_date: date | None,
    with_audit: bool | None,
) -> None:
    """Readiness per person, team, program, role and COPC area.

    Practice coverage, first-attempt accuracy, FSRS mastery, interview scores, the weekly
    trend, the most-missed questions with their sources, who is not ready on their role's
    must-know questions, and predicted recall on --audit-date.
    """
    from assistant.chunking import normalise_program
    from assistant.config import Settings
    from assistant.records import Records
    from assistant.reports import build_report, render, report_policy
    from assistant.scheduling import Scheduler

    settings = Settings()
    now = datetime.now(UTC)
    audit = None
    if with_audit if with_audit is not None else fmt == "html":
        audit = _audit(settings, (until or now.date()), with_criteria=True)
    with Records.open(settings=settings) as records:
        built = build_report(
            records,
            Scheduler(new_per_day=settings.new_per_day),
            team=team,
            program=normalise_program(program) if program else None,
            since=since,
            until=until,
            audit_date=audit_date,
            now=now,
            policy=report_policy(settings),
            audit=audit,
        )
    s = built.site
    _emit(render(built, fmt), out, f"{s.people} people, {s.tally.attempts} attempts")


@click.command()
@click.option("--format", "fmt", type=_FORMAT, default="md", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@click.option("--as-of", callback=_date, help="Audit as of this day, YYYY-MM-DD (default: today).")
@click.option(
    "--criteria/--no-criteria",
    default=True,
    help="Check criteria coverage against the index (loads the model).",
)
@edge
def audit(fmt: str, out: Path | None, as_of: date | None, criteria: bool) -> None:
    """What an assessor would find: criteria, target register and KPI-evidence gaps."""
    from assistant.config import Settings
    from assistant.reports import render

    result = _audit(Settings(), as_of or datetime.now(UTC).date(), criteria)
    _emit(render(result, fmt), out, f"{len(result.findings)} findings")


@click.command("demo-data")
@click.option("--weeks", default=6, show_default=True, type=click.IntRange(1, 26))
@click.option("--seed", default=7, show_default=True, help="Same seed, same history.")
@click.option(
    "--keep-drafts",
    is_flag=True,
    help="Do not approve the generated draft questions (the demo then practises fewer).",
)
@edge
def demo_data(weeks: int, seed: int, keep_drafts: bool) -> None:
    """Seed a fictional practice history (people, teams, attempts, interviews) for the report.

    Writes only into an empty records database (point COPC_HOME or COPC_DATABASE_URL at a
    fresh one); it approves the generated draft questions so the demo covers every area.
    """
    from assistant.config import Settings
    from assistant.practice import Practice
    from assistant.records import Records
    from assistant.reports.demo import check_demo_database, seed_demo

    with Records.open(settings=Settings()) as records:
        check_demo_database(records)  # before the slow part: indexing and the question bank
    assistant = build()
    first_use(assistant)
    practice = Practice.from_settings(assistant=assistant)
    try:
        tty = sys.stderr.isatty()

        def progress(day: str) -> None:
            if tty:
                click.echo(f"\rpractising {day}", err=True, nl=False)

        summary = seed_demo(
            practice,
            now=datetime.now(UTC),
            weeks=weeks,
            seed=seed,
            approve_drafts=not keep_drafts,
            progress=progress,
        )
    finally:
        practice.close()
    if sys.stderr.isatty():
        click.echo("", err=True)
    if summary.approved:
        click.echo(
            f"approved {summary.approved} generated questions for the demo "
            "(a site reviews them with `copc questions review`)",
            err=True,
        )
    click.echo(
        f"demo data: {summary.people} people, {summary.attempts} attempts and "
        f"{summary.interviews} mock interviews from {summary.start:%Y-%m-%d} to "
        f"{summary.end:%Y-%m-%d}; now run `copc report --out report.html`"
    )
