"""What every ``copc`` command shares: the error edge, the progress bar, first-use indexing."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import click

from assistant.errors import AssistantError

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("assistant")

EXIT_ERROR = 1
EXIT_INGEST_FAILURES = 3


def fail(message: str, code: int = EXIT_ERROR) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def edge(func: F) -> F:
    """Translate library errors into one line on stderr and a non-zero exit."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AssistantError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except Exception as exc:  # the last line of defence: never a traceback
            log.debug("unexpected error", exc_info=True)
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            fail(f"unexpected {type(exc).__name__}: {first[:200]} (rerun with --debug)")
        return None

    return wrapper  # type: ignore[return-value]


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress bar on stderr when it is a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def update(name: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=name)

        yield update


def build() -> Any:
    from assistant.app import build_assistant

    return build_assistant()


def print_ingest(report: Any, as_json: bool, elapsed: float) -> None:
    if as_json:
        payload = {
            **report.summary(),
            "seconds": round(elapsed, 3),
            "failed_files": [{"file": f, "reason": r} for f, r in report.failed],
            "skipped_files": [{"file": f, "reason": r} for f, r in report.skipped],
            "generation": report.generation,
            "switched": report.switched,
        }
        click.echo(json.dumps(payload))
        return
    for name, reason in report.failed:
        click.echo(f"failed: {name}: {reason}", err=True)
    for name, reason in report.skipped:
        click.echo(f"skipped: {name}: {reason}", err=True)
    s = report.summary()
    click.echo(
        f"added {s['added']}, updated {s['updated']}, unchanged {s['unchanged']}, "
        f"removed {s['removed']}, failed {s['failed']} "
        f"({s['chunks_written']} chunks written in {elapsed:.1f}s)"
    )


def first_use(assistant: Any) -> None:
    """Index the bundled corpus on first use, saying so on stderr."""
    if assistant.index.is_empty():
        click.echo("first use: indexing the bundled corpus (once)...", err=True)
        with progress_bar(True) as progress:
            report = assistant.ensure_index(progress)
        if report is not None:
            print_ingest(report, False, 0.0) if report.failed else None
