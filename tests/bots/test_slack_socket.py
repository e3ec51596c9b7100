"""Socket Mode end to end: ``apps.connections.open`` returns a local WebSocket, the stand-in
sends envelopes, and the bot acknowledges each and posts its reply to the Web API stand-in."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from slack_fixtures import new_user
from slack_standin import BOT_USER, TEAM, SlackStandIn
from websockets.sync.server import Server, ServerConnection, serve

from assistant.app import Assistant
from assistant.config import Settings
from assistant.practice import Practice
from bots.app import create_app, web_client
from bots.socket import SocketServer

pytestmark = pytest.mark.slow


class SocketStandIn:
    """Slack's Socket Mode end: one connection, envelopes in, acknowledgements out."""

    def __init__(self) -> None:
        self.acks: queue.Queue[dict[str, Any]] = queue.Queue()
        self.outbox: queue.Queue[str] = queue.Queue()
        self.connected = threading.Event()
        self.server: Server = serve(self._handle, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/link/?ticket=t1"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def _handle(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        self.connected.set()
        while True:
            try:
                while not self.outbox.empty():
                    connection.send(self.outbox.get_nowait())
                message = connection.recv(timeout=0.05)
            except TimeoutError:
                continue
            except Exception:
                return
            self.acks.put(json.loads(message))

    def send(self, kind: str, payload: dict[str, Any], envelope_id: str) -> None:
        self.outbox.put(
            json.dumps(
                {
                    "envelope_id": envelope_id,
                    "type": kind,
                    "payload": payload,
                    "accepts_response_payload": kind != "events_api",
                    "retry_attempt": 0,
                    "retry_reason": "",
                }
            )
        )

    def ack_for(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                ack = self.acks.get(timeout=0.1)
            except queue.Empty:
                continue
            if ack.get("envelope_id") == envelope_id:
                return ack
        raise AssertionError(f"no acknowledgement for {envelope_id}")

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def socket_bot(
    standin: SlackStandIn, bot_settings: Settings, bot_assistant: Assistant, practice: Practice
) -> Iterator[SocketStandIn]:
    ws = SocketStandIn()
    standin.socket_url = ws.url
    settings = bot_settings.model_copy(update={"slack_signing_secret": None})
    bot = create_app(settings, bot_assistant, practice, web_client(settings))
    server = SocketServer(bot.app, "xapp-test-token", concurrency=4)
    server.start()
    assert ws.connected.wait(10), "the bot did not open the WebSocket"
    yield ws
    server.stop()
    ws.close()


def test_envelopes_are_acknowledged_and_replies_posted(
    socket_bot: SocketStandIn, standin: SlackStandIn
) -> None:
    opened = standin.of("apps.connections.open")
    assert opened and opened[0].params["_token"] == "xapp-test-token"
    user = new_user()
    command = {
        "command": "/copc",
        "text": "ask How was the service level target set?",
        "user_id": user,
        "channel_id": "C0GENERAL",
        "team_id": TEAM,
        "response_url": standin.response_url("sock1"),
        "trigger_id": "t",
    }
    socket_bot.send("slash_commands", command, "env-cmd-1")
    ack = socket_bot.ack_for("env-cmd-1")
    assert "Looking that up" in ack["payload"]["text"]
    answer = standin.wait_count("response_url", 1)[0].params
    assert answer["response_type"] == "ephemeral" and "*Sources*" in json.dumps(answer)

    mention = {
        "type": "event_callback",
        "team_id": TEAM,
        "event_id": "EvSOCK1",
        "event": {
            "type": "app_mention",
            "user": user,
            "channel": "C0GENERAL",
            "ts": "1700000500.000100",
            "text": f"<@{BOT_USER}> How was the service level target set?",
        },
    }
    socket_bot.send("events_api", mention, "env-ev-1")
    assert socket_bot.ack_for("env-ev-1")["envelope_id"] == "env-ev-1"
    reply = standin.wait_count("chat.postMessage", 1)[0].params
    assert reply["thread_ts"] == "1700000500.000100" and "[1]" in json.dumps(reply)
