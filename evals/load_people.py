"""Simulated people for the load benchmark: each acts in turn on the bot over signed HTTP.

A person runs :data:`CYCLE` (quiz, quiz answers, ask, interview, interview answers), waiting
for the bot's reply to each action before the next, and remembers the idempotency key of every
quiz answer and how many interview answers they sent, so the database can be checked after.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.signature import SignatureVerifier

from evals.load_standin import LoadStandIn, Post

SECRET = "load-signing-secret-0123456789abcdef"
TEAM = "T0LOAD"
#: One person's actions, repeated: 3 quiz answers per quiz, 3 answers per interview.
CYCLE = ("quiz", "answer", "interview", "reply", "ask", "answer", "reply", "answer", "ask", "reply")
INTERVIEW_ANSWER = (
    "We monitor a sample of contacts per agent every month as the QA procedure sets, "
    "the client approves the targets and the results are reviewed each month."
)


@dataclass
class Person:
    """One simulated person and what they have been shown and have answered."""

    user: str
    questions: list[Post] = field(default_factory=list)
    root: dict[str, Any] | None = None
    replies_left: int = 0
    keys: set[str] = field(default_factory=set)
    replies: dict[str, int] = field(default_factory=dict)
    counter: Iterator[int] = field(default_factory=itertools.count)


@dataclass(frozen=True)
class Outcome:
    """One action: its acknowledgement time, the time to the bot's reply, any error."""

    action: str
    ack_s: list[float]
    reply_s: float | None
    error: str | None = None


class Harness:
    """Sends a person's actions to the bot and waits for the bot's replies."""

    def __init__(self, url: str, standin: LoadStandIn, questions: list[str], timeout_s: float):
        self.url = url
        self.standin = standin
        self.questions = questions
        self.timeout_s = timeout_s
        self.verifier = SignatureVerifier(SECRET)
        self.duplicates = 0
        self.duplicate_every = 0
        """Deliver every n-th quiz answer twice (0: never)."""
        self._clicks = itertools.count(1)
        self._lock = threading.Lock()

    def post(self, body: str, kind: str) -> float:
        """Sign and send one request; returns its acknowledgement time (raises on non-200)."""
        ts = str(int(time.time()))
        headers = {
            "content-type": kind,
            "x-slack-request-timestamp": ts,
            "x-slack-signature": str(self.verifier.generate_signature(timestamp=ts, body=body)),
        }
        request = urllib.request.Request(self.url, data=body.encode(), headers=headers)
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")
        return time.perf_counter() - started

    def command(self, person: Person, text: str) -> float:
        form = {
            "team_id": TEAM,
            "channel_id": "C0LOAD",
            "user_id": person.user,
            "command": "/copc",
            "text": text,
            "response_url": self.standin.response_url(person.user, next(person.counter)),
            "trigger_id": uuid.uuid4().hex,
        }
        return self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded")

    def event(self, person: Person, event: dict[str, Any]) -> float:
        body = {
            "team_id": TEAM,
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex}",
            "event_time": int(time.time()),
            "event": event,
        }
        return self.post(json.dumps(body), "application/json")

    def click(self, person: Person, post: Post) -> float:
        p = post.params
        action = _buttons(p)[0]
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": person.user},
            "container": {"type": "message", "message_ts": p["ts"], "channel_id": p["channel"]},
            "channel": {"id": p["channel"]},
            "message": {"ts": p["ts"]},
            "response_url": self.standin.response_url(person.user, next(person.counter)),
            "trigger_id": uuid.uuid4().hex,
            "actions": [{**action, "type": "button"}],
        }
        return self.post(
            urllib.parse.urlencode({"payload": json.dumps(payload)}),
            "application/x-www-form-urlencoded",
        )

    # -- one action ----------------------------------------------------------------------------
    def act(self, person: Person, action: str, step: int) -> Outcome:
        """Do ``action``; falls back to an ask when there is nothing to answer."""
        try:
            if action == "answer" and person.questions:
                return self._answer(person)
            if action == "reply" and person.root is not None and person.replies_left:
                return self._reply(person)
            if action == "quiz":
                return self._quiz(person)
            if action == "interview":
                return self._interview(person)
            return self._ask(person, step)
        except Exception as exc:
            return Outcome(action, [], None, f"{type(exc).__name__}: {exc}")

    def _wait(self, person: Person, found: Callable[[list[Post]], Any], what: str) -> Any:
        got = self.standin.wait(person.user, found, self.timeout_s)
        if not got:
            raise TimeoutError(f"no {what} for {person.user} in {self.timeout_s:.0f}s")
        return got

    def _ask(self, person: Person, step: int) -> Outcome:
        seen = len(self.standin.posts(person.user))
        question = self.questions[(hash(person.user) + step) % len(self.questions)]
        ack = self.command(person, f"ask {question}")
        sent = time.perf_counter()
        reply = self._wait(
            person,
            lambda ps: [
                p for p in ps[seen:] if p.method == "response_url" and p.params.get("blocks")
            ],
            "answer",
        )
        return Outcome("ask", [ack], reply[0].at - sent)

    def _quiz(self, person: Person) -> Outcome:
        seen = len(self.standin.posts(person.user))
        ack = self.command(person, "quiz")
        sent = time.perf_counter()

        def batch(posts: list[Post]) -> list[Post] | None:
            new = posts[seen:]
            intro = next(
                (
                    p
                    for p in new
                    if p.method == "chat.postMessage"
                    and re.search(r"(\d+) questions?\.", str(p.params.get("text")))
                ),
                None,
            )
            if intro is None:
                done = any("Nothing to practise" in str(p.params.get("text")) for p in new)
                return [] if done else None
            wanted = int(re.findall(r"(\d+) questions?\.", str(intro.params["text"]))[0])
            asked = [p for p in new if p.method == "chat.postMessage" and _is_question(p)]
            return asked if len(asked) >= wanted else None

        asked = self.standin.wait(
            person.user, lambda ps: batch(ps) is not None and [batch(ps)], self.timeout_s
        )
        if not asked:
            raise TimeoutError(f"no quiz for {person.user}")
        person.questions += asked[0]
        last = max((p.at for p in asked[0]), default=time.perf_counter())
        return Outcome("quiz", [ack], last - sent)

    def _answer(self, person: Person) -> Outcome:
        post = person.questions.pop(0)
        channel, ts = post.params["channel"], post.params["ts"]
        person.keys.add(f"slack:{TEAM}:{person.user}:{channel}:{ts}")
        seen = len(self.standin.posts(person.user))
        if _buttons(post.params):
            acks = [self.click(person, post)]
            sent = time.perf_counter()
            if self.duplicate_every and next(self._clicks) % self.duplicate_every == 0:
                acks.append(self.click(person, post))  # a double click / a retried delivery
                with self._lock:
                    self.duplicates += 1
            reply = self._wait(
                person,
                lambda ps: [
                    p for p in ps[seen:] if p.method == "chat.update" and p.params.get("ts") == ts
                ],
                "graded question",
            )
            return Outcome("quiz answer", acks, reply[0].at - sent)
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": channel,
            "user": person.user,
            "ts": f"{time.time():.6f}",
            "thread_ts": ts,
            "text": "A B C D",
        }
        ack = self.event(person, event)
        sent = time.perf_counter()
        reply = self._wait(
            person,
            lambda ps: [
                p
                for p in ps[seen:]
                if p.method == "chat.postMessage" and p.params.get("thread_ts") == ts
            ],
            "graded typed answer",
        )
        return Outcome("quiz answer", [ack], reply[0].at - sent)

    def _interview(self, person: Person) -> Outcome:
        seen = len(self.standin.posts(person.user))
        ack = self.command(person, "interview")
        sent = time.perf_counter()
        root = self._wait(
            person,
            lambda ps: [
                p
                for p in ps[seen:]
                if (p.params.get("metadata") or {}).get("event_type") == "copc_interview"
            ],
            "interview",
        )
        person.root = root[0].params
        total = re.search(r"Question 1 of (\d+)", root[0].text())
        person.replies_left = int(total.group(1)) if total else 1
        person.replies.setdefault(str(person.root["ts"]), 0)
        return Outcome("interview", [ack], root[0].at - sent)

    def _reply(self, person: Person) -> Outcome:
        assert person.root is not None
        root_ts = str(person.root["ts"])
        seen = len(self.standin.posts(person.user))
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": person.root["channel"],
            "user": person.user,
            "ts": f"{time.time():.6f}",
            "thread_ts": root_ts,
            "text": INTERVIEW_ANSWER,
        }
        ack = self.event(person, event)
        sent = time.perf_counter()
        person.replies_left -= 1
        person.replies[root_ts] += 1
        reply = self._wait(
            person,
            lambda ps: [
                p
                for p in ps[seen:]
                if p.params.get("thread_ts") == root_ts and "Score " in p.text()
            ],
            "grade",
        )
        return Outcome("interview answer", [ack], reply[0].at - sent)


def _buttons(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        e
        for b in params.get("blocks") or []
        if b.get("type") == "actions"
        for e in b.get("elements", [])
        if str(e.get("action_id", "")).startswith("quiz_choice")
    ]


def _is_question(post: Post) -> bool:
    meta = post.params.get("metadata") or {}
    return bool(_buttons(post.params)) or meta.get("event_type") == "copc_quiz"


def run_people(
    harness: Harness, count: int, actions: int, prefix: str
) -> tuple[list[Person], list[Outcome], float]:
    """``count`` people acting at once, ``actions`` each; returns them, outcomes and wall time."""
    people = [Person(f"U{prefix}{n:04d}{uuid.uuid4().hex[:4].upper()}") for n in range(count)]
    barrier = threading.Barrier(count)

    def life(person: Person) -> list[Outcome]:
        barrier.wait(timeout=60)
        return [harness.act(person, CYCLE[s % len(CYCLE)], s) for s in range(actions)]

    started = time.perf_counter()
    with ThreadPoolExecutor(count) as pool:
        outcomes = [o for done in pool.map(life, people) for o in done]
    return people, outcomes, time.perf_counter() - started
