"""The evaluation runner: metric plumbing on a tiny corpus, the CLI, and the CI gate."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.answers import Answer, Citation
from assistant.app import Assistant, build_assistant
from assistant.config import Settings
from assistant.embedding import HashEmbedder, SentenceTransformerEmbedder
from assistant.retrieval import FusionSettings
from evals.gold import ExpectedSource, load_gold
from evals.report import gold_markdown
from evals.runner import (
    EvalResult,
    leaked_programs,
    main,
    match_sets,
    missing_facts,
    run_eval,
    score_ranking,
)

DATASETS = Path(__file__).resolve().parents[2] / "evals" / "datasets"

DOCS = {
    "hb-targets.md": """---
title: Harbor Bank targets
doc_id: HB-TGT
program: Harbor Bank
---

# Harbor Bank targets

## Service level

Harbor Bank answers 80% of calls within 20 seconds.

## Abandonment

No more than 5% of calls may be abandoned before an agent answers.
""",
    "lumen-targets.md": """---
title: Lumen Telecom targets
doc_id: LT-TGT
program: Lumen Telecom
---

# Lumen Telecom targets

## Chat service level

Lumen Telecom accepts 90% of chats within 30 seconds.
""",
    "calibration.md": """---
title: Calibration procedure
doc_id: QA-CAL
---

# Calibration procedure

## Sessions

Calibration sessions run every Tuesday and review twelve recorded contacts.

## Variance

Evaluator scores must fall within five points of the anchor score.
""",
}


def _line(
    qid: str, question: str, qtype: str, sources: list[tuple[str, str]], facts: list[str]
) -> str:
    return json.dumps(
        {
            "id": qid,
            "question": question,
            "type": qtype,
            "expected_sources": [{"file": f, "section": s} for f, s in sources],
            "answer_facts": facts,
        }
    )


@pytest.fixture
def tiny(tmp_path: Path) -> Assistant:
    """The three documents above, indexed with the fake embedder."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    assistant = build_assistant(Settings(home=tmp_path / "home"), embedder=HashEmbedder())
    # The hand-computed hybrid figures below assume reciprocal-rank fusion (k=60).
    assistant.retriever.fusion = FusionSettings(method="rrf")
    assert assistant.ingest([corpus]).ok
    return assistant


@pytest.fixture
def write_gold(tmp_path: Path) -> Callable[[list[str]], Path]:
    def write(lines: list[str]) -> Path:
        path = tmp_path / "gold.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write


# Rankings the fake embedder produces on the tiny corpus (section headings, best first):
#   g1 "How many recorded contacts ..."   all modes: Sessions first.
#   g2 "How fast must calls be answered?" bm25: Abandonment, Service level;
#                                        dense and hybrid: Service level first.
#   g3 "Which targets does Harbor Bank have?" (expects Service level and Abandonment)
#       bm25 and hybrid: HB title, Service level, Abandonment -> relevant [F, T, T]
#       dense: HB title, Service level, Variance, Abandonment  -> relevant [F, T, F, T]
TINY_GOLD = [
    _line(
        "g1",
        "How many recorded contacts does a calibration session review?",
        "procedure",
        [("calibration.md", "Sessions")],
        ["twelve recorded contacts"],
    ),
    _line(
        "g2",
        "How fast must calls be answered?",
        "numeric",
        [("hb-targets.md", "Service level")],
        ["80%", "20  Seconds"],  # case and spacing do not matter
    ),
    _line(
        "g3",
        "Which targets does Harbor Bank have?",
        "evidence",
        [("hb-targets.md", "Service level"), ("hb-targets.md", "Abandonment")],
        ["80%"],
    ),
    _line("g4", "Can I bring my dog to the office party?", "out_of_scope", [], []),
]

LOG2_3, LOG2_4, LOG2_5 = 1.5849625007, 2.0, 2.3219280949
NDCG_G3_BM25 = (1 / LOG2_3 + 1 / LOG2_4) / (1 + 1 / LOG2_3)  # 0.6934
NDCG_G3_DENSE = (1 / LOG2_3 + 1 / LOG2_5) / (1 + 1 / LOG2_3)  # 0.6511
NDCG_G2_BM25 = 1 / LOG2_3  # 0.6309

EXPECTED_SECTION = {
    # mode: (hit@1, hit@5, recall@5, MRR, nDCG@10), means over g1, g2, g3
    "bm25": (1 / 3, 1.0, 1.0, (1 + 0.5 + 0.5) / 3, (1 + NDCG_G2_BM25 + NDCG_G3_BM25) / 3),
    "dense": (2 / 3, 1.0, 1.0, (1 + 1 + 0.5) / 3, (1 + 1 + NDCG_G3_DENSE) / 3),
    "hybrid": (2 / 3, 1.0, 1.0, (1 + 1 + 0.5) / 3, (1 + 1 + NDCG_G3_BM25) / 3),
}


def test_retrieval_and_answer_metrics_on_a_tiny_corpus(
    tiny: Assistant, write_gold: Callable[[list[str]], Path]
) -> None:
    result = run_eval(tiny, load_gold(write_gold(TINY_GOLD)), gold="tiny.jsonl")

    assert list(result.modes) == ["bm25", "dense", "hybrid"]
    for mode, expected in EXPECTED_SECTION.items():
        s = result.modes[mode].section
        got = (s.hit_at_1, s.hit_at_5, s.recall_at_5, s.mrr, s.ndcg_at_10)
        assert got == pytest.approx(expected, abs=1e-6), mode
        # Every first hit is in an expected file, so file level is perfect everywhere.
        f = result.modes[mode].file
        assert (f.hit_at_1, f.hit_at_5, f.recall_at_5, f.mrr, f.ndcg_at_10) == (1, 1, 1, 1, 1)
        assert result.modes[mode].questions == 3

    a = result.answers
    assert (a.questions, a.answerable, a.out_of_scope) == (4, 3, 1)
    assert (a.facts_found, a.facts_total) == (4, 4)
    assert a.fact_recall == 1.0
    assert a.abstention_precision == 1.0 and a.abstention_recall == 1.0
    assert a.answer_rate == 1.0
    assert a.citation_integrity == 1.0 and a.citations_total >= 3
    assert a.leakage == 0
    assert a.ask_p95_ms >= a.ask_p50_ms > 0
    assert result.failures == []


def _cite(
    assistant: Assistant, query: str, section: str, n: int, quote: str | None = None
) -> Citation:
    hit = next(h for h in assistant.retriever.search(query, k=10) if h.section == section)
    first_sentence = hit.text.strip().splitlines()[-1]
    return Citation.from_hit(n, hit, first_sentence if quote is None else quote)


def test_failures_citations_and_leakage_from_scripted_answers(
    tiny: Assistant, write_gold: Callable[[list[str]], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    gold = [
        _line(
            "b1",
            "How many recorded contacts does a calibration session review?",
            "procedure",
            [("calibration.md", "Sessions")],
            ["twelve recorded contacts", "tuesday", "Friday"],
        ),
        _line(
            "b2",
            "What is the Harbor Bank abandonment target?",
            "numeric",
            [("hb-targets.md", "Abandonment")],
            ["5%"],
        ),
        _line(
            "b3",
            "Where is the escalation matrix?",
            "procedure",
            [("calibration.md", "Escalation matrix")],  # no such section: a retrieval miss
            ["matrix"],
        ),
        _line("b4", "Can I bring my dog to the office party?", "out_of_scope", [], []),
    ]
    sessions = _cite(tiny, "calibration sessions recorded contacts", "Sessions", 1)
    abandon = _cite(tiny, "abandoned calls", "Abandonment", 1)
    chat = _cite(tiny, "chat service level", "Chat service level", 2)
    made_up = _cite(tiny, "evaluator scores", "Variance", 1, quote="Scores should be close.")
    assert "twelve recorded contacts" in sessions.quote and "5%" in abandon.quote

    def answered(question: str, cites: list[Citation]) -> Answer:
        text = " ".join(f"{c.quote} [{c.n}]" for c in cites)
        return Answer(question=question, text=text, abstained=False, citations=cites)

    script = {
        "b1": answered("b1", [sessions]),
        "b2": answered("b2", [abandon, chat]),  # cites Lumen for a Harbor Bank question
        "b3": Answer(question="b3", text="No evidence for “escalation matrix”.", abstained=True),
        "b4": answered("b4", [made_up]),
    }
    questions = load_gold(write_gold(gold))
    by_text = {q.question: script[q.id] for q in questions}
    monkeypatch.setattr(
        tiny, "ask", lambda question, program=None: by_text.get(question, script["b3"])
    )

    result = run_eval(tiny, questions, gold="scripted.jsonl")
    a = result.answers
    # facts: b1 2 of 3 (no "Friday"), b2 1 of 1, b3 0 of 1 (abstained) -> 3 / 5
    assert (a.facts_found, a.facts_total, a.fact_recall) == (3, 5, 0.6)
    # citations on answerable questions: b1 Sessions (ok), b2 Abandonment (ok) + Chat (not) -> 2 / 3
    assert (a.citations_matching, a.citations_answerable) == (2, 3)
    assert a.citation_precision == pytest.approx(2 / 3)
    # all citations: 3 verbatim, b4's quote is made up -> 3 / 4
    assert (a.citations_verbatim, a.citations_total, a.citation_integrity) == (3, 4, 0.75)
    # the only abstention (b3) was wrong, and the out-of-scope b4 was answered
    assert (a.abstained, a.abstained_right) == (1, 0)
    assert a.abstention_precision == 0.0 and a.abstention_recall == 0.0
    assert a.answer_rate == pytest.approx(2 / 3)
    assert a.leakage == 1

    problems = {f.id: list(f.problems) for f in result.failures}
    assert problems == {
        "b1": ["missing facts: 'Friday'"],
        "b2": ["leakage: cites lumen-telecom"],
        "b3": ["retrieval miss@5 (bm25, dense, hybrid)", "wrongly abstained"],
        "b4": ["wrongly answered", "quote [1] not verbatim in calibration.md"],
    }
    payload = json.loads(json.dumps(result.as_json()))
    assert payload["answers"]["leakage"] == 1
    assert payload["answers"]["fact_recall"] == 0.6
    assert [f["id"] for f in payload["failures"]] == ["b1", "b2", "b3", "b4"]
    assert payload["modes"]["hybrid"]["section"]["hit@5"] == pytest.approx(2 / 3, abs=1e-4)


def test_markdown_has_one_column_per_mode(
    tiny: Assistant, write_gold: Callable[[list[str]], Path]
) -> None:
    result = run_eval(tiny, load_gold(write_gold(TINY_GOLD)), gold="tiny.jsonl")
    md = gold_markdown(result)
    lines = md.splitlines()
    header = lines.index("| metric | bm25 | dense | hybrid |")
    rows = lines[header + 2 : lines.index("", header)]
    assert len(rows) == 12
    assert all(row.count("|") == 5 for row in rows)
    hit1 = next(r for r in rows if r.startswith("| section hit@1 |"))
    assert hit1 == "| section hit@1 | 0.333 | 0.667 | 0.667 |"
    assert "| fact recall | 1.000 | 4/4 facts |" in md
    assert "## Failures (0)" in md

    only_dense = run_eval(tiny, load_gold(write_gold(TINY_GOLD)), modes=("dense",))
    assert "| metric | dense |" in gold_markdown(only_dense)


@pytest.mark.parametrize(
    ("found", "n", "expected"),
    [
        # two hits inside the one expected section: nDCG counts it once, so it stays 1.0
        ([{0}, {0}, set()], 1, (1.0, 1.0, 1.0, 1.0, 1.0)),
        (
            [set(), set(), {1}, set(), set(), {0}],
            2,
            (0.0, 1.0, 0.5, 1 / 3, (0.5 + 1 / 2.807354922) / (1 + 1 / LOG2_3)),
        ),
        ([], 1, (0.0, 0.0, 0.0, 0.0, 0.0)),
    ],
)
def test_score_ranking(found: list[set[int]], n: int, expected: tuple[float, ...]) -> None:
    s = score_ranking(found, n)
    assert (s.hit_at_1, s.hit_at_5, s.recall_at_5, s.mrr, s.ndcg_at_10) == pytest.approx(expected)


def test_file_level_targets_are_distinct_files() -> None:
    expected = [
        ExpectedSource("a.md", "One"),
        ExpectedSource("a.md", "Two"),
        ExpectedSource("b.md", "X"),
    ]
    ranked = [("a.md", ["A", "Three"]), ("b.md", ["B", "X"]), ("c.md", ["C"])]
    assert match_sets(expected, ranked, "section") == ([set(), {2}, set()], 3)
    assert match_sets(expected, ranked, "file") == ([{0}, {1}, set()], 2)


def test_fact_and_leakage_rules() -> None:
    assert missing_facts(["80 %", "Erlang C", "20 seconds"], "80 % answered in 20\nSeconds") == [
        "Erlang C"
    ]
    assert missing_facts(["don't"], "Don’t do it") == []
    assert leaked_programs("Harbor Bank", ["harbor-bank", "site-wide", None]) == []
    assert leaked_programs("harbor-bank", ["lumen-telecom", "Harbor Bank"]) == ["lumen-telecom"]
    assert leaked_programs(None, ["lumen-telecom"]) == []


def test_cli_writes_json_and_markdown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(TINY_GOLD) + "\n", encoding="utf-8")
    monkeypatch.setattr("assistant.app.SentenceTransformerEmbedder", lambda *a, **k: HashEmbedder())
    out_md = tmp_path / "report.md"

    code = main(
        [
            "--gold",
            str(gold),
            "--corpus",
            str(corpus),
            "--mode",
            "bm25",
            "--json",
            "--out-md",
            str(out_md),
        ]
    )

    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert list(payload["modes"]) == ["bm25"]
    assert payload["modes"]["bm25"]["section"]["hit@1"] == pytest.approx(1 / 3, abs=1e-4)
    assert payload["answers"]["counts"]["questions"] == 4
    assert "| metric | bm25 |" in out_md.read_text(encoding="utf-8")


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--gold", str(tmp_path / "missing.jsonl")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: gold file not found") and err.count("\n") == 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json}\n", encoding="utf-8")
    assert main(["--gold", str(bad), "--corpus", str(tmp_path)]) == 1
    assert "bad.jsonl:1" in capsys.readouterr().err


@pytest.fixture(scope="module")
def bundled_result(bundled_home: Path, minilm: SentenceTransformerEmbedder) -> EvalResult:
    """The product's figures on the bundled gold set, computed once for the gate tests."""
    assistant = build_assistant(Settings(home=bundled_home), embedder=minilm)
    return run_eval(
        assistant, load_gold(DATASETS / "site.jsonl"), modes=("hybrid",), gold="site.jsonl"
    )


def test_bundled_gold_set_passes_the_ci_gate(bundled_result: EvalResult) -> None:
    """The figures CI holds the product to, on the bundled corpus and its gold set."""
    hybrid, a = bundled_result.modes["hybrid"].section, bundled_result.answers
    gates = {
        "hybrid section hit@5 >= 0.9": hybrid.hit_at_5 >= 0.9,
        "fact recall >= 0.85": (a.fact_recall or 0.0) >= 0.85,
        "answers citing an expected section >= 0.9": (a.cited_expected_rate or 0.0) >= 0.9,
        "abstention recall >= 0.9": (a.abstention_recall or 0.0) >= 0.9,
        "answer rate >= 0.9": (a.answer_rate or 0.0) >= 0.9,
        "citation integrity == 1.0": a.citation_integrity == 1.0,
        "no cross-program leakage": a.leakage == 0,
    }
    failed = [name for name, ok in gates.items() if not ok]
    assert not failed, f"gates failed: {failed}\n{gold_markdown(bundled_result)}"
