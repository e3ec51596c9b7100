"""A scripted OpenAI-compatible chat server on 127.0.0.1, for tests of the LLM path.

It speaks just enough of ``POST /v1/chat/completions`` for the real ``openai`` client (through
``langchain-openai``) to talk to it. Each request takes the next scripted :class:`Reply`
(or the result of a scripted callable, given the request body); it records every request.

    with FakeOpenAI() as fake:
        fake.script("The target is 80/20 [1].", Reply(status=500), Reply(delay_s=5))
        ...  # point the client at fake.url
        fake.requests[0].body["messages"]
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    """What the server answers to one request.

    Attributes:
        content: ``choices[0].message.content`` of a normal chat.completion.
        status: HTTP status; anything but 200 sends an OpenAI-style error body.
        body: Raw bytes sent instead of a chat.completion (malformed responses).
        delay_s: Seconds to wait before answering (timeouts).
    """

    content: str = ""
    status: int = 200
    body: bytes | None = None
    delay_s: float = 0.0


Script = Reply | str | Callable[[dict[str, Any]], "Reply | str"]


@dataclass(frozen=True)
class Request:
    """One request the server received."""

    path: str
    headers: dict[str, str]
    """Header names in lower case."""
    body: dict[str, Any]

    def message(self, role: str) -> str:
        """Content of the first message with ``role`` (``system``, ``user``)."""
        for msg in self.body.get("messages", []):
            if msg.get("role") == role:
                content = msg.get("content", "")
                return content if isinstance(content, str) else json.dumps(content)
        return ""


@dataclass
class FakeOpenAI:
    """The server; start with ``with FakeOpenAI() as fake`` (or ``start``/``close``)."""

    default: Reply = field(default_factory=lambda: Reply("NO_EVIDENCE"))
    requests: list[Request] = field(default_factory=list)
    _queue: deque[Script] = field(default_factory=deque)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL for the client, ``http://127.0.0.1:<port>/v1``."""
        assert self._server is not None, "server not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def script(self, *replies: Script) -> None:
        """Queue the replies for the next requests (then ``default`` for any later one)."""
        self._queue.extend(replies)

    def start(self) -> FakeOpenAI:
        """Listen on a free port in a daemon thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving; sleeping handlers wake up and give up."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- serving ------------------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"unparsed": raw.decode("utf-8", "replace")}
        headers = {k.lower(): v for k, v in handler.headers.items()}
        self.requests.append(Request(handler.path, headers, body))
        if handler.path.rstrip("/") != "/v1/chat/completions":
            self._send(handler, 404, _error("not found", "invalid_request_error"))
            return
        reply = self._next(body)
        if reply.delay_s and self._stopping.wait(reply.delay_s):
            return
        if reply.body is not None:
            self._send(handler, reply.status, reply.body)
        elif reply.status != 200:
            self._send(handler, reply.status, _error("scripted failure", "server_error"))
        else:
            self._send(handler, 200, _completion(body, reply.content))

    def _next(self, body: dict[str, Any]) -> Reply:
        item: Script = self._queue.popleft() if self._queue else self.default
        if callable(item):
            item = item(body)
        return Reply(item) if isinstance(item, str) else item

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, payload: bytes) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout tests)


def _completion(request: dict[str, Any], content: str) -> bytes:
    return json.dumps(
        {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model", "fake-model"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }
    ).encode()


def _error(message: str, kind: str) -> bytes:
    return json.dumps({"error": {"message": message, "type": kind, "code": None}}).encode()
