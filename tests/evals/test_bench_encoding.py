"""The question-encoding benchmark: both runtimes timed on the same texts, vectors compared."""

from __future__ import annotations

from assistant.embedding import SentenceTransformerEmbedder
from evals.bench import bench_query_encoding
from evals.bench_report import ingest_markdown


def test_both_runtimes_are_timed_and_agree(minilm: SentenceTransformerEmbedder) -> None:
    figures = bench_query_encoding(minilm, repeat=1)
    assert figures["questions"] == 90
    assert 0 < figures["onnx_p50_ms"] <= figures["onnx_p95_ms"]
    assert 0 < figures["torch_p50_ms"] <= figures["torch_p95_ms"]
    assert figures["onnx_vs_torch_p50"] == round(
        figures["onnx_p50_ms"] / figures["torch_p50_ms"], 3
    )
    assert figures["min_cosine_onnx_vs_torch"] > 0.9999
    page = "\n".join(
        ingest_markdown(
            {
                "measured_at": "now",
                "machine": {"cpu_count": 2, "memory_gb": 1, "python": "3.11", "torch_threads": 1},
                "ingest": {
                    "files": 1,
                    "chunks": 2,
                    "ingest_s": 1,
                    "ingest_chunks_per_s": 2,
                    "encode_s": 1,
                    "encode_chunks_per_s": 2,
                    "ingest_vs_encode_ratio": 1.0,
                    "pipeline_overhead": 0.0,
                    "reingest_unchanged_s": 0.1,
                    "reingest_speedup": 10.0,
                },
                "search": {
                    "queries": 3,
                    "search_p50_ms": 1,
                    "search_p95_ms": 2,
                    "search_max_ms": 3,
                    "ask_p50_ms": 1,
                    "ask_p95_ms": 2,
                    "ask_max_ms": 3,
                },
                "query_encoding": figures,
            }
        )
    )
    assert f"p50 {figures['onnx_p50_ms']} ms" in page and "COPC_QUERY_RUNTIME=torch" in page
