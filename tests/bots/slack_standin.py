"""A local stand-in for Slack: the Web API (recording every call), response_url endpoints,
a Socket Mode WebSocket server, and helpers that send signed requests like Slack does.

It answers the way Slack documents (``ok``, ``ts``, DM channel ids for user ids, stored
messages with metadata for ``conversations.replies``) so the bot runs unmodified against it.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slack_sdk.signature import SignatureVerifier

BOT_USER = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM = "T0TEST01"
_JSON_FIELDS = ("blocks", "view", "metadata", "attachments")


@dataclass(frozen=True)
class Call:
    """One recorded call: the Web API method (or ``response_url``) and its parameters."""

    method: str
    params: dict[str, Any]

    def text(self) -> str:
        """Everything a user would read: the text and every block's text, joined."""
        return json.dumps(self.params, ensure_ascii=False)


class SlackStandIn:
    """The Web API and response_url endpoints on 127.0.0.1 (a free port)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.timezones: dict[str, str] = {}
        self.groups: dict[str, list[str]] = {}
        self.socket_url: str | None = None
        self.fail: dict[str, str] = {}
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                kind = self.headers.get("content-type", "")
                params = _parse(raw, kind)
                if self.path.startswith("/response/"):
                    standin._record("response_url", {"id": self.path.rsplit("/", 1)[-1], **params})
                    self._send(200, b"ok", "text/plain")
                    return
                method = self.path.rsplit("/", 1)[-1]
                auth = self.headers.get("authorization", "")
                if auth:
                    params["_token"] = auth.removeprefix("Bearer ")
                reply = standin._answer(method, params)
                self._send(200, json.dumps(reply).encode(), "application/json")

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.api_url = f"{self.base}/api/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def response_url(self, name: str) -> str:
        return f"{self.base}/response/{name}"

    # -- what the bot sent --------------------------------------------------------------

    def _record(self, method: str, params: dict[str, Any]) -> None:
        with self._lock:
            self.calls.append(Call(method, params))

    def of(self, *methods: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method in methods]

    def wait_for(
        self,
        predicate: Callable[[list[Call]], bool],
        *,
        timeout: float = 30.0,
        what: str = "calls",
    ) -> list[Call]:
        """Poll until ``predicate(calls)`` holds (bounded: fails after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                calls = list(self.calls)
            if predicate(calls):
                return calls
            if time.monotonic() > deadline:
                seen = [c.method for c in calls]
                raise AssertionError(f"timed out waiting for {what}; received {seen}")
            time.sleep(0.02)

    def wait_count(self, method: str, count: int, *, timeout: float = 30.0) -> list[Call]:
        calls = self.wait_for(
            lambda all_: sum(c.method == method for c in all_) >= count,
            timeout=timeout,
            what=f"{count} x {method}",
        )
        return [c for c in calls if c.method == method]

    # -- the Web API ----------------------------------------------------------------------

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method in self.fail:
            self._record(method, params)
            return {"ok": False, "error": self.fail[method]}
        if method != "auth.test":
            self._record(method, params)
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                "team_id": TEAM,
                "team": "Northbay",
                "user": "copc",
                "url": "https://northbay.slack.test/",
            }
        if method == "chat.postMessage":
            channel = str(params.get("channel", ""))
            if channel[:1] in ("U", "W"):
                channel = "D" + channel[1:]
            ts = f"{1_700_000_000 + next(self._ts)}.000100"
            params.update(_channel=channel, _ts=ts)  # the recorded call shows where it went
            message = {**params, "channel": channel, "ts": ts, "user": BOT_USER, "bot_id": BOT_ID}
            with self._lock:
                self.messages[(channel, ts)] = message
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.update":
            key = (str(params.get("channel")), str(params.get("ts")))
            with self._lock:
                if key in self.messages:
                    self.messages[key] = {**self.messages[key], **params}
            return {"ok": True, "channel": key[0], "ts": key[1]}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1_700_000_000 + next(self._ts)}.000200"}
        if method == "conversations.replies":
            root = self.messages.get((str(params.get("channel")), str(params.get("ts"))))
            if root is None:
                return {"ok": False, "error": "thread_not_found"}
            return {"ok": True, "messages": [root], "has_more": False}
        if method == "users.info":
            user = str(params.get("user"))
            return {
                "ok": True,
                "user": {
                    "id": user,
                    "name": user.lower(),
                    "real_name": f"Person {user}",
                    "tz": self.timezones.get(user, "UTC"),
                    "profile": {"display_name": f"person-{user.lower()}"},
                },
            }
        if method == "usergroups.users.list":
            return {"ok": True, "users": self.groups.get(str(params.get("usergroup")), [])}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url}
        if method in ("views.publish", "views.open"):
            return {"ok": True, "view": {"id": "V1", **(params.get("view") or {})}}
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


# -- signed requests, as Slack sends them -------------------------------------------------


class SlackSender:
    """Signs and posts Slack requests to the bot's ``/slack/events``."""

    def __init__(self, url: str, secret: str, standin: SlackStandIn) -> None:
        self.url = url
        self.verifier = SignatureVerifier(secret)
        self.standin = standin
        self._ids = itertools.count(1)

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sig = signature or self.verifier.generate_signature(timestamp=ts, body=body)
        request = urllib.request.Request(
            self.url,
            data=body.encode("utf-8"),
            method="POST",
            headers={
                "content-type": content_type,
                "x-slack-request-timestamp": ts,
                "x-slack-signature": sig,
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

    def command(
        self, user: str, text: str, *, channel: str = "C0GENERAL", **kw: Any
    ) -> tuple[int, str]:
        n = next(self._ids)
        form = {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "northbay",
            "channel_id": channel,
            "channel_name": "general" if channel[0] == "C" else "directmessage",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/copc",
            "text": text,
            "api_app_id": "A0COPC",
            "response_url": self.standin.response_url(f"cmd{n}"),
            "trigger_id": f"trigger-{n}",
        }
        return self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded", **kw)

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, **kw: Any
    ) -> tuple[int, str]:
        body = {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A0COPC",
            "type": "event_callback",
            # Slack's event ids are unique across the workspace's lifetime; the records
            # database remembers claimed ones, so ids never repeat across senders either.
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:16].upper()}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
            "event": event,
        }
        return self.post(json.dumps(body), "application/json", **kw)

    def interaction(self, payload: dict[str, Any], **kw: Any) -> tuple[int, str]:
        payload = {
            "team": {"id": TEAM, "domain": "northbay"},
            "api_app_id": "A0COPC",
            "token": "legacy",
            **payload,
        }
        form = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self.post(form, "application/x-www-form-urlencoded", **kw)

    def click(
        self,
        user: str,
        message: Call | dict[str, Any],
        action: dict[str, Any],
        *,
        channel: str,
        ts: str,
        ephemeral: bool = False,
    ) -> tuple[int, str]:
        """A ``block_actions`` click on a button of a message the bot posted."""
        n = next(self._ids)
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "container": {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            },
            "channel": {"id": channel},
            "trigger_id": f"trigger-click-{n}",
            "response_url": self.standin.response_url(f"click{n}"),
            "actions": [{**action, "type": "button", "action_ts": f"{time.time():.6f}"}],
        }
        if not ephemeral:
            payload["message"] = {"ts": ts, "type": "message"}
        return self.interaction(payload)


def buttons(params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button in a recorded message's blocks (with its block id)."""
    found = []
    for block in params.get("blocks") or []:
        if block.get("type") == "actions":
            found += [{**e, "block_id": block.get("block_id")} for e in block.get("elements", [])]
    return found
