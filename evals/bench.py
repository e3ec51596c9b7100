"""Benchmarks with recorded figures (not timed tests).

``python -m evals.bench`` measures, in one process on this machine:

- ingest throughput of the bundled corpus (chunks/s) against the raw ``model.encode``
  throughput on the same chunk texts (the ceiling), as a ratio;
- re-ingest of the unchanged corpus, as a speed-up over the first ingest;
- warm ``search`` latency p50/p95 over the gold questions.

Results go to ``docs/benchmarks.json`` and a Markdown section in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.app import build_assistant
from assistant.chunking import chunk_document, embedding_text
from assistant.config import BUNDLED_CORPUS, Settings
from assistant.embedding import SentenceTransformerEmbedder
from assistant.ingest import discover
from assistant.loaders import load_document
from evals.gold import load_gold
from evals.metrics import percentile

DOCS = Path(__file__).resolve().parent.parent / "docs"
GOLD = Path(__file__).resolve().parent / "datasets" / "site.jsonl"


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import torch

    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return {
        "cpu_count": os.cpu_count(),
        "memory_gb": round(mem_gb, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "torch_threads": torch.get_num_threads(),
    }


def bench_ingest(embedder: SentenceTransformerEmbedder, corpus: Path) -> dict[str, Any]:
    """First ingest vs raw encode on the same texts, and the unchanged re-ingest."""
    embedder.embed(["warm up the model"])
    with tempfile.TemporaryDirectory() as tmp:
        assistant = build_assistant(Settings(home=Path(tmp)), embedder=embedder)
        started = time.perf_counter()
        report = assistant.ingest([corpus])
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        again = assistant.ingest([corpus])
        reingest_s = time.perf_counter() - started
        assert again.summary()["unchanged"] == len(report.added)
        files, _ = discover([corpus])
        chunks = [
            c
            for f in files
            for c in chunk_document(load_document(f), assistant.index.params, file_key=str(f))
        ]
        texts = [embedding_text(c) for c in chunks]
        started = time.perf_counter()
        embedder.embed(texts)
        encode_s = time.perf_counter() - started
    n = report.chunks_written
    return {
        "files": len(report.added),
        "chunks": n,
        "ingest_s": round(first_s, 3),
        "ingest_chunks_per_s": round(n / first_s, 2),
        "encode_s": round(encode_s, 3),
        "encode_chunks_per_s": round(len(texts) / encode_s, 2),
        "ingest_vs_encode_ratio": round((n / first_s) / (len(texts) / encode_s), 3),
        "pipeline_overhead": round(1 - encode_s / first_s, 3),
        "reingest_unchanged_s": round(reingest_s, 4),
        "reingest_speedup": round(first_s / reingest_s, 1),
    }


def bench_search(
    embedder: SentenceTransformerEmbedder, corpus: Path, repeat: int = 3
) -> dict[str, Any]:
    """Warm hybrid search and ask latency over the gold questions, in the same run."""
    questions = [q.question for q in load_gold(GOLD)]
    with tempfile.TemporaryDirectory() as tmp:
        assistant = build_assistant(Settings(home=Path(tmp)), embedder=embedder)
        assistant.ingest([corpus])
        for q in questions:  # warm: model loaded, sentence vectors of these sections cached
            assistant.ask(q)
        searches: list[float] = []
        asks: list[float] = []
        for _ in range(repeat):
            for q in questions:
                started = time.perf_counter()
                assistant.retriever.search(q, k=5)
                searches.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                assistant.ask(q)
                asks.append((time.perf_counter() - started) * 1000)
    return {
        "queries": len(searches),
        "search_p50_ms": round(percentile(searches, 50), 2),
        "search_p95_ms": round(percentile(searches, 95), 2),
        "search_max_ms": round(max(searches), 2),
        "ask_p50_ms": round(percentile(asks, 50), 2),
        "ask_p95_ms": round(percentile(asks, 95), 2),
        "ask_max_ms": round(max(asks), 2),
    }


def render_markdown(results: dict[str, Any]) -> str:
    """The ingest and search figures as a Markdown section."""
    m, ing, srch = results["machine"], results["ingest"], results["search"]
    return "\n".join(
        [
            "## Ingest and search (bundled corpus)",
            "",
            f"Measured {results['measured_at']} with `python -m evals.bench` on "
            f"{m['cpu_count']} cores, {m['memory_gb']} GB, Python {m['python']}, "
            f"torch threads {m['torch_threads']}.",
            "",
            "| figure | value |",
            "|---|---|",
            f"| files / chunks | {ing['files']} / {ing['chunks']} |",
            f"| first ingest | {ing['ingest_s']} s, {ing['ingest_chunks_per_s']} chunks/s |",
            f"| raw `model.encode` on the same texts | {ing['encode_s']} s, "
            f"{ing['encode_chunks_per_s']} chunks/s |",
            f"| ingest ÷ encode throughput | {ing['ingest_vs_encode_ratio']} "
            f"(pipeline overhead {ing['pipeline_overhead']:.0%}; goal ≤ 25%) |",
            f"| re-ingest, nothing changed | {ing['reingest_unchanged_s']} s "
            f"({ing['reingest_speedup']}× faster than the first; goal ≥ 50×) |",
            f"| warm hybrid search, {srch['queries']} queries | p50 {srch['search_p50_ms']} ms, "
            f"p95 {srch['search_p95_ms']} ms, max {srch['search_max_ms']} ms |",
            f"| warm `ask` (extractive), same queries and run | p50 {srch['ask_p50_ms']} ms, "
            f"p95 {srch['ask_p95_ms']} ms, max {srch['ask_max_ms']} ms (goal p95 ≤ 250 ms) |",
            "",
        ]
    )


def write_results(results: dict[str, Any]) -> None:
    """Record the figures as JSON and as a Markdown page."""
    DOCS.mkdir(exist_ok=True)
    (DOCS / "benchmarks.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    header = "# Benchmarks\n\nFigures recorded by the benchmark scripts.\n\n"
    (DOCS / "benchmarks.md").write_text(header + render_markdown(results), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=BUNDLED_CORPUS)
    parser.add_argument("--no-write", action="store_true", help="print only, do not record")
    args = parser.parse_args(argv)
    embedder = SentenceTransformerEmbedder()
    results = {
        "measured_at": time.strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "ingest": bench_ingest(embedder, args.corpus),
        "search": bench_search(embedder, args.corpus),
    }
    print(json.dumps(results, indent=2))
    if not args.no_write:
        write_results(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
