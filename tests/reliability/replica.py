"""One bot replica for the scale-out tests, run as ``python tests/reliability/replica.py PORT``.

The real HTTP bot (``bots.http``) with the real practice engine, configured from ``COPC_*``
and ``SLACK_*`` like ``copc slack --http`` (the shared Chroma server, PostgreSQL, the Slack
stand-in), except that it embeds with the deterministic ``HashEmbedder`` so that several
replicas start in seconds. ``--daily`` also runs the daily-practice loop. SIGTERM stops it.
"""

from __future__ import annotations

import logging
import sys

from assistant.app import build_assistant
from assistant.config import Settings
from assistant.embedding import HashEmbedder
from assistant.practice import Practice
from bots.app import create_app, web_client
from bots.http import HttpServer

DIMENSION = 64


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    port = int(argv[0])
    settings = Settings()
    assistant = build_assistant(settings, embedder=HashEmbedder(DIMENSION))
    practice = Practice.from_settings(settings, assistant=assistant)
    practice.sync_bank()  # before serving, so the first click does not pay for it
    bot = create_app(settings, assistant, practice, web_client(settings))
    if "--daily" in argv:
        bot.daily.start()
    try:
        HttpServer(bot.app, host="127.0.0.1", port=port).serve()
    finally:
        bot.daily.stop()
        practice.close()


if __name__ == "__main__":
    main(sys.argv[1:])
