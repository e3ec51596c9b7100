"""The retry and pointer rules on their own, with a fake clock: what is retried, for how long,
and what is never retried."""

from __future__ import annotations

import httpx
import pytest

from assistant.errors import StoreError
from assistant.generations import Generations, Pointer
from assistant.practice import PracticeError
from assistant.records import RecordsError, RecordsUnavailableError
from assistant.store import ChromaStore
from bots.resilience import records_unavailable, retry_records


class Clock:
    """A fake monotonic clock that ``sleep`` advances."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_records_retry_until_the_database_answers() -> None:
    clock, calls = Clock(), []

    def work() -> str:
        calls.append(clock.now)
        if len(calls) < 3:
            raise RecordsUnavailableError("records database unavailable at …")
        return "recorded"

    assert retry_records(work, 3.0, sleep=clock.sleep, clock=lambda: clock.now) == "recorded"
    assert clock.sleeps == [0.25, 0.5]


def test_records_retry_gives_up_at_the_budget() -> None:
    clock = Clock()

    def work() -> None:
        raise PracticeError("wrapped") from RecordsUnavailableError("down")

    with pytest.raises(PracticeError):
        retry_records(work, 2.0, sleep=clock.sleep, clock=lambda: clock.now)
    assert sum(clock.sleeps) == pytest.approx(2.0)  # 0.25 + 0.5 + 1.0 + the 0.25 left
    assert clock.sleeps == [0.25, 0.5, 1.0, 0.25]


def test_other_errors_are_never_retried() -> None:
    clock, calls = Clock(), []

    def work() -> None:
        calls.append(1)
        raise RecordsError("unknown question id 'q-x'")

    with pytest.raises(RecordsError):
        retry_records(work, 5.0, sleep=clock.sleep, clock=lambda: clock.now)
    assert calls == [1] and clock.sleeps == []
    assert records_unavailable(PracticeError("a practice mistake")) is False


class FlakyCollection:
    """A Chroma collection whose first ``failures`` calls fail with ``error``."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures = failures
        self.error = error
        self.calls = 0

    def count(self) -> int:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return 7


def _store(collection: FlakyCollection, retry_s: float) -> ChromaStore:
    store = ChromaStore(object(), "c", retry_s=retry_s, where="http://127.0.0.1:1")
    store._collection = collection
    return store


def test_a_chroma_call_is_retried_while_the_server_restarts() -> None:
    flaky = FlakyCollection(2, httpx.ConnectError("[Errno 111] Connection refused"))
    assert _store(flaky, retry_s=5.0).count() == 7 and flaky.calls == 3


def test_a_chroma_server_down_past_the_budget_is_one_clear_line() -> None:
    flaky = FlakyCollection(10**6, httpx.ConnectError("[Errno 111] Connection refused"))
    with pytest.raises(StoreError) as caught:
        _store(flaky, retry_s=0.3).count()
    assert str(caught.value).startswith("cannot reach the Chroma server at http://127.0.0.1:1")
    assert "\n" not in str(caught.value) and flaky.calls >= 2


def test_a_bad_request_to_chroma_is_not_retried() -> None:
    flaky = FlakyCollection(10**6, ValueError("Expected embeddings of dimension 64, got 3"))
    with pytest.raises(StoreError, match="dimension 64"):
        _store(flaky, retry_s=5.0).count()
    assert flaky.calls == 1


def test_the_pointer_survives_its_round_trip_through_chroma_metadata() -> None:
    pointer = Pointer("g1732291141123ab12", "d" * 32, 440, "hash-64", 2, 1.5, {"base": 1.0})
    meta = pointer.to_metadata()
    assert all(isinstance(v, str | int | float) for v in meta.values())  # Chroma's types
    assert Pointer.from_metadata(meta) == pointer
    assert pointer.same_content(Pointer.from_metadata({**meta, "switched_at": 9.0}))
    assert not pointer.same_content(Pointer.from_metadata({**meta, "digest": "other"}))


def test_generation_names_carry_their_start_time() -> None:
    name = Generations.new_name(now=1732291141.123)
    assert name.startswith("g1732291141123") and len(name) == 18
    assert Generations.started_at(name) == pytest.approx(1732291141.123)
    assert Generations.started_at("base") is None and Generations.started_at("gx") is None
