"""The scale benchmark and LangChain baseline at a tiny size: structure and sanity, not timings."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.chunking import ChunkingParams
from assistant.embedding import HashEmbedder, SentenceTransformerEmbedder
from evals.bench_cache import CachedEmbedder, VectorCache, model_fingerprint
from evals.bench_corpus import SECTIONS_PER_FILE, load_pool, write_distractors
from evals.bench_report import render_markdown
from evals.bench_scale import prepare_level, run_scale
from evals.gold import GoldQuestion, load_gold

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "corpus" / "site"
GOLD = REPO / "evals" / "datasets" / "site.jsonl"
FILES = ("hb-service-level-targets.md", "hb-aht-acw-targets.md")


@pytest.fixture(scope="module")
def pool():  # type: ignore[no-untyped-def]
    """Distractor sentences (a slice of SciFact keeps the test quick)."""
    return load_pool(max_abstracts=400)


def _questions() -> list[GoldQuestion]:
    gold = load_gold(GOLD)
    answerable = [q for q in gold if q.answerable and q.expected_sources[0].file in FILES][:4]
    out_of_scope = next(q for q in gold if not q.answerable)
    return [*answerable, out_of_scope]


def test_distractors_are_deterministic_nested_and_one_chunk_per_section(
    pool, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    params = ChunkingParams()
    small = write_distractors(pool, tmp_path / "a", 150, params=params)
    large = write_distractors(pool, tmp_path / "b", 2 * SECTIONS_PER_FILE + 30, params=params)
    again = write_distractors(pool, tmp_path / "c", 150, params=params)
    assert len(small.chunks) == 150 and len(large.chunks) == 2 * SECTIONS_PER_FILE + 30
    assert [c.text for c in small.chunks] == [c.text for c in again.chunks]
    # A larger level holds the smaller one's sections: their vectors are computed once.
    assert {c.text for c in small.chunks} <= {c.text for c in large.chunks}
    assert all(len(c.text) <= params.max_chars for c in large.chunks)
    assert {c.program for c in large.chunks} <= {"harbor-bank", "lumen-telecom", "site-wide"}
    # Shrinking a level removes the files it no longer needs.
    shrunk = write_distractors(pool, tmp_path / "b", 50, params=params)
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == [p.name for p in shrunk.files]


def test_vector_cache_serves_stored_vectors_across_instances(tmp_path: Path) -> None:
    inner = HashEmbedder(16)
    first = CachedEmbedder(inner, VectorCache(tmp_path, "fp"), group=2)
    texts = ["service level 80/20", "average handle time", "quality score", "service level 80/20"]
    vectors = first.embed(texts)
    assert first.computed == 3  # the repeated text is embedded once
    np.testing.assert_allclose(vectors, inner.embed(texts), rtol=1e-6)
    second = CachedEmbedder(inner, VectorCache(tmp_path, "fp"))
    np.testing.assert_allclose(second.embed(texts[::-1]), vectors[::-1], rtol=1e-6)
    assert second.computed == 0
    assert second.embedder_id == inner.embedder_id
    other_model = CachedEmbedder(inner, VectorCache(tmp_path, "another-model"))
    other_model.embed(texts[:1])
    assert other_model.computed == 1


@pytest.mark.slow
def test_scale_benchmark_and_baseline_smoke(
    pool, tmp_path: Path, minilm: SentenceTransformerEmbedder
) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in FILES:
        shutil.copy(SITE / name, corpus / name)
    questions = _questions()
    root = tmp_path / "bench"
    result = run_scale(
        [300],
        corpus=corpus,
        questions=questions,
        pool=pool,
        root=root,
        repeat=1,
        cold_runs=1,
        cold_commands=("ask",),
        isolate=False,
        embedder=minilm,
    )
    assert result["questions"] == len(questions) and result["answerable"] == len(questions) - 1
    (level,) = result["levels"]
    ours, base = level["ours"], level["baseline"]
    assert level["chunks"] == 300 == ours["chunks"] == base["chunks"]
    assert 0 < level["distractor_chunks"] < 300
    for side in (ours, base):
        assert side["queries_timed"] == len(questions)
        assert 0 < side["search_p50_ms"] <= side["search_p95_ms"] <= side["search_max_ms"]
        assert 0.0 <= side["hit@5"] <= 1.0
        assert side["peak_rss_mb"] >= side["rss_after_model_mb"] > 0
    assert 0 < ours["ask_p50_ms"] <= ours["ask_p95_ms"] <= ours["ask_max_ms"]
    assert 0 < ours["ask_embedding_mean_ms"] < ours["ask_mean_ms"]  # the model is only a part
    diag = ours["diagnostics"]
    assert diag["filter_program"] and diag["ids_digest_ms"] >= 0
    assert diag["dense_query_ms"] > 0 and diag["dense_query_program_ms"] > 0
    # Four answerable questions over two documents and their distractors: the assistant
    # must find most of the expected sections.
    assert ours["hit@5"] >= 0.75
    assert set(level["baseline_variants"]) == {"default threads", "1 torch thread"}
    assert base["search_p95_ms"] == min(
        v["search_p95_ms"] for v in level["baseline_variants"].values()
    )
    assert level["ratios"]["ask_p95_vs_baseline"] == pytest.approx(
        ours["ask_p95_ms"] / base["search_p95_ms"], abs=0.006
    )
    assert level["cold_start"]["ask_s"] > 0 and "search_s" not in level["cold_start"]
    assert len(level["load_average_before"]) == 3
    assert level["build"]["baseline_build"]["reused"] is False

    # Building the same size again embeds nothing, re-ingests nothing, reuses the baseline.
    cache = VectorCache(root, model_fingerprint(minilm))
    again = prepare_level(
        300, corpus=corpus, pool=pool, embedder=CachedEmbedder(minilm, cache), root=root
    )
    assert again.chunks == 300
    assert again.build["vectors_computed"] == 0
    assert again.build["ingest"]["added"] == 0 and again.build["ingest"]["unchanged"] > 0
    assert again.build["baseline_build"]["reused"] is True

    page = render_markdown(
        {
            "machine": {"cpu_count": 2, "memory_gb": 1, "python": "3.11", "torch_threads": 1},
            "scale": {"measured_at": "now", **result},
        }
    )
    assert "| 300 |" in page and "Cold start" in page and "LangChain" in page


def test_filtered_dense_search_filters_the_nearest_or_falls_back(tmp_path: Path) -> None:
    from assistant.app import build_assistant
    from assistant.config import Settings
    from assistant.retrieval import Filters, chroma_where

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("hb-service-level-targets.md", "hb-aht-acw-targets.md", "lt-qa-scorecard.md"):
        shutil.copy(SITE / name, corpus / name)
    assistant = build_assistant(Settings(home=tmp_path / "home"), embedder=HashEmbedder(64))
    assistant.ingest([corpus])
    retriever = assistant.retriever
    retriever.candidates = 5
    store = assistant.index.store
    calls: list[object] = []
    query = store.query

    def spy(vector, k, where=None, *, include_text=True):  # type: ignore[no-untyped-def]
        calls.append(where)
        return query(vector, k, where, include_text=include_text)

    store.query = spy  # type: ignore[method-assign]
    question = "service level target for Harbor Bank"
    vector = assistant.index.embedder.embed([question])[0]
    for program, fell_back in (("harbor-bank", False), ("lumen-telecom", True)):
        where = Filters(program=program).where()
        calls.clear()
        got = retriever._dense(vector, where)
        catalog = assistant.index.catalog
        assert all(catalog[s.chunk_id]["program"] in where["program"] for s in got)
        # Broad filter: one unfiltered query, filtered here; selective: Chroma's own filter.
        assert calls[-1] == (chroma_where(where) if fell_back else None)
        assert len(calls) == (2 if fell_back else 1)
        exact = query(vector, 5, chroma_where(where))
        assert [s.chunk_id for s in got] == [s.chunk_id for s in exact]
