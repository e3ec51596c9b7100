"""The HTML report in a real browser: Debian's headless Chromium, driven over DevTools.

The page is opened from a file; the test records every network request the page makes and
every console message and exception, then takes a screenshot. ``make test`` installs
Chromium when ``/usr/bin/chromium`` is missing; without it this test fails rather than skips.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import websocket  # type: ignore[import-untyped]
from PIL import Image

from assistant.config import Settings
from assistant.reports import AuditSources, build_audit, build_report, render

from .conftest import NOW, SINCE, Scenario

ERROR_LEVELS = ("error", "warning", "assert")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--remote-debugging-port=0",
    "--window-size=1200,2000",
)


def chromium() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    assert found, "headless Chromium is needed: `make test` installs Debian's chromium package"
    return found


@dataclass
class PageRun:
    """What the page did while loading."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)
    png: bytes = b""


class DevTools:
    """A minimal DevTools client over one page's websocket."""

    def __init__(self, url: str) -> None:
        self.ws = websocket.create_connection(url, timeout=20)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        mine = self.next_id
        self.ws.send(json.dumps({"id": mine, "method": method, "params": params}))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv())
            if message.get("id") == mine:
                assert "error" not in message, message["error"]
                return dict(message.get("result", {}))
            self.events.append(message)
        raise TimeoutError(f"no answer to {method}")

    def wait_for(self, event: str, seconds: float = 30) -> None:
        if any(e.get("method") == event for e in self.events):
            return
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv())
            self.events.append(message)
            if message.get("method") == event:
                return
        raise TimeoutError(f"no {event} event")

    def close(self) -> None:
        self.ws.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[int]:
    """A headless Chromium with remote debugging on a free port (read from its profile)."""
    profile = tmp_path / "profile"
    proc = subprocess.Popen(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 60
    while not (port_file.exists() and port_file.read_text().strip()):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("Chromium did not start its DevTools server")
        time.sleep(0.1)
    yield int(port_file.read_text().split()[0])
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def open_page(port: int, page: Path) -> PageRun:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
        targets = json.load(response)
    target = next(t for t in targets if t.get("type") == "page")
    tools = DevTools(target["webSocketDebuggerUrl"])
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            tools.call(f"{domain}.enable")
        tools.call("Page.navigate", url=page.as_uri())
        tools.wait_for("Page.loadEventFired")
        charts = tools.call(
            "Runtime.evaluate",
            expression="JSON.stringify([...document.querySelectorAll('svg.chart')].map(s => "
            "({name: s.dataset.chart, w: s.getBoundingClientRect().width, "
            "h: s.getBoundingClientRect().height, shapes: s.querySelectorAll("
            "'rect,polyline,circle').length})))",
            returnByValue=True,
        )
        shot = tools.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        run = PageRun(
            charts=json.loads(charts["result"]["value"]), png=base64.b64decode(shot["data"])
        )
        for event in tools.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Network.requestWillBeSent":
                run.requests.append(params["request"]["url"])
            elif method == "Runtime.exceptionThrown":
                run.errors.append(json.dumps(params["exceptionDetails"])[:300])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in (
                "error",
                "warning",
            ):
                run.errors.append(json.dumps(params.get("args"))[:300])
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                run.errors.append(params["entry"].get("text", "")[:300])
        return run
    finally:
        tools.close()


def test_the_html_report_renders_in_headless_chromium(
    sqlite_scenario: Scenario, browser: int, tmp_path: Path
) -> None:
    scenario = sqlite_scenario
    audit = build_audit(AuditSources.from_settings(Settings()), as_of=date(2026, 11, 22))
    report = build_report(
        scenario.records,
        scenario.scheduler,
        since=SINCE,
        now=NOW,
        audit_date=date(2026, 3, 20),
        audit=audit,
    )
    page = tmp_path / "report.html"
    page.write_text(render(report, "html"), encoding="utf-8")
    run = open_page(browser, page)
    (tmp_path / "report.png").write_bytes(run.png)

    assert run.requests == [page.as_uri()], "the page must load nothing but itself"
    assert run.errors == []
    assert [c["name"] for c in run.charts] == [
        "team-area-heatmap",
        "people-area-heatmap",
        "weekly-accuracy",
        "weekly-active",
        "area-mastery",
        "team-first-attempt",
    ]
    for chart in run.charts:
        assert chart["w"] > 100 and chart["h"] > 50 and chart["shapes"] > 0, chart
    image = Image.open(io.BytesIO(run.png)).convert("RGB")
    assert image.width >= 1000 and image.height >= 1500
    pixels = (
        list(image.get_flattened_data())
        if hasattr(image, "get_flattened_data")
        else list(image.getdata())
    )
    drawn = sum(1 for r, g, b in pixels if min(r, g, b) < 235) / len(pixels)
    coloured = sum(1 for r, g, b in pixels if max(r, g, b) - min(r, g, b) > 80) / len(pixels)
    assert drawn > 0.02, f"the screenshot is (nearly) blank: {drawn:.3%} drawn"
    # the charts' colours (heatmap cells, lines, bars) are on the screen, not only in the markup
    assert coloured > 0.003, f"no chart colours in the screenshot: {coloured:.3%}"
    assert len(set(pixels)) > 200
