"""Load benchmark (a script; a small smoke run is in CI): simulated people against the bot.

``python -m evals.bench_load`` starts the bot's real HTTP server on 127.0.0.1 with the real
assistant (MiniLM, the index under ``COPC_HOME``, indexed on first use), the real practice
engine over a fresh PostgreSQL schema (``--sqlite`` for a SQLite file) and a Slack stand-in
on loopback. ``--people`` (50) people then act at once, each ``--actions`` (20) times in
turn — ``/copc quiz`` and quiz answers (button clicks; typed answers for fill-in and ordering
questions), ``/copc ask``, ``/copc interview`` and interview answers in its thread — every
request signed like Slack's, each person waiting for the bot's reply before acting again.
Every ``--duplicate-every``-th quiz answer is delivered twice (a double click, a retry).

Measured: acknowledgement latency (request sent -> HTTP response) per action, the time to
the bot's reply, errors (a non-200, a reply that never came, an apology or "not recorded"
posted), and then, in the database, that every answer was recorded exactly once (attempts
by idempotency key, interview turns per session). The same plan run by one person alone
first is the baseline the load figures are divided by. ``--record`` writes
``docs/benchmarks-load.json`` and the load section of ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from evals.gold import load_gold
from evals.load_people import SECRET, Harness, Outcome, Person, run_people
from evals.load_standin import LoadStandIn
from evals.metrics import percentile

GOLD = Path(__file__).resolve().parent / "datasets" / "site.jsonl"
PROBLEMS = ("something went wrong", "not recorded")


def check_records(records: Any, people: list[Person]) -> dict[str, int]:
    """Attempts and interview answers in the database against what the people did."""
    now = datetime.now(UTC)
    expected = recorded = missing = doubled = unexpected = 0
    turns_expected = turns_recorded = 0
    for person in people:
        row = records.get_person(person.user)
        got = (
            []
            if row is None
            else records.attempts_between(
                now - timedelta(days=1), now + timedelta(days=1), person=row
            )
        )
        keys = [a.idempotency_key for a in got]
        expected += len(person.keys)
        recorded += len(keys)
        missing += len(person.keys - set(keys))
        doubled += len(keys) - len(set(keys))
        unexpected += len(set(keys) - person.keys)
        sessions = {} if row is None else {s.id: s for s in records.interviews_for(row)}
        turns_expected += sum(person.replies.values())
        turns_recorded += sum(
            sum(t.get("kind") == "answer" for t in s.turns) for s in sessions.values()
        )
    return {
        "attempts_expected": expected,
        "attempts_recorded": recorded,
        "attempts_missing": missing,
        "attempts_doubled": doubled,
        "attempts_unexpected": unexpected,
        "interview_answers_expected": turns_expected,
        "interview_answers_recorded": turns_recorded,
    }


def _ms(values: list[float]) -> dict[str, float]:
    out = {f"p{q}": round(percentile(values, q) * 1000, 1) for q in (50, 95, 99)}
    out["max"] = round(max(values, default=0.0) * 1000, 1)
    return out


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    acks = [a for o in outcomes for a in o.ack_s]
    by_action: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by_action.setdefault(o.action, []).append(o)
    return {
        "actions": len(outcomes),
        "requests": len(acks),
        "ack_ms": _ms(acks),
        "reply_ms": _ms([o.reply_s for o in outcomes if o.reply_s is not None]),
        "per_action": {
            name: {
                "count": len(items),
                "ack_ms": _ms([a for o in items for a in o.ack_s]),
                "reply_ms": _ms([o.reply_s for o in items if o.reply_s is not None]),
            }
            for name, items in sorted(by_action.items())
        },
        "errors": [o.error for o in outcomes if o.error],
    }


def run(
    assistant: Any,
    practice: Any,
    *,
    people: int = 50,
    actions: int = 20,
    duplicate_every: int = 5,
    timeout_s: float = 120.0,
    workers: int = 16,
) -> dict[str, Any]:
    """Serve the bot on loopback and run the baseline (one person) and the load; see above."""
    from assistant.config import Settings
    from bots.app import create_app, web_client
    from bots.http import HttpServer

    standin = LoadStandIn()
    settings = Settings(
        home=assistant.settings.home,
        slack_api_url=standin.api_url,
        slack_bot_token=SecretStr("xoxb-load"),
        slack_signing_secret=SecretStr(SECRET),
        slack_workers=workers,
    )
    bot = create_app(settings, assistant, practice, web_client(settings))
    server = HttpServer(bot.app, host="127.0.0.1", port=_free_port())
    server.start()
    questions = [q.question for q in load_gold(GOLD)]
    harness = Harness(f"{server.url}/slack/events", standin, questions, timeout_s)
    try:
        practice.sync_bank()
        run_people(harness, 2, 2, "WARM")  # the model, the pools, the first interview plans
        _, alone, alone_s = run_people(harness, 1, actions, "BASE")
        harness.duplicate_every = duplicate_every
        load_before = os.getloadavg()[0]
        crowd, outcomes, wall_s = run_people(harness, people, actions, "LOAD")
        load_after = os.getloadavg()[0]
        problems = [
            p.text()[:200]
            for p in standin.all_posts()
            if any(word in p.text().lower() for word in PROBLEMS)
        ]
        records = check_records(practice.records, crowd)
    finally:
        server.stop()
        standin.close()
    load = summarise(outcomes)
    base = summarise(alone)
    load["errors"] += problems
    return {
        "measured_at": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "load_1m_before": round(load_before, 2),
            "load_1m_after": round(load_after, 2),
        },
        "settings": {
            "people": people,
            "actions_each": actions,
            "duplicate_every": duplicate_every,
            "listener_workers": workers,
            "embedder": assistant.index.embedder.embedder_id,
            "database": practice.records.engine.dialect.name,
        },
        "baseline_one_person": {**base, "wall_s": round(alone_s, 2)},
        "load": {
            **load,
            "wall_s": round(wall_s, 2),
            "duplicates_sent": harness.duplicates,
            "actions_per_s": round(len(outcomes) / wall_s, 2) if wall_s else 0.0,
        },
        "records": records,
        "ratios": {
            "ack_p99_load_over_alone": _ratio(load["ack_ms"]["p99"], base["ack_ms"]["p99"]),
            "reply_p50_load_over_alone": _ratio(load["reply_ms"]["p50"], base["reply_ms"]["p50"]),
        },
        "goals": {"errors": 0, "ack_p99_ms": 500, "attempts": "each exactly once"},
    }


def _ratio(a: float, b: float) -> float:
    return round(a / b, 2) if b else 0.0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def records_database(url: str | None, sqlite: bool) -> Iterator[str]:
    """A fresh database for the run: a temporary PostgreSQL schema (dropped) or SQLite file."""
    if sqlite:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'records.db'}"
        return
    from sqlalchemy import create_engine, text

    base = url or os.environ.get(
        "COPC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    schema = f"copc_load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    from evals.bench_load_report import record

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--actions", type=int, default=20)
    parser.add_argument("--duplicate-every", type=int, default=5)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--database-url", help="PostgreSQL server (a temporary schema is used).")
    parser.add_argument("--sqlite", action="store_true", help="Records in a temporary SQLite file.")
    parser.add_argument("--hash", action="store_true", help="The HashEmbedder (no model).")
    parser.add_argument("--record", action="store_true", help="Write the figures into docs/.")
    args = parser.parse_args(argv)

    from assistant.app import build_assistant
    from assistant.config import Settings
    from assistant.embedding import HashEmbedder
    from assistant.practice import Practice
    from assistant.questions.bank import AUTHORED_FOLDER, QuestionBank
    from assistant.records import Records

    settings = Settings()
    assistant = build_assistant(settings, embedder=HashEmbedder(64) if args.hash else None)
    assistant.ensure_index()
    with (
        records_database(args.database_url, args.sqlite) as url,
        tempfile.TemporaryDirectory() as scratch,
    ):
        practice = Practice(
            assistant,
            Records.open(url),
            bank=QuestionBank(
                Path(scratch) / "questions.jsonl",
                authored_dir=settings.corpus_dir / AUTHORED_FOLDER,
            ),
            interviews_dir=settings.corpus_dir / "interviews",
        )
        try:
            result = run(
                assistant,
                practice,
                people=args.people,
                actions=args.actions,
                duplicate_every=args.duplicate_every,
                workers=args.workers,
            )
        finally:
            practice.close()
    print(json.dumps(result, indent=2))
    if args.record:
        record(result)
    return 0 if not result["load"]["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
