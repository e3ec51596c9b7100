"""Fixtures for the security tests: hostile files, the Slack bot over the bundled corpus.

The Slack helpers (stand-in, signed sender, bot starter) are those of ``tests/bots``; the
bot fixtures are declared again here because pytest scopes fixtures to their folder.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bots"))

from bounded import FIGURES
from slack_fixtures import SECRET, LiveBot, open_practice, start_bot
from slack_standin import SlackStandIn

from assistant.app import Assistant, build_assistant
from assistant.config import Settings
from assistant.embedding import SentenceTransformerEmbedder
from assistant.practice import Practice


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The measured hostile inputs: seconds and peak memory of each, for docs/security.md."""
    if not FIGURES:
        return
    terminalreporter.section("hostile inputs: time and peak memory (forked child)")
    for name, seconds, peak, outcome in FIGURES:
        terminalreporter.write_line(f"{name:58} {seconds:7.2f} s {peak:8.1f} MiB  {outcome}")


@pytest.fixture(scope="session")
def sec_assistant(bundled_home: Path, minilm: SentenceTransformerEmbedder) -> Assistant:
    """The assistant over the indexed bundled corpus (harbor-bank and lumen-telecom docs)."""
    return build_assistant(Settings(home=bundled_home), embedder=minilm)


@pytest.fixture(scope="session")
def sec_practice(
    sec_assistant: Assistant, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Practice]:
    """The real practice engine over the bundled index, its bank synced once."""
    engine = open_practice(sec_assistant, tmp_path_factory.mktemp("sec-practice"))
    engine.sync_bank()
    yield engine
    engine.close()


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    """The Slack Web API stand-in on a free port."""
    server = SlackStandIn()
    yield server
    server.close()


@pytest.fixture
def bot_settings(standin: SlackStandIn, tmp_path: Path) -> Settings:
    """Settings pointing the bot's Web API client at the stand-in."""
    return Settings(
        home=tmp_path / "bot-home",
        slack_api_url=standin.api_url,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SECRET,
        slack_workers=4,
    )


@pytest.fixture
def live(
    bot_settings: Settings, sec_assistant: Assistant, sec_practice: Practice, standin: SlackStandIn
) -> Iterator[LiveBot]:
    """The bot's real HTTP server on 127.0.0.1 over the real assistant and practice engine."""
    running = start_bot(bot_settings, sec_assistant, sec_practice, standin)
    yield running
    running.server.stop()


@pytest.fixture(scope="session")
def docx_bytes() -> bytes:
    """A small valid DOCX: a title, a heading, paragraphs, a list item and a table."""
    from docx import Document

    document = Document()
    document.add_heading("Escalation procedure", level=0)
    document.add_paragraph("Document ID: NB-OPS-001")
    document.add_heading("Level 1", level=1)
    document.add_paragraph("Agents escalate to the team lead within 10 minutes.")
    document.add_paragraph("Log the case first.", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Version", "2.1"
    table.cell(1, 0).text, table.cell(1, 1).text = "Owner", "Quality"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def pdf_bytes() -> bytes:
    """A small valid two-page PDF with an outline entry."""
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.setTitle("QA sampling")
    canvas.bookmarkHorizontal("s1", 0, 812)
    canvas.addOutlineEntry("1. Sample size", "s1", level=0)
    canvas.drawString(72, 800, "1. Sample size")
    canvas.drawString(72, 780, "Each agent has 8 contacts monitored per month.")
    canvas.showPage()
    canvas.drawString(72, 800, "2. Calibration")
    canvas.drawString(72, 780, "Analysts calibrate every week.")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
