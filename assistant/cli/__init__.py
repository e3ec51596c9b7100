"""The ``copc`` command line: parse, call the library, print. Errors become one line.

Each module here holds the commands of one job (evidence, practice, reports, Slack) and
is registered on ``main`` below.
"""

from __future__ import annotations

import logging

import click

from assistant.cli import evidence, practice, reports, slack


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Log details (and tracebacks) to stderr.")
@click.version_option(package_name="copc-assistant")
def main(debug: bool) -> None:
    """COPC readiness assistant: cited evidence from your site's documents."""
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not debug:
        for noisy in ("bm25s", "chromadb", "sentence_transformers", "httpx"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


for _command in (
    evidence.ingest,
    evidence.search,
    evidence.ask,
    evidence.eval_,
    slack.slack,
    practice.quiz,
    practice.interview,
    practice.stats,
    practice.questions,
    reports.report,
    reports.audit,
    reports.demo_data,
):
    main.add_command(_command)
