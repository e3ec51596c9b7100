"""``copc slack``: clear one-line errors without tokens, and a real server when given them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from slack_fixtures import SECRET, free_port, new_user
from slack_standin import SlackSender, SlackStandIn

from assistant.cli import main


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["slack", "--socket"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "set SLACK_APP_TOKEN"),
        (["slack", "--http"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "set SLACK_SIGNING_SECRET"),
    ],
)
def test_missing_tokens_are_one_clear_line(
    args: list[str], env: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and message in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_copc_slack_http_serves_health_and_signed_commands(
    bundled_home: Path, standin: SlackStandIn, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "COPC_HOME": str(bundled_home),
        "COPC_DATABASE_URL": f"sqlite:///{tmp_path / 'records.db'}",
        "COPC_SLACK_API_URL": standin.api_url,
        "SLACK_BOT_TOKEN": "xoxb-cli-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "HF_HUB_OFFLINE": "1",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assistant",
            "slack",
            "--http",
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
            "--no-daily",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert json.loads(r.read()) == {"ok": True}
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "copc slack did not start"
                time.sleep(0.2)
        slack = SlackSender(f"http://127.0.0.1:{port}/slack/events", SECRET, standin)
        status, body = slack.command(new_user(), "help")
        assert status == 200 and "/copc quiz" in body
        assert slack.command(new_user(), "help", signature="v0=" + "1" * 64)[0] == 401
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
