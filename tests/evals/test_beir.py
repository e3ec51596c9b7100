"""BEIR evaluation end to end on a tiny synthetic dataset with the fake embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.embedding import HashEmbedder, Vectors
from assistant.fusion import collapse, min_max
from evals.beir import (
    convex,
    load_beir,
    ndcg_graded,
    product_chunks,
    rrf,
    run_beir,
    unit_pools,
)
from evals.report import beir_markdown
from evals.runner import main

DOCS = [
    ("d1", "Vitamin D", "Vitamin D deficiency weakens bones."),
    ("d2", "Aspirin", "Aspirin lowers fever and pain."),
    ("d3", "Sleep", "Short sleep raises blood pressure."),
    ("d4", "Coffee", "Coffee raises alertness."),
    ("d5", "Exercise", "Exercise lowers blood pressure."),
]
QUERIES = [
    ("q1", "vitamin deficiency bones"),
    ("q2", "what lowers blood pressure"),
    ("q3", "coffee alertness"),
    ("q9", "not judged in the test split"),
]
QRELS = [("q1", "d1", 1), ("q2", "d5", 1), ("q2", "d3", 1), ("q3", "d4", 1), ("q3", "d2", 2)]


class CountingEmbedder(HashEmbedder):
    """The fake embedder, recording every batch it is asked to embed."""

    def __init__(self) -> None:
        super().__init__(1024)  # wide enough that these few words do not collide
        self.batches: list[list[str]] = []

    def embed(self, texts: list[str]) -> Vectors:
        self.batches.append(list(texts))
        return super().embed(texts)


@pytest.fixture
def beir_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "beir-tiny"
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text(
        "".join(json.dumps({"_id": i, "title": t, "text": x}) + "\n" for i, t, x in DOCS),
        encoding="utf-8",
    )
    (folder / "queries.jsonl").write_text(
        "".join(
            # metadata holds answers in BEIR; it must never reach the ranker
            json.dumps({"_id": q, "text": text, "metadata": {"d2": "answer"}}) + "\n"
            for q, text in QUERIES
        ),
        encoding="utf-8",
    )
    (folder / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{d}\t{s}\n" for q, d, s in QRELS),
        encoding="utf-8",
    )
    return folder


# Hand-derived rankings (BM25 keeps only documents sharing a word with the query; dense
# ranks all five, ties in corpus order):
#   q1  every mode: d1 first                                  nDCG 1, recall 1
#   q2  every mode: d5, d3 first (both relevant)              nDCG 1, recall 1
#   q3  bm25: d4 only           DCG 1                         recall 1/2
#       dense / hybrid: d4, d1, d2, d3, d5    DCG 1 + 2/log2(4) = 2     recall 1
#   ideal DCG for q3 (gains 2, 1): 2 + 1/log2(3)
IDEAL_Q3 = 2 + 1 / 1.5849625007
EXPECTED = {
    "bm25": ((1 + 1 + 1 / IDEAL_Q3) / 3, (1 + 1 + 0.5) / 3),
    "dense": ((1 + 1 + 2 / IDEAL_Q3) / 3, 1.0),
    "hybrid": ((1 + 1 + 2 / IDEAL_Q3) / 3, 1.0),
}


def test_scores_end_to_end_and_the_cache_is_reused(beir_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    embedder = CountingEmbedder()

    first = run_beir(beir_dir, embedder, cache_dir=cache)

    assert (first.dataset, first.documents, first.queries) == ("tiny", 5, 3)
    for mode, (ndcg, recall) in EXPECTED.items():
        assert first.modes[mode].ndcg_at_10 == pytest.approx(ndcg, abs=1e-6), mode
        assert first.modes[mode].recall_at_100 == pytest.approx(recall, abs=1e-6), mode
    assert set(first.variants) == {
        "rrf k=60 (equal weights)",
        "convex alpha=0.3",
        "convex alpha=0.5",
        "convex alpha=0.7",
    }
    for mode, (ndcg, recall) in EXPECTED.items():  # the same rankings over whole documents
        assert first.whole_documents[mode].ndcg_at_10 == pytest.approx(ndcg, abs=1e-6), mode
        assert first.whole_documents[mode].recall_at_100 == pytest.approx(recall, abs=1e-6)
    # Chunks are embedded with their heading (the title), as ingest embeds them; whole
    # documents as one text.
    chunk_texts = [f"{t}\n{x}" for _, t, x in DOCS]
    corpus_texts = [f"{t} {x}" for _, t, x in DOCS]
    queries = [text for _, text in QUERIES[:3]]
    assert embedder.batches == [chunk_texts, queries, corpus_texts, queries]
    assert not first.cache_hit and first.chunks == 5 and first.candidates == 60
    assert (cache / "beir-tiny-chunks-hash-1024.npy").is_file()
    assert (cache / "beir-tiny-hash-1024.npy").is_file()

    again = CountingEmbedder()
    second = run_beir(beir_dir, again, cache_dir=cache)

    assert second.cache_hit
    assert again.batches == [queries, queries]  # queries only
    assert second.modes == first.modes and second.variants == first.variants
    assert second.whole_documents == first.whole_documents


def test_a_long_document_is_chunked_and_ranks_by_its_best_chunk(
    beir_dir: Path, tmp_path: Path
) -> None:
    # The answer sits past what a model reads of a whole document (256 word pieces): the
    # product's chunker gives the tail its own chunk, as ingest would.
    filler = " ".join(f"Paragraph {i} describes unrelated cohort logistics." for i in range(60))
    long_doc = {"_id": "d6", "title": "Cohort", "text": filler + "\n\nMelatonin shortens jet lag."}
    with (beir_dir / "corpus.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(long_doc) + "\n")
    with (beir_dir / "queries.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"_id": "q4", "text": "melatonin jet lag"}) + "\n")
    with (beir_dir / "qrels" / "test.tsv").open("a", encoding="utf-8") as fh:
        fh.write("q4\td6\t1\n")
    data = load_beir(beir_dir)
    corpus = product_chunks(data)
    owned = [i for i, owner in enumerate(corpus.owners) if owner == "d6"]
    assert len(owned) > 1 and len(corpus.ids) == len(set(corpus.ids))
    assert "Melatonin" in corpus.embedding_texts[owned[-1]]
    assert all(corpus.embedding_texts[i].startswith("Cohort\n") for i in owned)
    pools = unit_pools(data, corpus, CountingEmbedder(), ("bm25", "dense"), tmp_path / "c")
    for mode in ("bm25", "dense"):
        docs = collapse(pools.pools["q4"][mode], pools.owner)
        assert docs[0][0] == "d6", mode
        assert [d for d, _ in docs].count("d6") == 1  # one hit per document


def test_a_changed_corpus_is_embedded_again(beir_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    run_beir(beir_dir, CountingEmbedder(), modes=("dense",), cache_dir=cache)
    with (beir_dir / "corpus.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"_id": "d6", "title": "Tea", "text": "Tea calms."}) + "\n")
    embedder = CountingEmbedder()
    result = run_beir(beir_dir, embedder, modes=("dense",), cache_dir=cache)
    assert not result.cache_hit and len(embedder.batches[0]) == 6
    assert list(result.modes) == ["dense"] and result.variants == {}


def test_loader_keeps_only_judged_queries_and_their_text(beir_dir: Path) -> None:
    data = load_beir(beir_dir)
    assert data.queries == {"q1": QUERIES[0][1], "q2": QUERIES[1][1], "q3": QUERIES[2][1]}
    assert data.qrels["q3"] == {"d4": 1, "d2": 2}
    assert data.texts[0] == "Vitamin D Vitamin D deficiency weakens bones."


def test_fusions() -> None:
    pools = {"bm25": [("a", 9.0), ("b", 3.0)], "dense": [("b", 0.9), ("c", 0.5), ("a", 0.1)]}
    # RRF: a 1/61 + 1/63, b 1/62 + 1/61, c 1/62
    assert [d for d, _ in rrf(pools)] == ["b", "a", "c"]
    assert [d for d, _ in rrf(pools, weights={"bm25": 3.0})] == ["a", "b", "c"]
    assert min_max(pools["dense"]) == {"b": 1.0, "c": 0.5, "a": 0.0}
    # alpha = dense weight. a: 0.3*0 + 0.7*1 = 0.7; b: 0.3*1 + 0.7*0 = 0.3; c: 0.3*0.5 = 0.15
    fused = convex(pools, alpha=0.3)
    assert [d for d, _ in fused] == ["a", "b", "c"]
    assert [s for _, s in fused] == pytest.approx([0.7, 0.3, 0.15])


def test_graded_ndcg() -> None:
    assert ndcg_graded(["x", "b", "a"], {"a": 2, "b": 1}, 10) == pytest.approx(
        (1 / 1.5849625007 + 2 / 2) / (2 + 1 / 1.5849625007)
    )
    assert ndcg_graded(["x"], {}, 10) == 0.0


def test_cli_prints_json_and_writes_markdown(
    beir_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(
        "assistant.embedding.SentenceTransformerEmbedder", lambda *a, **k: CountingEmbedder()
    )
    out_md = tmp_path / "beir.md"
    code = main(
        [
            "--beir",
            str(beir_dir),
            "--cache-dir",
            str(tmp_path / "c"),
            "--json",
            "--out-md",
            str(out_md),
        ]
    )
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["modes"]["bm25"]["ndcg@10"] == pytest.approx(EXPECTED["bm25"][0], abs=1e-4)
    assert "convex alpha=0.5" in payload["fusion_variants"]
    md = out_md.read_text(encoding="utf-8")
    assert "| metric | bm25 | dense | hybrid |" in md
    assert "| published nDCG@10 (whole documents) | n/a | n/a | n/a |" in md


def test_published_figures_appear_for_scifact(beir_dir: Path, tmp_path: Path) -> None:
    scifact = beir_dir.rename(tmp_path / "beir-scifact")
    result = run_beir(scifact, CountingEmbedder(), cache_dir=tmp_path / "c")
    md = beir_markdown(result)
    assert "| published nDCG@10 (whole documents) | 0.665 | 0.645 | n/a |" in md
