"""Hybrid retrieval on the bundled corpus with the real model, against the gold set."""

from __future__ import annotations

from pathlib import Path

from assistant.app import Assistant
from assistant.retrieval import Filters
from evals.gold import load_gold, section_matches

GOLD = Path(__file__).resolve().parent.parent / "evals" / "datasets" / "site.jsonl"


def _hit_rate(assistant: Assistant, mode: str, k: int = 5) -> tuple[float, list[str]]:
    questions = [q for q in load_gold(GOLD) if q.answerable]
    misses: list[str] = []
    for q in questions:
        hits = assistant.retriever.search(q.question, k=k, mode=mode)  # type: ignore[arg-type]
        if not any(
            section_matches(e, h.file, h.section_path) for h in hits for e in q.expected_sources
        ):
            misses.append(f"{q.id}: {q.question}")
    return 1 - len(misses) / len(questions), misses


def test_gold_set_has_at_least_30_answerable_questions() -> None:
    assert len([q for q in load_gold(GOLD) if q.answerable]) >= 30


def test_hybrid_hit_at_5_on_the_bundled_gold_set(bundled: Assistant) -> None:
    rate, misses = _hit_rate(bundled, "hybrid")
    assert rate >= 0.9, f"hybrid hit@5 {rate:.3f}; misses:\n" + "\n".join(misses)


def test_one_hit_per_section(bundled: Assistant) -> None:
    hits = bundled.retriever.search("quality monitoring sample size evaluations per agent", k=10)
    keys = [(h.file, tuple(h.section_path)) for h in hits]
    assert len(keys) == len(set(keys)) == 10


def test_program_filter_keeps_that_program_and_site_wide(bundled: Assistant) -> None:
    hits = bundled.retriever.search(
        "service level target", k=10, filters=Filters(program="Lumen Telecom")
    )
    assert hits
    assert {h.metadata["program"] for h in hits} <= {"lumen-telecom", "site-wide"}
    assert any(h.metadata["program"] == "lumen-telecom" for h in hits)


def test_doc_type_filter(bundled: Assistant) -> None:
    hits = bundled.retriever.search(
        "how was the target set", k=5, filters=Filters(doc_type="criteria-note")
    )
    assert hits and all(h.file.startswith(("lp-", "pr-", "pe-", "pf-", "00-")) for h in hits)


def test_modes_return_ranked_sections(bundled: Assistant) -> None:
    for mode in ("bm25", "dense", "hybrid"):
        hits = bundled.retriever.search("caller verification passcode", k=3, mode=mode)  # type: ignore[arg-type]
        assert len(hits) == 3
        assert hits[0].score >= hits[1].score >= hits[2].score
