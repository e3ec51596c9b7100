"""Run one load in a forked child with a memory cap and a time limit, and measure it.

The child returns the free heap pages it inherited (``malloc_trim``), resets its peak-RSS
counter (``/proc/self/clear_refs``), caps its address space (``RLIMIT_AS``) at what it has
plus ``memory_mib``, runs the callable and reports the outcome, the seconds it took and
the peak RSS above its start. A load that runs away is
killed at ``timeout_s`` or hits ``MemoryError`` in the child, so a regression fails the
test instead of taking the machine down. Figures are printed at the end of the run
(``conftest.pytest_terminal_summary``) so they can be quoted in ``docs/security.md``.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from assistant.errors import LoadError

MIB = 1024 * 1024

#: (name, seconds, peak MiB, outcome) of every measured load in this run.
FIGURES: list[tuple[str, float, float, str]] = []


@dataclass(frozen=True)
class Measured:
    """What a bounded run did."""

    outcome: str
    """``ok``, ``LoadError`` or the name of any other exception."""
    message: str
    """``LoadError``: its one-line message; ``ok``: the summary the callable returned."""
    file: str | None
    """``LoadError.file``."""
    seconds: float
    peak_mib: float


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _child(work: Callable[[], str], conn: Connection, memory_mib: int) -> None:
    # Free heap pages inherited from the parent are still resident: reused, they would not
    # show as growth. Hand them back to the kernel first, then reset the peak to now.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    with contextlib.suppress(OSError):  # without it, the peak includes the parent's
        Path("/proc/self/clear_refs").write_text("5")  # peak RSS := current RSS
    start_kib = _status_kib("VmRSS")
    limit = _status_kib("VmSize") * 1024 + memory_mib * MIB
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    started = time.perf_counter()
    file: str | None = None
    try:
        outcome, message = "ok", work()
    except LoadError as error:
        outcome, message, file = "LoadError", str(error), error.file
    except BaseException as error:  # anything else is what the tests look for
        outcome, message = type(error).__name__, str(error)[:300]
    seconds = time.perf_counter() - started
    peak = max(0, _status_kib("VmHWM") - start_kib) / 1024
    conn.send(Measured(outcome, message, file, seconds, peak))
    conn.close()


def run_bounded(
    name: str,
    work: Callable[[], str],
    *,
    timeout_s: float,
    memory_mib: int,
    record: bool = True,
) -> Measured:
    """Run ``work`` in a forked child within ``timeout_s`` and ``memory_mib`` and measure it.

    ``record``: list the figures at the end of the run (not for fuzzed examples).

    Raises:
        AssertionError: the child did not answer in time (it is killed) or died.
    """
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(work, send, memory_mib), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(timeout_s):
            raise AssertionError(f"{name}: still running after {timeout_s:g} s (killed)")
        measured: Measured = receive.recv()
    except EOFError as exc:
        raise AssertionError(f"{name}: the child died (exit code {child.exitcode})") from exc
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
    if record:
        FIGURES.append((name, measured.seconds, measured.peak_mib, measured.outcome))
    return measured
