"""HTTP mode: an ASGI app served by uvicorn.

``POST /slack/events`` takes events, slash commands and interactivity (Bolt verifies the
signature and answers 401 to a bad or stale one); ``GET /healthz`` answers load balancers.
Bolt's dispatch is synchronous, so it runs in a thread pool rather than on the event loop:
one slow request never holds up the acknowledgement of the others.
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.asgi import SlackRequestHandler
from slack_bolt.adapter.asgi.http_request import AsgiHttpRequest
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


class SlackASGI(SlackRequestHandler):
    """Bolt's ASGI adapter with dispatch off the event loop and a health check."""

    def __init__(self, app: App, *, threads: int = 32) -> None:
        super().__init__(app, path=EVENTS_PATH)
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="copc-http")

    async def dispatch(self, request: AsgiHttpRequest) -> BoltResponse:
        bolt_request = BoltRequest(
            body=await request.get_raw_body(),
            query=request.query_string,
            headers=request.get_headers(),
        )
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self.app.dispatch, bolt_request)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == HEALTH_PATH:
            body = b'{"ok": true}'
            headers = [(b"content-type", b"application/json"), (b"content-length", b"12")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await super().__call__(scope, receive, send)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class HttpServer:
    """uvicorn serving :class:`SlackASGI`; :meth:`serve` blocks, :meth:`start` runs a thread."""

    def __init__(self, app: App, *, host: str = "0.0.0.0", port: int = 3000) -> None:
        self.asgi = SlackASGI(app)
        config = uvicorn.Config(
            self.asgi,
            host=host,
            port=port,
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=5,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self.url = f"http://{host}:{port}"

    def serve(self) -> None:
        """Serve until interrupted (Ctrl-C or SIGTERM)."""
        try:
            self._server.run()
        finally:
            self.asgi.close()

    def start(self, timeout_s: float = 15.0) -> None:
        """Serve in a background thread; returns once the port accepts connections."""
        self._thread = threading.Thread(target=self._server.run, name="copc-uvicorn", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the HTTP server did not start on {self.url}")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.asgi.close()
