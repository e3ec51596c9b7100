"""Hybrid retrieval on the bundled corpus with the real model, against the gold set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.app import Assistant, build_assistant
from assistant.config import Settings
from assistant.embedding import Embedder, HashEmbedder, SentenceTransformerEmbedder, Vectors
from assistant.fusion import collapse
from assistant.retrieval import Filters
from assistant.store import StoredChunk
from evals.bench_scale import TimedEmbedder
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


class _Counting(TimedEmbedder):
    """Passes calls to an embedder and records the texts of each call."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner)
        self.calls: list[list[str]] = []

    def embed(self, texts: list[str]) -> Vectors:
        self.calls.append(list(texts))
        return super().embed(texts)


def test_an_answer_embeds_the_question_once(
    bundled_home: Path, minilm: SentenceTransformerEmbedder
) -> None:
    counting = _Counting(minilm)
    assistant = build_assistant(Settings(home=bundled_home), embedder=counting)
    question = "How was the Harbor Bank service level target set?"
    first = assistant.ask(question)
    assert not first.abstained and first.citations
    counting.calls.clear()
    again = assistant.ask(question)  # sentence vectors of these sections are cached now
    assert again.text == first.text
    assert len(counting.calls) == 1 and len(counting.calls[0]) == 1


def _small_index(settings: Settings) -> Assistant:
    corpus = settings.home.parent / "docs"
    corpus.mkdir(parents=True)
    for name, body in {
        "sl.md": "# Service level\n\nThe service level target is 80% answered in 20 seconds.\n",
        "qa.md": "# QA sampling\n\nFive contacts per agent per week are monitored.\n",
    }.items():
        (corpus / name).write_text(body, encoding="utf-8")
    assistant = build_assistant(settings, embedder=HashEmbedder())
    assert assistant.ingest([corpus]).ok
    return assistant


def test_dense_search_reads_text_from_the_catalog(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assistant = _small_index(settings)
    store = assistant.index.store
    asked: list[bool] = []
    query = store.query

    def spy(*args: Any, include_text: bool = True, **kwargs: Any) -> Any:
        asked.append(include_text)
        return query(*args, include_text=include_text, **kwargs)

    monkeypatch.setattr(store, "query", spy)
    hits = assistant.retriever.search("service level target", k=2, mode="dense")
    assert asked == [False]
    assert hits[0].file == "sl.md" and "80%" in hits[0].text and hits[0].doc_id


def test_dense_search_reads_the_store_when_the_catalog_is_behind(settings: Settings) -> None:
    assistant = _small_index(settings)
    assistant.retriever.search("warm the catalog", k=1)
    # Another process writes a chunk this process's catalog has not seen yet.
    text = "Escalations go to the duty manager within one hour."
    assistant.index.store.upsert(
        ["late-chunk"],
        HashEmbedder().embed([text]),
        [text],
        [{"file": "late.md", "section": "Escalation", "section_path": "Escalation"}],
    )
    assert "late-chunk" not in assistant.index.catalog
    hits = assistant.retriever.search(text, k=3, mode="dense")
    assert hits[0].chunk_id == "late-chunk" and hits[0].text == text
    assert hits[0].file == "late.md"


def test_a_section_is_credited_with_its_best_chunk_in_each_ranker(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assistant = _small_index(settings)
    retriever, catalog = assistant.retriever, assistant.index.catalog
    for chunk_id, file, section in (("a1", "a.md", "A"), ("a2", "a.md", "A"), ("b1", "b.md", "B")):
        catalog[chunk_id] = {
            "file": file,
            "file_key": file,
            "section": section,
            "section_path": section,
            "text": f"text of {chunk_id}",
        }
    # Section A's best keyword match (a1) and best semantic match (a2) are different chunks;
    # section B is a close second in both. Fused chunk by chunk, B would win.
    bm25 = [("a1", 10.0), ("b1", 9.0), ("a2", 1.0)]
    dense = [
        StoredChunk("a2", "", {}, 0.1),
        StoredChunk("b1", "", {}, 0.15),
        StoredChunk("a1", "", {}, 0.8),
    ]
    monkeypatch.setattr(retriever, "_bm25", lambda query, where: bm25)
    monkeypatch.setattr(retriever, "_dense", lambda vector, where: dense)
    hits = retriever.search("anything", k=2)
    assert [h.section for h in hits] == ["A", "B"]
    assert hits[0].signals == pytest.approx({"bm25": 10.0, "dense": 0.9})
    assert hits[0].ranks == {"bm25": 1, "dense": 1}
    assert hits[0].chunk_id in {"a1", "a2"} and hits[0].text.startswith("text of a")
    # One ranker alone keeps its own order, one hit per section.
    assert [h.chunk_id for h in retriever.search("anything", k=3, mode="bm25")] == ["a1", "b1"]


def test_collapse_keeps_each_group_at_its_best_item() -> None:
    pool = [("a1", 5.0), ("b1", 4.0), ("a2", 3.0), ("x", 2.0), ("c1", 1.0)]
    groups = {"a1": "A", "a2": "A", "b1": "B", "c1": "C"}
    assert collapse(pool, groups) == [("A", 5.0), ("B", 4.0), ("C", 1.0)]


def test_an_empty_question_abstains_without_embedding(settings: Settings) -> None:
    assistant = _small_index(settings)
    counting = _Counting(assistant.index.embedder)
    assistant.index.embedder = counting
    answer = assistant.ask("   ")
    assert answer.abstained and answer.text == "No question was given."
    assert answer.citations == [] and counting.calls == []
