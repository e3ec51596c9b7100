"""Socket Mode: the bot opens a WebSocket to Slack (no public URL needed).

Bolt's own ``SocketModeHandler`` asks ``apps.connections.open`` for the URL (through the
app's ``WebClient``, so ``COPC_SLACK_API_URL`` applies), acknowledges each envelope with
the ack function's response, and hands the slow work to the same listener pool as HTTP.
"""

from __future__ import annotations

import threading

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler


class SocketServer:
    """Socket Mode for ``app``: :meth:`serve` blocks, :meth:`start` connects and returns."""

    def __init__(self, app: App, app_token: str, *, concurrency: int = 16) -> None:
        self.handler = SocketModeHandler(
            app, app_token=app_token, web_client=app.client, concurrency=concurrency
        )
        self._stopped = threading.Event()

    def start(self) -> None:
        """Connect; envelopes are served by the Socket Mode client's own threads."""
        self._stopped.clear()
        self.handler.client.connect()

    def serve(self) -> None:
        """Connect and serve until :meth:`stop` or Ctrl-C."""
        self.start()
        try:
            self._stopped.wait()
        finally:
            self.stop()

    def stop(self) -> None:
        self._stopped.set()
        self.handler.client.close()
