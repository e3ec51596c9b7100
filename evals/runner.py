"""The evaluation runner behind ``copc eval``: retrieval and answer metrics on a gold set.

Usage::

    python -m evals.runner --gold FILE [--corpus DIR] [--mode bm25|dense|hybrid|all]
                           [--k N] [--json] [--out-md FILE] [--out-json FILE]
    python -m evals.runner --beir DIR [--mode ...] [--cache-dir DIR] [--json] [--out-md FILE]

For every mode it runs one ``retriever.search`` per answerable question and scores the
ranking at section level (DESIGN §6 matching rule) and at file level. Independently of the
mode it asks every question through ``Assistant.ask`` (the product's answerer, always
hybrid) and scores the answers: facts, citations, abstentions and cross-program leakage.

Metric conventions (each is a pure function below):

- ``recall@5`` and ``nDCG@10`` count an expected source once: a second hit inside the same
  expected section (or file) adds nothing, so both stay within [0, 1].
- Fact recall, citation precision and citation integrity are micro-averages: found facts
  over all facts, matching citations over all citations.
- Abstention is the positive class: precision = right abstentions / abstentions, recall =
  right abstentions / out-of-scope questions.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from assistant.chunking import SITE_WIDE, normalise_program
from assistant.errors import AssistantError
from assistant.retrieval import MODES, Filters, Mode
from evals.gold import ExpectedSource, GoldQuestion, load_gold, section_matches
from evals.metrics import hit_at, ndcg_at, percentile, recall_at, reciprocal_rank

if TYPE_CHECKING:
    from assistant.answers import Answer
    from assistant.app import Assistant
    from assistant.embedding import Embedder

Level = Literal["section", "file"]
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


# -- result values --------------------------------------------------------------------------
@dataclass(frozen=True)
class RetrievalScores:
    """Ranking metrics for one question, or their mean over many."""

    hit_at_1: float
    hit_at_5: float
    recall_at_5: float
    mrr: float
    ndcg_at_10: float

    @classmethod
    def mean(cls, items: Sequence[RetrievalScores]) -> RetrievalScores:
        """The per-metric mean (all zeros for no items)."""
        n = len(items) or 1
        return cls(
            hit_at_1=sum(s.hit_at_1 for s in items) / n,
            hit_at_5=sum(s.hit_at_5 for s in items) / n,
            recall_at_5=sum(s.recall_at_5 for s in items) / n,
            mrr=sum(s.mrr for s in items) / n,
            ndcg_at_10=sum(s.ndcg_at_10 for s in items) / n,
        )

    def as_json(self) -> dict[str, float]:
        """Rounded figures keyed by metric name."""
        return {
            "hit@1": round(self.hit_at_1, 4),
            "hit@5": round(self.hit_at_5, 4),
            "recall@5": round(self.recall_at_5, 4),
            "mrr": round(self.mrr, 4),
            "ndcg@10": round(self.ndcg_at_10, 4),
        }


@dataclass(frozen=True)
class ModeResult:
    """Retrieval quality and search latency of one mode over the answerable questions."""

    mode: str
    questions: int
    section: RetrievalScores
    file: RetrievalScores
    search_p50_ms: float
    search_p95_ms: float

    def as_json(self) -> dict[str, Any]:
        """JSON-ready figures."""
        return {
            "questions": self.questions,
            "section": self.section.as_json(),
            "file": self.file.as_json(),
            "search_p50_ms": round(self.search_p50_ms, 2),
            "search_p95_ms": round(self.search_p95_ms, 2),
        }


def ratio(num: int, den: int) -> float | None:
    """``num / den``, or ``None`` when there is nothing to divide by."""
    return num / den if den else None


@dataclass(frozen=True)
class AnswerMetrics:
    """Counts behind the answer metrics; the rates are derived from them."""

    questions: int = 0
    answerable: int = 0
    out_of_scope: int = 0
    facts_total: int = 0
    facts_found: int = 0
    citations_answerable: int = 0
    citations_matching: int = 0
    answers_citing_expected: int = 0
    citations_total: int = 0
    citations_verbatim: int = 0
    abstained: int = 0
    abstained_right: int = 0
    answered_answerable: int = 0
    leakage: int = 0
    ask_p50_ms: float = 0.0
    ask_p95_ms: float = 0.0

    @property
    def fact_recall(self) -> float | None:
        """Answer facts found in the answers / all facts of answerable questions."""
        return ratio(self.facts_found, self.facts_total)

    @property
    def citation_precision(self) -> float | None:
        """Citations of an expected section / all citations, on answerable questions."""
        return ratio(self.citations_matching, self.citations_answerable)

    @property
    def cited_expected_rate(self) -> float | None:
        """Answered answerable questions citing at least one expected section / those answered."""
        return ratio(self.answers_citing_expected, self.answered_answerable)

    @property
    def citation_integrity(self) -> float | None:
        """Citations whose quote is verbatim in the cited chunk / all citations."""
        return ratio(self.citations_verbatim, self.citations_total)

    @property
    def abstention_precision(self) -> float | None:
        """Abstentions on out-of-scope questions / all abstentions."""
        return ratio(self.abstained_right, self.abstained)

    @property
    def abstention_recall(self) -> float | None:
        """Out-of-scope questions abstained on / all out-of-scope questions."""
        return ratio(self.abstained_right, self.out_of_scope)

    @property
    def answer_rate(self) -> float | None:
        """Answerable questions answered (not abstained) / answerable questions."""
        return ratio(self.answered_answerable, self.answerable)

    def as_json(self) -> dict[str, Any]:
        """Rates and the counts behind them."""

        def r(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "fact_recall": r(self.fact_recall),
            "citation_precision": r(self.citation_precision),
            "cited_expected_rate": r(self.cited_expected_rate),
            "citation_integrity": r(self.citation_integrity),
            "abstention_precision": r(self.abstention_precision),
            "abstention_recall": r(self.abstention_recall),
            "answer_rate": r(self.answer_rate),
            "leakage": self.leakage,
            "ask_p50_ms": round(self.ask_p50_ms, 2),
            "ask_p95_ms": round(self.ask_p95_ms, 2),
            "counts": {
                "questions": self.questions,
                "answerable": self.answerable,
                "out_of_scope": self.out_of_scope,
                "facts_total": self.facts_total,
                "facts_found": self.facts_found,
                "citations_total": self.citations_total,
                "citations_verbatim": self.citations_verbatim,
                "citations_answerable": self.citations_answerable,
                "citations_matching": self.citations_matching,
                "answers_citing_expected": self.answers_citing_expected,
                "abstained": self.abstained,
                "abstained_right": self.abstained_right,
                "answered_answerable": self.answered_answerable,
            },
        }


@dataclass(frozen=True)
class Failure:
    """One gold question and everything that went wrong on it."""

    id: str
    question: str
    problems: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"id": self.id, "question": self.question, "problems": list(self.problems)}


@dataclass(frozen=True)
class EvalResult:
    """Everything one evaluation run measured."""

    gold: str
    k: int
    modes: dict[str, ModeResult]
    answers: AnswerMetrics
    failures: list[Failure] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The object ``--json`` prints."""
        return {
            "gold": self.gold,
            "questions": self.answers.questions,
            "answerable": self.answers.answerable,
            "k": self.k,
            "modes": {name: m.as_json() for name, m in self.modes.items()},
            "answers": self.answers.as_json(),
            "failures": [f.as_json() for f in self.failures],
        }


# -- pure metric functions ------------------------------------------------------------------
def match_sets(
    expected: Sequence[ExpectedSource],
    ranked: Sequence[tuple[str, Sequence[str]]],
    level: Level,
) -> tuple[list[set[int]], int]:
    """For each ranked (file, section path), the expected targets it matches.

    At section level the targets are the expected sources; at file level they are the
    distinct expected file names. Returns the match sets and the number of targets.
    """
    if level == "section":
        return (
            [
                {i for i, src in enumerate(expected) if section_matches(src, file, list(path))}
                for file, path in ranked
            ],
            len(expected),
        )
    files = list(dict.fromkeys(src.file for src in expected))
    return [{i for i, name in enumerate(files) if name == file} for file, _ in ranked], len(files)


def score_ranking(found: Sequence[set[int]], n_expected: int) -> RetrievalScores:
    """hit@1, hit@5, recall@5, MRR and nDCG@10 of one ranking.

    nDCG gains only the first hit of each expected target, so repeated hits inside one
    expected section cannot push it above 1.
    """
    relevant = [bool(f) for f in found]
    novel: list[bool] = []
    covered: set[int] = set()
    for matches in found:
        novel.append(bool(matches - covered))
        covered |= matches
    return RetrievalScores(
        hit_at_1=hit_at(relevant, 1),
        hit_at_5=hit_at(relevant, 5),
        recall_at_5=recall_at(found, n_expected, 5),
        mrr=reciprocal_rank(relevant),
        ndcg_at_10=ndcg_at(novel, n_expected, 10),
    )


def normalise_text(text: str) -> str:
    """Case-, whitespace- and quote-insensitive form for fact matching."""
    return " ".join(text.translate(_QUOTES).casefold().split())


def missing_facts(facts: Iterable[str], answer_text: str) -> list[str]:
    """The facts not contained in ``answer_text`` (case/whitespace-insensitive)."""
    blob = normalise_text(answer_text)
    return [f for f in facts if normalise_text(f) not in blob]


def cites_expected(
    expected: Sequence[ExpectedSource], file: str, section_path: Sequence[str]
) -> bool:
    """True when a cited section matches one of the expected sources."""
    return any(section_matches(src, file, list(section_path)) for src in expected)


def quote_is_verbatim(quote: str, chunk_text: str | None) -> bool:
    """True when ``quote`` occurs character for character in the stored chunk text."""
    return bool(quote) and chunk_text is not None and quote in chunk_text


def leaked_programs(asked: str | None, cited: Iterable[str | None]) -> list[str]:
    """Programs cited that are neither the one asked about nor site-wide."""
    if asked is None or normalise_program(asked) == SITE_WIDE:
        return []
    want = normalise_program(asked)
    out = {normalise_program(p) for p in cited} - {want, SITE_WIDE}
    return sorted(out)


# -- the runner -----------------------------------------------------------------------------
def _asked_program(assistant: Assistant, q: GoldQuestion) -> str | None:
    if q.program:
        return q.program
    parsed = assistant.answerer.vocabulary.parse(q.question).program
    return parsed.slug if parsed else None


def _evaluate_mode(
    assistant: Assistant, questions: Sequence[GoldQuestion], mode: Mode, k: int
) -> tuple[ModeResult, list[str]]:
    """Scores of one mode, and the ids of questions with no relevant section in the top 5."""
    assistant.retriever.search("warm up", k=1, mode=mode)  # model load is not latency
    section: list[RetrievalScores] = []
    file: list[RetrievalScores] = []
    timings: list[float] = []
    misses: list[str] = []
    for q in questions:
        filters = Filters(program=q.program) if q.program else None
        started = time.perf_counter()
        hits = assistant.retriever.search(q.question, k=k, filters=filters, mode=mode)
        timings.append((time.perf_counter() - started) * 1000)
        ranked = [(h.file, h.section_path) for h in hits]
        sec = score_ranking(*match_sets(q.expected_sources, ranked, "section"))
        section.append(sec)
        file.append(score_ranking(*match_sets(q.expected_sources, ranked, "file")))
        if not sec.hit_at_5:
            misses.append(q.id)
    result = ModeResult(
        mode=mode,
        questions=len(questions),
        section=RetrievalScores.mean(section),
        file=RetrievalScores.mean(file),
        search_p50_ms=percentile(timings, 50),
        search_p95_ms=percentile(timings, 95),
    )
    return result, misses


def _judge_answer(
    assistant: Assistant, q: GoldQuestion, answer: Answer
) -> tuple[Counter[str], list[str]]:
    """Counts contributed by one answer, and its problems."""
    counts: Counter[str] = Counter()
    problems: list[str] = []
    catalog = assistant.index.catalog
    counts["abstained"] = int(answer.abstained)
    if q.answerable:
        counts["facts_total"] = len(q.answer_facts)
        missing = (
            list(q.answer_facts) if answer.abstained else missing_facts(q.answer_facts, answer.text)
        )
        counts["facts_found"] = len(q.answer_facts) - len(missing)
        if answer.abstained:
            problems.append("wrongly abstained")
        else:
            counts["answered_answerable"] = 1
            if missing:
                problems.append("missing facts: " + ", ".join(repr(f) for f in missing))
        counts["citations_answerable"] = len(answer.citations)
        counts["citations_matching"] = sum(
            cites_expected(q.expected_sources, c.file, c.section_path) for c in answer.citations
        )
        if not answer.abstained and counts["citations_matching"]:
            counts["answers_citing_expected"] = 1
    elif answer.abstained:
        counts["abstained_right"] = 1
    else:
        problems.append("wrongly answered")
    counts["citations_total"] = len(answer.citations)
    for c in answer.citations:
        entry = catalog.get(c.chunk_id)
        if quote_is_verbatim(c.quote, None if entry is None else str(entry.get("text", ""))):
            counts["citations_verbatim"] += 1
        else:
            problems.append(f"quote [{c.n}] not verbatim in {c.file}")
    if not answer.abstained:
        cited = (c.program for c in answer.citations)
        leaked = leaked_programs(_asked_program(assistant, q), cited)
        if leaked:
            counts["leakage"] = 1
            problems.append("leakage: cites " + ", ".join(leaked))
    return counts, problems


def run_eval(
    assistant: Assistant,
    questions: Sequence[GoldQuestion],
    *,
    modes: Sequence[Mode] = MODES,
    k: int = 10,
    gold: str = "",
) -> EvalResult:
    """Evaluate retrieval per mode and the answers of ``assistant`` on ``questions``.

    Args:
        assistant: a wired assistant whose index already holds the gold set's corpus.
        questions: the gold questions (see :func:`evals.gold.load_gold`).
        modes: retrieval modes to compare; answers always come from ``assistant.ask``.
        k: hits fetched per search (metrics use at most the top 10).
        gold: a name for the gold set, shown in reports.

    Returns:
        Per-mode retrieval metrics, answer metrics and the per-question failures.
    """
    answerable = [q for q in questions if q.answerable]
    mode_results: dict[str, ModeResult] = {}
    misses: dict[str, list[str]] = {}
    for mode in modes:
        result, missed = _evaluate_mode(assistant, answerable, mode, k)
        mode_results[mode] = result
        for qid in missed:
            misses.setdefault(qid, []).append(mode)

    assistant.ask("warm up")
    totals: Counter[str] = Counter()
    timings: list[float] = []
    failures: list[Failure] = []
    for q in questions:
        started = time.perf_counter()
        answer = assistant.ask(q.question, program=q.program)
        timings.append((time.perf_counter() - started) * 1000)
        counts, problems = _judge_answer(assistant, q, answer)
        totals.update(counts)
        if q.id in misses:
            problems.insert(0, f"retrieval miss@5 ({', '.join(misses[q.id])})")
        if problems:
            failures.append(Failure(q.id, q.question, tuple(problems)))
    answers = AnswerMetrics(
        questions=len(questions),
        answerable=len(answerable),
        out_of_scope=len(questions) - len(answerable),
        ask_p50_ms=percentile(timings, 50),
        ask_p95_ms=percentile(timings, 95),
        **totals,
    )
    return EvalResult(gold=gold, k=k, modes=mode_results, answers=answers, failures=failures)


def evaluate_gold(
    gold: Path,
    *,
    corpus: Path | None = None,
    modes: Sequence[Mode] = MODES,
    k: int = 10,
    embedder: Embedder | None = None,
) -> EvalResult:
    """Load ``gold`` and evaluate it against ``corpus`` (a temporary index) or the configured one.

    Without ``corpus`` the configured index is used, ingesting the bundled corpus on first use.
    """
    from assistant.app import build_assistant
    from assistant.config import Settings

    if not gold.is_file():
        raise AssistantError(f"gold file not found: {gold}")
    questions = load_gold(gold)
    if corpus is None:
        assistant = build_assistant(embedder=embedder)
        assistant.ensure_index()
        return run_eval(assistant, questions, modes=modes, k=k, gold=gold.name)
    if not corpus.is_dir():
        raise AssistantError(f"corpus folder not found: {corpus}")
    with tempfile.TemporaryDirectory(prefix="copc-eval-", ignore_cleanup_errors=True) as tmp:
        # A private embedded store: an eval corpus must never land in a shared Chroma server.
        settings = Settings(home=Path(tmp), chroma_url=None)
        assistant = build_assistant(settings, embedder=embedder)
        report = assistant.ingest([corpus])
        for name, reason in report.failed:
            print(f"warning: not indexed: {name}: {reason}", file=sys.stderr)
        return run_eval(assistant, questions, modes=modes, k=k, gold=gold.name)


# -- command line ---------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The options of ``copc eval``."""
    parser = argparse.ArgumentParser(
        prog="copc eval", description="Retrieval and answer metrics on a gold set or a BEIR folder."
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--gold", type=Path, help="gold set (JSON Lines, DESIGN §6)")
    source.add_argument("--beir", type=Path, help="BEIR dataset folder (corpus, queries, qrels)")
    parser.add_argument("--corpus", type=Path, help="index this folder into a temporary home")
    parser.add_argument(
        "--mode", choices=[*MODES, "all"], default="all", help="retrieval mode(s) to compare"
    )
    parser.add_argument("--k", type=int, default=10, help="hits per search (default 10)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--out-md", type=Path, help="also write the Markdown report here")
    parser.add_argument("--out-json", type=Path, help="also write the JSON here")
    parser.add_argument("--cache-dir", type=Path, help="BEIR: where corpus vectors are cached")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``copc eval`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit code."""
    from evals.report import beir_markdown, gold_markdown

    args = build_parser().parse_args(argv)
    modes: tuple[Mode, ...] = MODES if args.mode == "all" else (args.mode,)
    try:
        if args.beir is not None:
            if args.corpus is not None:
                raise AssistantError("--corpus applies to --gold, not --beir")
            from assistant.config import Settings
            from assistant.embedding import SentenceTransformerEmbedder
            from evals.beir import run_beir

            settings = Settings()
            beir = run_beir(
                args.beir,
                SentenceTransformerEmbedder(
                    settings.model_path, batch_size=settings.embed_batch_size
                ),
                modes=modes,
                cache_dir=args.cache_dir,
                progress=_stderr_progress,
            )
            payload, markdown = beir.as_json(), beir_markdown(beir)
        else:
            result = evaluate_gold(args.gold, corpus=args.corpus, modes=modes, k=args.k)
            payload, markdown = result.as_json(), gold_markdown(result)
        if args.out_md:
            args.out_md.write_text(markdown, encoding="utf-8")
        if args.out_json:
            args.out_json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    except (AssistantError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(payload, indent=2) if args.json else markdown)
    return 0


def _stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
