"""Scale benchmark of the readiness report (not a test): 2,000 people × 500 questions × 90 days.

    python -m evals.bench_reports                      # SQLite under .bench/reports/
    python -m evals.bench_reports --database-url postgresql+psycopg://postgres@127.0.0.1/test

Seeds a synthetic site once (bulk inserts: people on teams of 20 across two programs, 500
approved questions over the COPC areas, about five answers per person on three days in five
for 90 days, one FSRS card per person and question answered, one mock interview each), then
builds the report and renders it in every format in a fresh process, which reports its wall
time and peak resident memory. The bar (issue #6): at most 10 s and under 1 GB.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from assistant.questions.areas import AREAS
from assistant.records import Attempt, Card, InterviewSession, Person, Question, Records

NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
AUDIT_DAY = date(2027, 1, 20)
ROLES = ("agent",) * 17 + ("team_lead", "quality", "manager")


def _batches(rows: Iterator[dict[str, Any]], size: int = 20_000) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(records: Records, people: int, questions: int, days: int, seed: int = 1) -> dict[str, Any]:
    """Write the synthetic site in bulk (Core inserts, no ORM objects)."""
    rng = random.Random(seed)
    areas = sorted(AREAS)
    start = NOW - timedelta(days=days)
    with records.engine.begin() as conn:
        conn.execute(
            insert(Question),
            [
                {
                    "id": f"bq-{n:04d}",
                    "type": "mcq_numeric",
                    "prompt": f"Benchmark question {n}?",
                    "area": areas[n % len(areas)],
                    "payload": {"origin": "authored" if n % 25 == 0 else "generated"},
                    "roles": [] if n % 3 else [rng.choice(("agent", "team_lead", "manager"))],
                    "difficulty": 1 + n % 3,
                    "status": "approved",
                    "source_doc_id": f"DOC-{n % 40}",
                    "source_section": f"Section {n % 7}",
                    "source_hash": "b",
                    "updated_at": start,
                }
                for n in range(questions)
            ],
        )
        conn.execute(
            insert(Person),
            [
                {
                    "external_id": f"bench-{n:05d}",
                    "display_name": f"Person {n:05d}",
                    "role": ROLES[n % len(ROLES)],
                    "team": f"Team {n // 20:03d}",
                    "program": "harbor-bank" if (n // 20) % 5 < 3 else "lumen-telecom",
                    "timezone": "UTC",
                    "created_at": start,
                }
                for n in range(people)
            ],
        )
        ids = [row[0] for row in conn.execute(select(Person.id).order_by(Person.id))]
    skill = {pid: rng.uniform(0.45, 0.9) for pid in ids}
    last: dict[tuple[int, int], tuple[datetime, int]] = {}
    attempts = 0

    def attempt_rows() -> Iterator[dict[str, Any]]:
        nonlocal attempts
        for day in range(days):
            moment = start + timedelta(days=day, hours=9)
            for pid in ids:
                if rng.random() > 0.6:
                    continue
                for k in range(5):
                    q = rng.randrange(questions)
                    correct = rng.random() < skill[pid]
                    at = moment + timedelta(minutes=rng.randrange(480), seconds=k)
                    seen = last.get((pid, q))
                    last[(pid, q)] = (at, (seen[1] if seen else 0) + 1)
                    attempts += 1
                    yield {
                        "person_id": pid,
                        "question_id": f"bq-{q:04d}",
                        "answered_at": at,
                        "answer": "B" if correct else "A",
                        "correct": correct,
                        "score": 100.0 if correct else 0.0,
                        "idempotency_key": f"b{attempts}",
                        "surface": "slack",
                        "details": {},
                    }

    for batch in _batches(attempt_rows()):
        with records.engine.begin() as conn:
            conn.execute(insert(Attempt), batch)

    def card_rows() -> Iterator[dict[str, Any]]:
        for (pid, q), (at, reps) in last.items():
            stability = min(0.3 * 2.2**reps * rng.uniform(0.6, 1.4), 365.0)
            yield {
                "person_id": pid,
                "question_id": f"bq-{q:04d}",
                "due": at + timedelta(days=stability),
                "state": {},
                "stability": stability,
                "difficulty": 5.0,
                "reps": reps,
                "lapses": 0,
                "last_review": at,
                "created_at": at,
            }

    for batch in _batches(card_rows()):
        with records.engine.begin() as conn:
            conn.execute(insert(Card), batch)
    with records.engine.begin() as conn:
        conn.execute(
            insert(InterviewSession),
            [
                {
                    "person_id": pid,
                    "role": "agent",
                    "started_at": NOW - timedelta(days=rng.randrange(1, 80)),
                    "finished_at": None,
                    "turns": [
                        {"kind": "plan", "questions": ["i1", "i2", "i3"]},
                        *({"kind": "answer", "score": rng.uniform(30, 95)} for _ in range(3)),
                    ],
                }
                for pid in ids
            ],
        )
    return {"people": len(ids), "questions": questions, "attempts": attempts, "cards": len(last)}


def measure(url: str) -> dict[str, Any]:
    """Build the report and render every format; wall time and peak memory of this process."""
    from assistant.reports import build_report, render
    from assistant.scheduling import Scheduler

    started, cpu = time.perf_counter(), time.process_time()
    with Records.open(url, migrate=False) as records:
        report = build_report(records, Scheduler(), now=NOW, audit_date=AUDIT_DAY)
    built, built_cpu = time.perf_counter() - started, time.process_time() - cpu
    page = render(report, "html")
    html_s, html_cpu = time.perf_counter() - started, time.process_time() - cpu
    sizes = {"html": len(page)} | {f: len(render(report, f)) for f in ("json", "csv", "md")}
    total = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "build_s": round(built, 2),
        "build_cpu_s": round(built_cpu, 2),
        "build_and_html_s": round(html_s, 2),
        "build_and_html_cpu_s": round(html_cpu, 2),
        "build_and_all_formats_s": round(total, 2),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "output_bytes": sizes,
        "people_in_report": len(report.people),
        "attempts_in_period": report.site.tally.attempts,
        "cards": report.site.tally.cards,
    }


def _load() -> list[str]:
    """The 1, 5 and 15 minute load averages (the machine is shared: contention shows here)."""
    path = Path("/proc/loadavg")
    return path.read_text().split()[:3] if path.exists() else []


def main(argv: list[str] | None = None) -> int:
    """Seed once (unless the database already holds the site), then measure in a fresh process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: SQLite under .bench/reports/")
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--runs", type=int, default=3, help="measurements (fresh process each)")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    url = args.database_url or f"sqlite:///{Path('.bench/reports/records.db').resolve()}"
    if args.measure_only:
        print(json.dumps(measure(url)))
        return 0
    with Records.open(url) as records:
        with records.engine.connect() as conn:
            existing = conn.execute(select(func.count()).select_from(Person)).scalar()
        if existing:
            print(f"using the site already in {records.url} ({existing} people)", file=sys.stderr)
            seeded: dict[str, Any] = {"people": existing, "reused": True}
        else:
            started = time.perf_counter()
            seeded = seed(records, args.people, args.questions, args.days)
            seeded["seed_s"] = round(time.perf_counter() - started, 1)
            print(f"seeded {seeded}", file=sys.stderr)
    before = _load()
    runs = []
    for _ in range(args.runs):
        done = subprocess.run(
            [sys.executable, "-m", "evals.bench_reports", "--measure-only", "--database-url", url],
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    load = _load()
    result = {
        "seeded": seeded,
        "runs": runs,
        "best_build_and_html_s": min(r["build_and_html_s"] for r in runs),
        "best_build_and_html_cpu_s": min(r["build_and_html_cpu_s"] for r in runs),
        "max_peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "load_average_before": before,
        "load_average_after": load,
        "bar": "report built and rendered (HTML) in <= 10 s, peak RSS < 1024 MB",
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
