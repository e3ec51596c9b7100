"""Evidence commands: ``ingest``, ``search``, ``ask`` and ``eval``."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from assistant.cli.common import (
    EXIT_INGEST_FAILURES,
    build,
    edge,
    first_use,
    print_ingest,
    progress_bar,
)
from assistant.errors import AssistantError
from assistant.roots import allowed_roots


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--rebuild",
    is_flag=True,
    help="Index from scratch into a new generation; running bots switch to it when complete.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@edge
def ingest(paths: tuple[Path, ...], rebuild: bool, as_json: bool) -> None:
    """Index files and folders (default: the bundled corpus).

    Unchanged files are skipped, changed ones replaced, deleted ones removed. Exit code 3
    when any file failed; the others are still indexed. With --rebuild, everything is
    indexed again beside the live index, which readers keep using until the new one is
    complete; when any file failed, the live index is left as it was (exit code 3).
    Only the corpus folder and the folders in COPC_INGEST_ROOTS are read.
    """
    assistant = build()
    assistant.ingestor.roots = allowed_roots(assistant.settings)
    started = time.perf_counter()
    with progress_bar(not as_json) as progress:
        report = assistant.ingest(list(paths) or None, progress, rebuild=rebuild)
    print_ingest(report, as_json, time.perf_counter() - started)
    if rebuild and not as_json:
        if report.switched:
            click.echo(f"switched the live index to generation {report.generation}")
        else:
            click.echo("rebuild not switched: the live index was left as it was", err=True)
    if not report.ok:
        sys.exit(EXIT_INGEST_FAILURES)


@click.command()
@click.argument("query", required=False)
@click.option("--k", "k", default=5, show_default=True, help="How many sections to show.")
@click.option("--program", help="Only this client program (plus site-wide documents).")
@click.option("--doc-type", help="Only this document type, e.g. procedure or criteria-note.")
@click.option("--role", help="Only documents written for this role (or for everyone).")
@click.option("--mode", type=click.Choice(["hybrid", "bm25", "dense"]), default="hybrid")
@click.option(
    "--batch",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON Lines file with `id` and `question`; one result line each.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@edge
def search(
    query: str | None,
    k: int,
    program: str | None,
    doc_type: str | None,
    role: str | None,
    mode: str,
    batch: Path | None,
    as_json: bool,
) -> None:
    """Show the sections that best match QUERY, ranked."""
    from assistant.retrieval import Filters

    if not query and not batch:
        raise click.UsageError("give a QUERY or --batch FILE")
    assistant = build()
    first_use(assistant)
    filters = Filters(program=program, doc_type=doc_type, role=role)
    if batch:
        for item_id, question, _item in _batch_questions(batch):
            hits = assistant.retriever.search(question, k=k, filters=filters, mode=mode)
            click.echo(
                json.dumps(
                    {
                        "id": item_id,
                        "question": question,
                        "hits": [h.as_json(r) for r, h in enumerate(hits, start=1)],
                    }
                )
            )
        return
    assert query is not None
    hits = assistant.retriever.search(query, k=k, filters=filters, mode=mode)
    if as_json:
        click.echo(
            json.dumps({"query": query, "hits": [h.as_json(r) for r, h in enumerate(hits, 1)]})
        )
        return
    if not hits:
        click.echo("No matching sections in the indexed documents.")
        return
    for rank, hit in enumerate(hits, start=1):
        where = " > ".join(hit.section_path)
        page = f", page {hit.page}" if hit.page else ""
        click.echo(f"{rank}. {hit.file} — {where}{page}  [{hit.doc_id}, score {hit.score:.4f}]")
        snippet = " ".join(hit.text.split())
        click.echo(f"   {snippet[:280]}{'…' if len(snippet) > 280 else ''}")


def _print_answer(answer: Any) -> None:
    click.echo(answer.text)
    if answer.abstained:
        if answer.closest:
            click.echo("\nClosest documents (not evidence):")
            for rank, hit in enumerate(answer.closest, start=1):
                click.echo(f"  {rank}. {hit.doc_id} — {hit.file} — {' > '.join(hit.section_path)}")
    else:
        click.echo("\nEvidence:")
        for c in answer.citations:
            page = f", page {c.page}" if c.page else ""
            control = ", ".join(
                part
                for part in (
                    f"version {c.version}" if c.version else "",
                    f"effective {c.effective_date}" if c.effective_date else "",
                    f"client approved: {c.client_approved}" if c.client_approved else "",
                )
                if part
            )
            click.echo(f"  [{c.n}] {c.doc_id} — {c.file} — {' > '.join(c.section_path)}{page}")
            if control:
                click.echo(f"      {control}")
            click.echo(f"      “{' '.join(c.quote.split())}”")
    for note in answer.notes:
        click.echo(f"\nNote: {note}")


@click.command()
@click.argument("question", required=False)
@click.option("--program", help="Answer only from this client program's (and site-wide) documents.")
@click.option(
    "--role",
    help="Answer only from documents written for this role "
    "(agent, team_lead, manager, quality, wfm) or for everyone.",
)
@click.option(
    "--batch",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON Lines file with `id` and `question`; one answer object per line.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the answer object as JSON.")
@edge
def ask(
    question: str | None, program: str | None, role: str | None, batch: Path | None, as_json: bool
) -> None:
    """Answer QUESTION with cited evidence, or say plainly that there is none."""
    if not question and not batch:
        raise click.UsageError("give a QUESTION or --batch FILE")
    assistant = build()
    first_use(assistant)
    if batch:
        for item_id, text, item in _batch_questions(batch):
            answer = assistant.ask(
                text, program=item.get("program") or program, role=item.get("role") or role
            )
            click.echo(json.dumps({"id": item_id, **answer.as_json()}))
        return
    assert question is not None
    answer = assistant.ask(question, program=program, role=role)
    if as_json:
        click.echo(json.dumps(answer.as_json()))
    else:
        _print_answer(answer)


@click.command(
    "eval",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.pass_context
def eval_(ctx: click.Context) -> None:
    """Retrieval and answer metrics on a gold set or a BEIR benchmark (--help for options)."""
    # The evaluation runner ships in the same distribution; it is loaded only for this command.
    from evals.runner import main as run_eval_cli

    sys.exit(run_eval_cli(list(ctx.args)))


def _batch_questions(path: Path) -> Iterator[tuple[Any, str, dict[str, Any]]]:
    """``(id, question, line object)`` per JSON Lines line; the id defaults to the line number."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AssistantError(f"{path}:{number}: not JSON ({exc.msg}); fix that line") from exc
        if not isinstance(item, dict):
            raise AssistantError(f"{path}:{number}: expected a JSON object")
        question = str(item.get("question", "")).strip()
        if not question:
            raise AssistantError(f"{path}:{number}: no `question`; each line needs one")
        yield item.get("id", number), question, item
