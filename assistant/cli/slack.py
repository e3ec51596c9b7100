"""``copc slack``: run the Slack bot over HTTP (``/slack/events``) or Socket Mode."""

from __future__ import annotations

import logging

import click

from assistant.cli.common import edge
from assistant.config import Settings
from assistant.errors import ConfigError


@click.command()
@click.option("--socket", "mode", flag_value="socket", help="Socket Mode (needs SLACK_APP_TOKEN).")
@click.option("--http", "mode", flag_value="http", default=True, help="HTTP mode (the default).")
@click.option("--port", default=3000, show_default=True, help="HTTP port.")
@click.option("--host", default="0.0.0.0", show_default=True, help="HTTP address to listen on.")
@click.option("--no-daily", is_flag=True, help="Do not send the daily practice DMs from here.")
@edge
def slack(mode: str, port: int, host: str, no_daily: bool) -> None:
    """Run the Slack bot: `/copc` commands, mentions, DMs, quizzes, App Home, daily practice.

    Needs SLACK_BOT_TOKEN, and SLACK_SIGNING_SECRET for HTTP or SLACK_APP_TOKEN for
    Socket Mode. COPC_SLACK_API_URL points the Web API client elsewhere (a proxy).
    """
    settings = Settings()
    if mode == "socket" and settings.slack_app_token is None:
        raise ConfigError("set SLACK_APP_TOKEN (the app-level token, xapp-…) for --socket")
    if mode == "http" and settings.slack_signing_secret is None:
        raise ConfigError("set SLACK_SIGNING_SECRET (Basic Information in the app's settings)")
    logging.getLogger("bots").setLevel(logging.INFO)
    # The bot ships in the same distribution; it is loaded only for this command.
    from bots.app import build_bot

    click.echo("starting the Slack bot (indexing the bundled corpus on first use)...", err=True)
    bot = build_bot(settings)
    if not no_daily:
        bot.daily.start()
    try:
        if mode == "socket":
            from bots.socket import SocketServer

            assert settings.slack_app_token is not None
            server = SocketServer(
                bot.app, settings.slack_app_token.get_secret_value(), concurrency=16
            )
            click.echo("connected to Slack in Socket Mode; Ctrl-C stops", err=True)
            server.serve()
        else:
            from bots.http import HttpServer

            click.echo(f"listening on http://{host}:{port}/slack/events; Ctrl-C stops", err=True)
            HttpServer(bot.app, host=host, port=port).serve()
    finally:
        bot.daily.stop()
