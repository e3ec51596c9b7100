"""The fusion the benchmarks tuned: max-scaled convex fusion with missing scores bounded."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.fusion import convex_fuse, fuse, max_scaled
from assistant.retrieval import FusionSettings, HybridRetriever

SITE = Path(__file__).resolve().parents[2] / "corpus" / "site"

POOLS = {
    "bm25": [("a", 8.0), ("b", 4.0), ("c", 2.0)],
    "dense": [("b", 0.8), ("d", 0.6), ("a", 0.4)],
}


def test_max_scaling_uses_the_rankers_zero_not_the_weakest_candidate() -> None:
    assert max_scaled([("x", 0.8), ("y", 0.4), ("z", -0.2)]) == {"x": 1.0, "y": 0.5, "z": 0.0}
    assert max_scaled([("x", 0.0)]) == {"x": 0.0}
    assert max_scaled([]) == {}


def test_a_missing_candidate_gets_the_lowest_score_of_the_list_it_is_missing_from() -> None:
    fused = dict(convex_fuse(POOLS, alpha=0.5, normalise="max"))
    # bm25 scaled: a 1, b .5, c .25; dense scaled: b 1, d .75, a .5.
    assert fused["a"] == pytest.approx(0.5 * 0.5 + 0.5 * 1.0)
    assert fused["b"] == pytest.approx(0.5 * 1.0 + 0.5 * 0.5)
    assert fused["c"] == pytest.approx(0.5 * 0.5 + 0.5 * 0.25)  # dense: at most a's 0.5
    assert fused["d"] == pytest.approx(0.5 * 0.75 + 0.5 * 0.25)  # bm25: at most c's 0.25
    # A complete list (every positive score listed): missing means 0 there.
    complete = dict(convex_fuse(POOLS, alpha=0.5, normalise="max", complete={"bm25"}))
    assert complete["d"] == pytest.approx(0.5 * 0.75)
    assert complete["c"] == fused["c"]


def test_max_scaled_scores_do_not_move_with_the_depth_of_the_lists() -> None:
    deeper = {name: [*pool, (f"tail-{name}", 0.01)] for name, pool in POOLS.items()}
    shallow = dict(convex_fuse(POOLS, alpha=0.5, normalise="max", complete=POOLS.keys()))
    deep = dict(convex_fuse(deeper, alpha=0.5, normalise="max", complete=POOLS.keys()))
    assert all(deep[doc] == pytest.approx(score) for doc, score in shallow.items())
    # Min-max moves every score when one weak candidate joins.
    before = dict(convex_fuse(POOLS, alpha=0.5))
    after = dict(convex_fuse(deeper, alpha=0.5))
    assert after["b"] != pytest.approx(before["b"])


def test_the_retriever_ships_what_fuse_does_by_default() -> None:
    # The BEIR runner scores ``fuse`` with its defaults as "the product's fusion".
    defaults = HybridRetriever.DEFAULTS
    assert defaults == FusionSettings() and defaults.method == "convex"
    shipped = fuse(
        POOLS, method=defaults.method, alpha=defaults.alpha, normalise=defaults.normalise
    )
    assert fuse(POOLS, method="convex", alpha=defaults.alpha) == shipped


def test_fusion_trial_scores_a_gold_set_under_each_setting(tmp_path: Path) -> None:
    from dataclasses import replace

    from assistant.app import build_assistant
    from assistant.config import Settings
    from assistant.embedding import HashEmbedder
    from evals.bench_fusion import gold_figures, render

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SITE / "hb-service-level-targets.md", corpus)
    gold = tmp_path / "gold.jsonl"
    lines = [
        {
            "id": "q1",
            "question": "why do we need 58 agents on monday 10am?",
            "type": "evidence",
            "expected_sources": [
                {
                    "file": "hb-service-level-targets.md",
                    "section": "Erlang C staffing study (WFM, October 2025)",
                }
            ],
            "answer_facts": ["58 agents"],
        },
        {"id": "q2", "question": "where do staff park?", "type": "out_of_scope"},
    ]
    gold.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    assistant = build_assistant(Settings(home=tmp_path / "home"), embedder=HashEmbedder(64))
    assistant.ingest([corpus])
    trial = replace(FusionSettings(), normalise="max", candidates=20)
    figures = {
        name: {"gsa": gold_figures(assistant, gold, s), "site": {}, "scifact": {}}
        for name, s in (("shipped", FusionSettings()), ("trial", trial))
    }
    assert assistant.retriever.fusion == trial and assistant.retriever.candidates == 20
    for side in figures.values():
        scores = side["gsa"]
        assert set(scores) >= {"hit@5", "mrr", "fact_recall", "abstention_recall"}
        assert all(v is None or 0.0 <= v <= 1.0 for v in scores.values())
        assert scores["hit@5"] == 1.0  # one document: the expected section is found
    assert "| gsa hit@5 | 1.0 | 1.0 |" in render(figures)
