"""The bot's composition: ``create_app`` wires a Bolt app from its dependencies.

``create_app`` takes everything it uses (settings, the assistant, the practice engine, a
Slack ``WebClient``) so tests hand it real parts pointed at local stand-ins; ``build_bot``
is what ``copc slack`` calls to build those parts from the settings.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant.config import Settings
from assistant.errors import ConfigError
from bots import commands, evidence, feedback, home, mentions, messages, quiz
from bots.daily import DailyPractice
from bots.deps import Deps
from bots.people import People
from bots.ports import Asker, PracticeEngine
from bots.protocol import dedupe_events
from bots.roles import RoleDirectory

log = logging.getLogger("bots")

#: One ``register(app, deps)`` per Slack surface.
SURFACES = (commands, evidence, mentions, messages, quiz, home, feedback)


def web_client(settings: Settings) -> WebClient:
    """The Web API client: ``SLACK_BOT_TOKEN``, at ``COPC_SLACK_API_URL`` when set."""
    if settings.slack_bot_token is None:
        raise ConfigError("set SLACK_BOT_TOKEN (the bot token, xoxb-…) to run the Slack bot")
    base = settings.slack_api_url or WebClient.BASE_URL
    return WebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=base if base.endswith("/") else base + "/",
        timeout=10,
    )


@dataclass
class Bot:
    """A ready bot: the Bolt app, its dependencies and the daily-practice sender."""

    app: App
    deps: Deps
    daily: DailyPractice


def create_app(
    settings: Settings,
    assistant: Asker,
    practice: PracticeEngine,
    client: WebClient,
    *,
    roles: RoleDirectory | None = None,
) -> Bot:
    """A Bolt app with every surface registered, its dependencies and the daily sender.

    Acknowledgements run inline (``process_before_response``) and the slow work in a
    pool of ``COPC_SLACK_WORKERS`` threads, so a busy pool never delays an ``ack()``.

    Raises:
        ConfigError: the bot token was refused (Bolt checks it with ``auth.test``).
    """
    secret = settings.slack_signing_secret
    try:
        app = App(
            name="copc",
            client=client,
            signing_secret=secret.get_secret_value() if secret else "",
            process_before_response=True,
            listener_executor=ThreadPoolExecutor(
                max_workers=settings.slack_workers, thread_name_prefix="copc-slack"
            ),
            logger=logging.getLogger("bots.bolt"),
        )
    except SlackApiError as exc:
        raise ConfigError(f"Slack refused the bot token: {exc.response.get('error')}") from exc
    except Exception as exc:  # BoltError wraps auth.test failures
        raise ConfigError(f"could not start the Slack app: {str(exc).splitlines()[0]}") from exc
    directory = roles if roles is not None else RoleDirectory.load(settings.roles_file)
    deps = Deps(
        settings=settings,
        assistant=assistant,
        practice=practice,
        people=People(practice, directory, client),
    )
    app.middleware(dedupe_events(deps.seen_events, practice.records.claim_event))
    for surface in SURFACES:
        surface.register(app, deps)
    return Bot(app, deps, DailyPractice(deps, client))


def build_bot(settings: Settings | None = None) -> Bot:
    """Build the real parts from settings (index on first use, records, practice engine)."""
    from assistant.app import build_assistant
    from assistant.practice import Practice

    settings = settings or Settings()
    client = web_client(settings)
    assistant = build_assistant(settings)
    assistant.ensure_index()
    practice = Practice.from_settings(settings, assistant=assistant)
    return create_app(settings, assistant, practice, client)
