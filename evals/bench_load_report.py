"""The load benchmark's figures in ``docs/``: ``benchmarks-load.json`` and a section of its
own at the end of ``docs/benchmarks.md`` (between two markers, so re-recording replaces it
and leaves the other sections alone). Every figure comes from the JSON the run produced."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent.parent / "docs"
START = "<!-- load-benchmark:start (python -m evals.bench_load --record) -->"
END = "<!-- load-benchmark:end -->"


def markdown(result: dict[str, Any]) -> list[str]:
    """The "Load" section."""
    s, load, base, rec = (
        result["settings"],
        result["load"],
        result["baseline_one_person"],
        (result["records"]),
    )
    m = result["machine"]
    lines = [
        "## Load: simulated people on the Slack bot (HTTP, loopback)",
        "",
        f"Measured {result['measured_at']} with `python -m evals.bench_load` on {m['cpus']} "
        f"cores, Python {m['python']} (1-minute load average {m['load_1m_before']} before, "
        f"{m['load_1m_after']} after; the machine was shared). {s['people']} people acted at "
        f"once, {s['actions_each']} actions each (quiz, quiz answers, ask, interview, interview "
        f"answers), each waiting for the bot's reply; every {s['duplicate_every']}th click on "
        f"a quiz button was delivered twice. Embedder `{s['embedder']}`, records in "
        f"{s['database']}, "
        f"{s['listener_workers']} listener threads.",
        "",
        "| figure | one person alone (baseline) | under load | goal |",
        "|---|---|---|---|",
        f"| actions (signed requests) | {base['actions']} ({base['requests']}) | "
        f"{load['actions']} ({load['requests']}; {load['duplicates_sent']} duplicates) | |",
        f"| errors | {len(base['errors'])} | {len(load['errors'])} | 0 |",
        f"| acknowledgement p50 / p95 / p99 (max) | {_q(base['ack_ms'])} | {_q(load['ack_ms'])} "
        f"| p99 ≤ 500 ms |",
        f"| reply after the request p50 / p95 / p99 (max) | {_q(base['reply_ms'])} | "
        f"{_q(load['reply_ms'])} | |",
        f"| wall time, throughput | {base['wall_s']} s | {load['wall_s']} s, "
        f"{load['actions_per_s']} actions/s | |",
        "",
        f"Ratios in the same run: acknowledgement p99 under load ÷ alone "
        f"{result['ratios']['ack_p99_load_over_alone']}; reply p50 under load ÷ alone "
        f"{result['ratios']['reply_p50_load_over_alone']}.",
        "",
        f"Checked in the database afterwards: {rec['attempts_recorded']} attempts recorded for "
        f"{rec['attempts_expected']} quiz answers given ({rec['attempts_missing']} missing, "
        f"{rec['attempts_doubled']} doubled, {rec['attempts_unexpected']} unexpected); "
        f"{rec['interview_answers_recorded']} interview answers recorded for "
        f"{rec['interview_answers_expected']} sent.",
        "",
        "| action | count | acknowledgement p99 (max) | reply p50 / p95 |",
        "|---|---|---|---|",
    ]
    for name, item in load["per_action"].items():
        ack, reply = item["ack_ms"], item["reply_ms"]
        lines.append(
            f"| {name} | {item['count']} | {ack['p99']} ms ({ack['max']} ms) | "
            f"{reply['p50']} / {reply['p95']} ms |"
        )
    return lines


def _q(ms: dict[str, float]) -> str:
    return f"{ms['p50']} / {ms['p95']} / {ms['p99']} ms ({ms['max']} ms)"


def record(result: dict[str, Any], docs: Path = DOCS) -> None:
    """Write the JSON and replace (or append) the load section of ``benchmarks.md``."""
    (docs / "benchmarks-load.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    page = docs / "benchmarks.md"
    text = page.read_text(encoding="utf-8") if page.is_file() else "# Benchmarks\n"
    section = "\n".join([START, *markdown(result), END])
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    page.write_text(text, encoding="utf-8")
