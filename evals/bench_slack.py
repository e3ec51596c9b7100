"""Slack bot benchmark (a script, not a test): acknowledgement and answer latency over HTTP.

``python -m evals.bench_slack`` starts the bot's real HTTP server on 127.0.0.1 with the real
assistant (MiniLM, the index under ``COPC_HOME``, indexed on first use) and a minimal Slack
stand-in on loopback that timestamps every ``response_url`` post. It then sends signed
``/copc ask`` commands (gold questions, cycled):

- *load*: ``--requests`` (200) with ``--in-flight`` (20) at once: acknowledgement latency
  (request sent -> HTTP response) p50/p95/p99 — Slack's limit is 3 s, the goal 300 ms — and
  the answer posted after the acknowledgement p50/p95 (a burst: mostly time in the queue);
- *users waiting*: ``--in-flight`` people, each asking again once their answer is posted
  (``--requests / --in-flight / 2`` questions each): the answer after the acknowledgement;
- *one at a time*: ``--sequential`` (20) requests, each waiting for its answer: the answer
  posted after the acknowledgement with no queue (the goal is p95 <= 1 s).

The 1-minute load average before and after is reported, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from slack_sdk.signature import SignatureVerifier

from assistant.app import build_assistant
from assistant.config import Settings
from evals.gold import load_gold
from evals.metrics import percentile

GOLD = Path(__file__).resolve().parent / "datasets" / "site.jsonl"
SECRET = "bench-signing-secret-0123456789abcdef"


@dataclass
class Recorder:
    """The Slack side: answers the few Web API calls the ask path makes, times answers."""

    answered: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.done = threading.Condition(self.lock)

    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                if self.path.startswith("/response/"):
                    with recorder.done:
                        recorder.answered.setdefault(
                            self.path.rsplit("/", 1)[-1], time.perf_counter()
                        )
                        recorder.done.notify_all()
                    body = b"ok"
                else:
                    body = json.dumps(
                        {
                            "ok": True,
                            "user_id": "UBOT",
                            "bot_id": "BBOT",
                            "team_id": "T1",
                            "user": {"id": "U", "tz": "UTC"},
                        }
                    ).encode()
                self.send_response(200)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}"

    def wait(self, names: list[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self.done:
            while not all(n in self.answered for n in names):
                left = deadline - time.monotonic()
                if left <= 0:
                    missing = sum(n not in self.answered for n in names)
                    raise TimeoutError(f"{missing} answers were not posted in {timeout:.0f}s")
                self.done.wait(left)


def signed_command(url: str, base: str, name: str, question: str) -> float:
    """Send one signed ``/copc ask``; returns the time its acknowledgement arrived."""
    body = urllib.parse.urlencode(
        {
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": f"U{name.upper()}",
            "command": "/copc",
            "text": f"ask {question}",
            "response_url": f"{base}/response/{name}",
            "trigger_id": name,
        }
    )
    ts = str(int(time.time()))
    signature = str(SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body))
    request = urllib.request.Request(
        url,
        data=body.encode(),
        method="POST",
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "x-slack-request-timestamp": ts,
            "x-slack-signature": signature,
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status != 200:
            raise RuntimeError(f"status {response.status}")
        response.read()
    return time.perf_counter()


def stats_ms(values: list[float], *qs: float) -> dict[str, float]:
    return {f"p{q:g}": round(percentile(values, q) * 1000, 1) for q in qs}


def run(requests: int, in_flight: int, sequential: int, workers: int) -> dict[str, Any]:
    from assistant.practice import Practice
    from bots.app import create_app, web_client
    from bots.http import HttpServer

    recorder = Recorder()
    standin, base = recorder.serve()
    settings = Settings(
        slack_api_url=f"{base}/api/",
        slack_bot_token=SecretStr("xoxb-bench"),
        slack_signing_secret=SecretStr(SECRET),
        slack_workers=workers,
    )
    assistant = build_assistant(settings)
    assistant.ensure_index()
    bot = create_app(
        settings,
        assistant,
        Practice.from_settings(settings, assistant=assistant),
        web_client(settings),
    )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = HttpServer(bot.app, host="127.0.0.1", port=port)
    server.start()
    url = f"{server.url}/slack/events"
    questions = [q.question for q in load_gold(GOLD)]
    try:
        for n in range(3):  # warm-up: the model, the index, the connections
            signed_command(url, base, f"warm{n}", questions[n])
        recorder.wait([f"warm{n}" for n in range(3)], 120)
        load_before = os.getloadavg()[0]

        sent: dict[str, float] = {}
        acked: dict[str, float] = {}

        def one(n: int) -> None:
            name = f"load{n}"
            sent[name] = time.perf_counter()
            acked[name] = signed_command(url, base, name, questions[n % len(questions)])

        started = time.perf_counter()
        with ThreadPoolExecutor(in_flight) as pool:
            list(pool.map(one, range(requests)))
        recorder.wait(list(sent), 600)
        wall = time.perf_counter() - started
        ack = [acked[n] - sent[n] for n in sent]
        answer = [recorder.answered[n] - acked[n] for n in sent]

        def closed_loop(user: int, rounds: int, prefix: str) -> list[float]:
            spent = []
            for k in range(rounds):
                name = f"{prefix}{user}x{k}"
                acked_at = signed_command(url, base, name, questions[(user + k) % len(questions)])
                recorder.wait([name], 120)
                spent.append(recorder.answered[name] - acked_at)
            return spent

        rounds = max(1, requests // in_flight // 2)
        with ThreadPoolExecutor(in_flight) as pool:
            users = list(pool.map(lambda u: closed_loop(u, rounds, "user"), range(in_flight)))
        waiting = [t for spent in users for t in spent]
        alone = closed_loop(0, sequential, "seq")
        load_after = os.getloadavg()[0]
    finally:
        server.stop()
        standin.shutdown()
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "load_1m_before": round(load_before, 2),
            "load_1m_after": round(load_after, 2),
            "python": sys.version.split()[0],
        },
        "settings": {"requests": requests, "in_flight": in_flight, "listener_workers": workers},
        "load": {
            "ack_ms": stats_ms(ack, 50, 95, 99),
            "ack_max_ms": round(max(ack) * 1000, 1),
            "answer_after_ack_ms": stats_ms(answer, 50, 95),
            "answers_posted": len(answer),
            "wall_s": round(wall, 2),
        },
        "users_waiting": {
            "users": in_flight,
            "requests": len(waiting),
            "answer_after_ack_ms": stats_ms(waiting, 50, 95),
        },
        "one_at_a_time": {"requests": sequential, "answer_after_ack_ms": stats_ms(alone, 50, 95)},
        "goals": {"ack_p99_ms": 300, "answer_after_ack_p95_ms": 1000},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--in-flight", type=int, default=20)
    parser.add_argument("--sequential", type=int, default=20)
    parser.add_argument("--workers", type=int, default=Settings().slack_workers)
    parser.add_argument("--out", type=Path, help="Also write the JSON here.")
    args = parser.parse_args(argv)
    result = run(args.requests, args.in_flight, args.sequential, args.workers)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
