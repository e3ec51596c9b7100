"""Markdown rendering of evaluation results: modes side by side, answers, failures.

JSON comes from each result's ``as_json()``; this module only lays the same figures out
for people.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evals.beir import BeirResult
    from evals.runner import EvalResult, ModeResult


def fmt(value: float | None, digits: int = 3) -> str:
    """A rate with fixed digits, or ``n/a``."""
    return "n/a" if value is None else f"{value:.{digits}f}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|",
    ]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines)


def _escape(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


_RETRIEVAL_ROWS: list[tuple[str, Callable[[ModeResult], str]]] = [
    ("section hit@1", lambda m: fmt(m.section.hit_at_1)),
    ("section hit@5", lambda m: fmt(m.section.hit_at_5)),
    ("section recall@5", lambda m: fmt(m.section.recall_at_5)),
    ("section MRR", lambda m: fmt(m.section.mrr)),
    ("section nDCG@10", lambda m: fmt(m.section.ndcg_at_10)),
    ("file hit@1", lambda m: fmt(m.file.hit_at_1)),
    ("file hit@5", lambda m: fmt(m.file.hit_at_5)),
    ("file recall@5", lambda m: fmt(m.file.recall_at_5)),
    ("file MRR", lambda m: fmt(m.file.mrr)),
    ("file nDCG@10", lambda m: fmt(m.file.ndcg_at_10)),
    ("search p50 (ms)", lambda m: f"{m.search_p50_ms:.1f}"),
    ("search p95 (ms)", lambda m: f"{m.search_p95_ms:.1f}"),
]


def retrieval_table(result: EvalResult) -> str:
    """Rows = metrics, one column per mode."""
    modes = list(result.modes.values())
    return table(
        ["metric", *[m.mode for m in modes]],
        [[name, *[cell(m) for m in modes]] for name, cell in _RETRIEVAL_ROWS],
    )


def answers_table(result: EvalResult) -> str:
    """The answer metrics with the counts behind each rate."""
    a = result.answers
    rows = [
        ["fact recall", fmt(a.fact_recall), f"{a.facts_found}/{a.facts_total} facts"],
        [
            "citation precision",
            fmt(a.citation_precision),
            f"{a.citations_matching}/{a.citations_answerable} citations",
        ],
        [
            "answers citing an expected section",
            fmt(a.cited_expected_rate),
            f"{a.answers_citing_expected}/{a.answered_answerable} answered questions",
        ],
        [
            "citation integrity",
            fmt(a.citation_integrity),
            f"{a.citations_verbatim}/{a.citations_total} quotes verbatim",
        ],
        [
            "abstention precision",
            fmt(a.abstention_precision),
            f"{a.abstained_right}/{a.abstained} abstentions out of scope",
        ],
        [
            "abstention recall",
            fmt(a.abstention_recall),
            f"{a.abstained_right}/{a.out_of_scope} out-of-scope abstained",
        ],
        [
            "answer rate",
            fmt(a.answer_rate),
            f"{a.answered_answerable}/{a.answerable} answerable answered",
        ],
        ["cross-program leakage", str(a.leakage), "answered questions citing another program"],
        ["ask p50 (ms)", f"{a.ask_p50_ms:.1f}", ""],
        ["ask p95 (ms)", f"{a.ask_p95_ms:.1f}", ""],
    ]
    return table(["metric", "value", "detail"], rows)


def gold_markdown(result: EvalResult) -> str:
    """The whole gold-set report."""
    a = result.answers
    parts = [
        f"# Evaluation: {result.gold or 'gold set'}",
        "",
        f"{a.questions} questions ({a.answerable} answerable, {a.out_of_scope} out of scope); "
        f"retrieval metrics over the answerable questions, {result.k} hits per search.",
        "",
        "## Retrieval by mode",
        "",
        retrieval_table(result),
        "",
        "## Answers (`ask`, hybrid retrieval)",
        "",
        answers_table(result),
        "",
        f"## Failures ({len(result.failures)})",
        "",
    ]
    if not result.failures:
        parts.append("None.")
    for f in result.failures:
        parts.append(f"- `{f.id}` {_escape(f.question)} — {'; '.join(f.problems)}")
    return "\n".join(parts) + "\n"


def beir_markdown(result: BeirResult) -> str:
    """The BEIR report: modes side by side against published figures, then fusion variants."""
    modes = list(result.modes)
    whole = result.whole_documents
    rows = [
        ["nDCG@10", *[fmt(result.modes[m].ndcg_at_10) for m in modes]],
        ["recall@100", *[fmt(result.modes[m].recall_at_100) for m in modes]],
    ]
    if whole:
        rows += [
            ["nDCG@10, whole documents", *[fmt(whole[m].ndcg_at_10) for m in modes]],
            ["recall@100, whole documents", *[fmt(whole[m].recall_at_100) for m in modes]],
        ]
    rows.append(
        ["published nDCG@10 (whole documents)", *[fmt(result.published.get(m)) for m in modes]]
    )
    cache = "cache hit" if result.cache_hit else f"computed in {result.embed_s:.0f} s"
    parts = [
        f"# BEIR {result.dataset} ({result.split})",
        "",
        f"{result.queries} queries, {result.documents} documents indexed as the product indexes "
        f"files ({result.chunks} chunks; a document ranks by its best chunk); embedder "
        f"`{result.embedder_id}`; hybrid fuses each ranker's first {result.candidates} chunks, "
        f"as the retriever does; rankings of depth {result.depth}; corpus vectors: {cache}. "
        "The whole-documents rows rank each document as one text, as the published figures do.",
        "",
        table(["metric", *modes], rows),
    ]
    if result.variants:
        parts += [
            "",
            "## Fusion variants over the same chunks (alpha = dense weight, min-max-normalised)",
            "",
            table(
                ["fusion", "nDCG@10", "recall@100"],
                [
                    [name, fmt(s.ndcg_at_10), fmt(s.recall_at_100)]
                    for name, s in result.variants.items()
                ],
            ),
        ]
    return "\n".join(parts) + "\n"
