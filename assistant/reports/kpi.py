"""Monthly KPI results and the action log, read from the CSV files a site already keeps.

``results.csv``: ``month`` (YYYY-MM), ``target_id`` (an id of the target register), ``result``.
``action-log.csv``: ``month``, ``target_id``, ``kind`` (``rca`` for a root-cause analysis of a
monthly miss, ``pip`` for a formal Performance Improvement Plan), ``result``, ``target``,
``root_cause``, ``action``, ``owner``, ``due``, ``closed``. Extra columns are ignored; a bad
row stops the read with its file and line named.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assistant.errors import AssistantError

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-\d{1,2})?\s*$")
ACTION_KINDS = ("rca", "pip")


class KpiDataError(AssistantError):
    """A KPI results or action-log file cannot be read as given."""


@dataclass(frozen=True)
class KpiResult:
    """One monthly result of one target."""

    month: date
    """The first day of the month."""
    target_id: str
    result: float


@dataclass(frozen=True)
class ActionEntry:
    """One action-log entry: a root-cause analysis of a miss, or an improvement plan."""

    month: date
    target_id: str
    kind: str
    root_cause: str
    action: str
    owner: str
    due: str
    closed: str


def parse_month(text: str) -> date:
    """``2026-03`` (or ``2026-03-31``) as the first day of that month.

    Raises:
        ValueError: not a year and month.
    """
    match = _MONTH.match(text or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"month {text!r} is not YYYY-MM")
    return date(int(match.group(1)), int(match.group(2)), 1)


def add_months(month: date, n: int) -> date:
    """The first day of the month ``n`` months after ``month`` (negative: before)."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise KpiDataError(
            f"{path} cannot be read ({exc.strerror or exc}); check COPC_KPI_RESULTS_FILE and "
            "COPC_ACTION_LOG_FILE"
        ) from exc
    with handle:
        reader = csv.DictReader(handle)
        columns = {c.strip().lower() for c in reader.fieldnames or []}
        missing = [c for c in required if c not in columns]
        if missing:
            raise KpiDataError(f"{path} has no column {', '.join(missing)}; add it to the header")
        for line, raw in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
            if any(row.values()):
                yield line, row


def read_results(path: Path) -> list[KpiResult]:
    """Every monthly result in ``path``.

    Raises:
        KpiDataError: the file is missing, a column is missing, or a row is malformed
            (a month twice for one target included).
    """
    out: list[KpiResult] = []
    seen: set[tuple[date, str]] = set()
    for line, row in _rows(path, ("month", "target_id", "result")):
        try:
            month = parse_month(row["month"])
            value = float(row["result"].rstrip("%"))
        except ValueError as exc:
            raise KpiDataError(f"{path} line {line}: {exc}; fix the row") from None
        key = (month, row["target_id"])
        if not row["target_id"]:
            raise KpiDataError(f"{path} line {line}: no target_id; fix the row")
        if key in seen:
            raise KpiDataError(
                f"{path} line {line}: a second result for {row['target_id']} in "
                f"{month:%Y-%m}; keep one"
            )
        seen.add(key)
        out.append(KpiResult(month, row["target_id"], value))
    return out


def read_actions(path: Path) -> list[ActionEntry]:
    """Every entry of the action log in ``path``.

    Raises:
        KpiDataError: the file is missing, a column is missing, or a row is malformed.
    """
    out: list[ActionEntry] = []
    for line, row in _rows(path, ("month", "target_id", "kind")):
        try:
            month = parse_month(row["month"])
        except ValueError as exc:
            raise KpiDataError(f"{path} line {line}: {exc}; fix the row") from None
        kind = row["kind"].lower()
        if kind not in ACTION_KINDS:
            raise KpiDataError(
                f"{path} line {line}: kind {row['kind']!r} is not one of {', '.join(ACTION_KINDS)}"
            )
        out.append(
            ActionEntry(
                month=month,
                target_id=row["target_id"],
                kind=kind,
                root_cause=row.get("root_cause", ""),
                action=row.get("action", ""),
                owner=row.get("owner", ""),
                due=row.get("due", ""),
                closed=row.get("closed", ""),
            )
        )
    return out
