"""Short texts through ONNX Runtime: the same vectors as the model, cached, with fallbacks."""

from __future__ import annotations

import json
import logging
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from assistant.app import build_assistant
from assistant.config import Settings
from assistant.embedding import SMALL_BATCH, SentenceTransformerEmbedder, bundled_model_path
from assistant.errors import ConfigError
from assistant.onnx_encoder import OnnxEncoder, graph_path, load_encoder
from evals.gold import load_gold

GOLD = Path(__file__).resolve().parent.parent / "evals" / "datasets" / "site.jsonl"


def _questions() -> list[str]:
    return [q.question for q in load_gold(GOLD)]


def _model_vectors(minilm: SentenceTransformerEmbedder, texts: list[str]) -> np.ndarray:
    out = minilm.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    return np.asarray(out, dtype=np.float32)


def test_short_batches_agree_with_the_model(minilm: SentenceTransformerEmbedder) -> None:
    fast = minilm.short_encoder()
    assert isinstance(fast, OnnxEncoder)
    questions = _questions()
    one_by_one = np.vstack([minilm.embed([q]) for q in questions])
    expected = _model_vectors(minilm, questions)
    assert one_by_one.shape == expected.shape and one_by_one.dtype == np.float32
    assert float(np.min(np.sum(one_by_one * expected, axis=1))) > 0.9999
    # A padded batch of texts of different lengths gives each text its own vector.
    batch = minilm.embed(questions[:SMALL_BATCH])
    assert np.allclose(batch, one_by_one[:SMALL_BATCH], atol=1e-5)
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)


def test_texts_longer_than_the_model_limit_are_truncated_alike(
    minilm: SentenceTransformerEmbedder,
) -> None:
    long = "The QA sample size is 5 contacts per agent per week. " * 120
    (ours,) = minilm.embed([long])
    (theirs,) = _model_vectors(minilm, [long])
    assert float(ours @ theirs) > 0.9999


def test_threads_share_one_encoder(minilm: SentenceTransformerEmbedder) -> None:
    questions = _questions()[:40]
    expected = np.vstack([minilm.embed([q]) for q in questions])
    results: dict[int, np.ndarray] = {}

    def work(n: int) -> None:
        results[n] = np.vstack([minilm.embed([q]) for q in questions])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == 6
    assert all(np.allclose(r, expected, atol=1e-6) for r in results.values())


def test_the_graph_is_cached_and_reused_without_the_model(
    minilm: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    model_path = bundled_model_path()
    built: list[int] = []

    def model():  # type: ignore[no-untyped-def]
        built.append(1)
        return minilm.model

    first = load_encoder(model_path, tmp_path, model)
    assert built == [1] and first.graph == graph_path(model_path, tmp_path)
    assert first.graph.is_file() and not list(tmp_path.glob("*.part"))

    def no_model():  # type: ignore[no-untyped-def]
        raise AssertionError("a cached graph must load without the model")

    again = load_encoder(model_path, tmp_path, no_model)
    text = ["How is the QA sample size determined?"]
    assert np.allclose(again.encode(text), first.encode(text))


def test_a_changed_model_folder_gets_a_new_graph(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    shutil.copytree(bundled_model_path(), folder)
    before = graph_path(folder, tmp_path / "cache")
    config = folder / "config.json"
    config.write_text(config.read_text() + "\n")
    assert graph_path(folder, tmp_path / "cache") != before


def test_other_model_layouts_keep_pytorch(
    minilm: SentenceTransformerEmbedder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "cls-pooled"
    shutil.copytree(bundled_model_path(), folder)
    pooling = folder / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config.update(pooling_mode_cls_token=True, pooling_mode_mean_tokens=False)
    pooling.write_text(json.dumps(config))
    embedder = SentenceTransformerEmbedder(folder, cache_dir=tmp_path / "cache")
    with caplog.at_level(logging.WARNING, logger="assistant.embedding"):
        assert embedder.short_encoder() is None
        vectors = embedder.embed(["How was the service level target set?"])
    assert "encoded by PyTorch" in caplog.text
    assert vectors.shape == (1, 384) and not (tmp_path / "cache").exists()
    with pytest.raises(ConfigError, match="mean-pooled"):
        load_encoder(folder, tmp_path / "cache", lambda: minilm.model)


def test_an_export_that_disagrees_is_refused(
    minilm: SentenceTransformerEmbedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("assistant.onnx_encoder._agreement", lambda encoder, model: 0.5)
    with pytest.raises(ConfigError, match="disagrees with the model"):
        load_encoder(bundled_model_path(), tmp_path, lambda: minilm.model)
    assert not list(tmp_path.iterdir())  # nothing half-written is left to be reused


def test_runtime_setting_selects_pytorch(settings: Settings) -> None:
    torch_only = build_assistant(settings.model_copy(update={"query_runtime": "torch"}))
    assert isinstance(torch_only.index.embedder, SentenceTransformerEmbedder)
    assert torch_only.index.embedder.short_encoder() is None
    default = build_assistant(settings)
    assert isinstance(default.index.embedder, SentenceTransformerEmbedder)
    assert default.settings.query_runtime == "onnx"
