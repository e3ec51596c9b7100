"""The Slack side of the load benchmark, on loopback: the Web API calls the bot makes, the
``response_url`` posts, and waits per person that stay cheap with thousands of messages.

It answers like Slack (``ok``, ``ts``, a DM channel ``D…`` for a user id, stored messages
with their metadata for ``conversations.replies``) and files every post under the person
it concerns, so a simulated person waits on their own messages only.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_JSON_FIELDS = ("blocks", "view", "metadata")


@dataclass(frozen=True)
class Post:
    """One thing the bot sent: a Web API call or a ``response_url`` post."""

    method: str
    params: dict[str, Any]
    at: float

    def text(self) -> str:
        """Everything a person would read in it."""
        return json.dumps(self.params, ensure_ascii=False)


class LoadStandIn:
    """The Web API and ``response_url`` endpoints on 127.0.0.1 (a free port)."""

    def __init__(self) -> None:
        self._posts: dict[str, list[Post]] = defaultdict(list)
        self._messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._changed = threading.Condition()
        self._ts = itertools.count(1)
        self.calls = 0
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                return

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                params = _parse(raw.decode("utf-8"), self.headers.get("content-type", ""))
                if self.path.startswith("/response/"):
                    standin._file(self.path.rsplit("/", 1)[-1], "response_url", params)
                    reply: dict[str, Any] = {"ok": True}
                else:
                    reply = standin._answer(self.path.rsplit("/", 1)[-1], params)
                body = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.api_url = f"{self.base}/api/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def response_url(self, user: str, n: int) -> str:
        """A ``response_url`` whose posts are filed under ``user``."""
        return f"{self.base}/response/{user}.{n}"

    # -- what was sent -------------------------------------------------------------------------
    def posts(self, user: str) -> list[Post]:
        """Everything sent to ``user`` (their DM, their response URLs), oldest first."""
        with self._changed:
            return list(self._posts.get(user, []))

    def wait(self, user: str, predicate: Callable[[list[Post]], Any], timeout: float) -> Any:
        """Wait until ``predicate(posts of user)`` is truthy; returns it, or None on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = predicate(list(self._posts.get(user, [])))
                left = deadline - time.monotonic()
                if found or left <= 0:
                    return found or None
                self._changed.wait(min(left, 1.0))

    def all_posts(self) -> list[Post]:
        """Every post to anyone."""
        with self._changed:
            return [p for posts in self._posts.values() for p in posts]

    # -- the Web API ---------------------------------------------------------------------------
    def _file(self, key: str, method: str, params: dict[str, Any]) -> None:
        user = key.split(".", 1)[0]
        if user[:1] == "D":
            user = "U" + user[1:]
        with self._changed:
            self.calls += 1
            self._posts[user].append(Post(method, params, time.perf_counter()))
            self._changed.notify_all()

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T0LOAD"}
        if method == "chat.postMessage":
            channel = str(params.get("channel", ""))
            if channel[:1] in ("U", "W"):
                channel = "D" + channel[1:]
            ts = f"{1_700_000_000 + next(self._ts)}.000100"
            params.update(channel=channel, ts=ts)
            with self._changed:
                self._messages[(channel, ts)] = dict(params)
            self._file(channel, method, params)
            return {"ok": True, "channel": channel, "ts": ts, "message": params}
        if method in ("chat.update", "chat.postEphemeral"):
            owner = params.get("user") if method == "chat.postEphemeral" else params.get("channel")
            self._file(str(owner or ""), method, params)
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}
        if method == "conversations.replies":
            with self._changed:
                root = self._messages.get((str(params.get("channel")), str(params.get("ts"))))
            if root is None:
                return {"ok": False, "error": "thread_not_found"}
            return {"ok": True, "messages": [root]}
        if method == "users.info":
            user = str(params.get("user"))
            return {"ok": True, "user": {"id": user, "name": user.lower(), "tz": "UTC"}}
        return {"ok": True}


def _parse(raw: str, kind: str) -> dict[str, Any]:
    if "json" in kind:
        data = json.loads(raw or "{}")
        return data if isinstance(data, dict) else {}
    params: dict[str, Any] = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
    for name in _JSON_FIELDS:
        value = params.get(name)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            params[name] = json.loads(value)
    return params
