"""The little state a bot process keeps: seen event ids, recent answers, thread owners.

All of it is an optimisation or a first line of defence, never the only copy of anything
that matters: attempts are made idempotent by the records database, a quiz or interview
thread carries its own id in the Slack message metadata, and an answer that fell out of
the cache is answered again from the question carried by the button.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from assistant.answers import Answer

V = TypeVar("V")

#: Slack message metadata event types the bot writes on the messages that start a thread.
QUIZ_THREAD = "copc_quiz"
INTERVIEW_THREAD = "copc_interview"


class TTLCache(Generic[V]):
    """A thread-safe, bounded mapping whose entries expire after ``ttl_s`` seconds."""

    def __init__(
        self, ttl_s: float, max_items: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl_s
        self._max = max_items
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            if found[0] < self._clock():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return found[1]

    def put(self, key: str, value: V) -> None:
        with self._lock:
            self._items[key] = (self._clock() + self._ttl, value)
            self._items.move_to_end(key)
            while len(self._items) > self._max:
                self._items.popitem(last=False)

    def claim(self, key: str, value: V) -> bool:
        """Store ``value`` under ``key`` unless a live entry is there: True for the first."""
        with self._lock:
            found = self._items.get(key)
            if found is not None and found[0] >= self._clock():
                return False
            self._items[key] = (self._clock() + self._ttl, value)
            while len(self._items) > self._max:
                self._items.popitem(last=False)
            return True


@dataclass(frozen=True)
class AskedAnswer:
    """An answer the bot gave, with the scope it was asked in (for share and feedback)."""

    answer: Answer
    program: str | None
    role: str | None


class AnswerCache:
    """Recent answers by a short random reference carried in the buttons."""

    def __init__(self, ttl_s: float = 3600.0, max_items: int = 2000) -> None:
        self._cache: TTLCache[AskedAnswer] = TTLCache(ttl_s, max_items)

    def put(self, asked: AskedAnswer) -> str:
        ref = uuid.uuid4().hex[:16]
        self._cache.put(ref, asked)
        return ref

    def get(self, ref: str) -> AskedAnswer | None:
        return self._cache.get(ref)


@dataclass(frozen=True)
class ThreadRef:
    """What a DM thread is about: a quiz question or an interview session."""

    kind: str
    payload: dict[str, Any]

    def metadata(self) -> dict[str, Any]:
        """Slack message metadata to attach to the thread's first message."""
        return {"event_type": self.kind, "event_payload": self.payload}

    @classmethod
    def from_metadata(cls, metadata: Any) -> ThreadRef | None:
        if not isinstance(metadata, dict):
            return None
        kind, payload = metadata.get("event_type"), metadata.get("event_payload")
        if kind not in (QUIZ_THREAD, INTERVIEW_THREAD) or not isinstance(payload, dict):
            return None
        return cls(str(kind), payload)


class Threads:
    """Which DM threads this process started, so a reply finds its quiz or interview."""

    def __init__(self, ttl_s: float = 7 * 24 * 3600.0, max_items: int = 50_000) -> None:
        self._cache: TTLCache[ThreadRef] = TTLCache(ttl_s, max_items)

    def remember(self, channel: str, ts: str, ref: ThreadRef) -> None:
        self._cache.put(f"{channel}:{ts}", ref)

    def recall(self, channel: str, ts: str) -> ThreadRef | None:
        return self._cache.get(f"{channel}:{ts}")
