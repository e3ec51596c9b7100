"""Benchmarks with recorded figures (not timed tests).

``python -m evals.bench`` measures on this machine:

- ingest throughput of the bundled corpus (chunks/s) against the raw ``model.encode``
  throughput on the same chunk texts (the ceiling), as a ratio;
- re-ingest of the unchanged corpus, as a speed-up over the first ingest;
- warm ``search`` and ``ask`` latency p50/p95 over the gold questions;
- the scale benchmark (:mod:`evals.bench_scale`): search and ask latency, peak memory and
  hit@5 at 1k, 10k and 100k chunks beside a LangChain baseline (:mod:`evals.baseline`), and
  cold start of a new process.

``--scale-only`` / ``--no-scale`` pick a part, ``--sizes 1000,10000`` other sizes. Results are
merged into ``docs/benchmarks.json`` and laid out in ``docs/benchmarks.md``
(:mod:`evals.bench_report`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from assistant.app import build_assistant
from assistant.chunking import embedding_text
from assistant.config import BUNDLED_CORPUS, Settings
from assistant.embedding import SMALL_BATCH, SentenceTransformerEmbedder
from assistant.errors import AssistantError
from evals.beir import default_cache_dir
from evals.bench_corpus import SHARED_DATA, load_pool
from evals.bench_report import render_markdown
from evals.bench_scale import DEFAULT_SIZES, corpus_chunks, run_scale
from evals.gold import load_gold
from evals.metrics import percentile

DOCS = Path(__file__).resolve().parent.parent / "docs"
GOLD = Path(__file__).resolve().parent / "datasets" / "site.jsonl"


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import torch

    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    cpu_model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_gb": round(mem_gb, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "torch_threads": torch.get_num_threads(),
    }


def bench_ingest(embedder: SentenceTransformerEmbedder, corpus: Path) -> dict[str, Any]:
    """First ingest vs raw encode on the same texts, and the unchanged re-ingest."""
    # Both runtimes loaded before timing: questions go through ONNX Runtime, ingest's large
    # batches through the PyTorch model, which a short warm-up text alone never loads.
    embedder.embed(["warm up the model"])
    embedder.embed(["warm up the model"] * (SMALL_BATCH + 1))
    with tempfile.TemporaryDirectory() as tmp:
        assistant = build_assistant(Settings(home=Path(tmp)), embedder=embedder)
        started = time.perf_counter()
        report = assistant.ingest([corpus])
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        again = assistant.ingest([corpus])
        reingest_s = time.perf_counter() - started
        assert again.summary()["unchanged"] == len(report.added)
        texts = [embedding_text(c) for c in corpus_chunks(corpus, assistant.index.params)]
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


def bench_query_encoding(embedder: SentenceTransformerEmbedder, repeat: int = 3) -> dict[str, Any]:
    """One question at a time through each runtime, in the same process and on the same
    texts (the gold questions as the answerer expands them), and how far the vectors differ."""
    from assistant.query import Vocabulary

    vocabulary = Vocabulary.load(None)
    texts = [vocabulary.parse(q.question).expanded for q in load_gold(GOLD)]
    torch_only = SentenceTransformerEmbedder(embedder.model_path, runtime="torch")
    out: dict[str, Any] = {"questions": len(texts) * repeat}
    vectors: dict[str, Any] = {}
    for name, runtime in (("onnx", embedder), ("torch", torch_only)):
        runtime.embed(texts[:2])  # loaded and warm
        times: list[float] = []
        rows: list[Any] = []
        for _ in range(repeat):
            rows.clear()
            for text in texts:
                started = time.perf_counter()
                rows.append(runtime.embed([text])[0])
                times.append((time.perf_counter() - started) * 1000)
        out[f"{name}_p50_ms"] = round(percentile(times, 50), 2)
        out[f"{name}_p95_ms"] = round(percentile(times, 95), 2)
        vectors[name] = np.vstack(rows)
    out["onnx_vs_torch_p50"] = round(out["onnx_p50_ms"] / out["torch_p50_ms"], 3)
    cosines = (vectors["onnx"] * vectors["torch"]).sum(axis=1)
    out["min_cosine_onnx_vs_torch"] = round(float(cosines.min()), 7)
    return out


def write_results(results: dict[str, Any], docs: Path = DOCS) -> None:
    """Record the figures as JSON and as a Markdown page, keeping sections not re-measured."""
    docs.mkdir(exist_ok=True)
    path = docs / "benchmarks.json"
    merged: dict[str, Any] = {}
    if path.is_file():
        try:
            merged = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            merged = {}
    if "scale" in results and "ingest" not in results:
        # A scale-only run keeps the ingest figures and the date they were measured on.
        merged.update({k: v for k, v in results.items() if k not in {"measured_at"}})
    else:
        merged.update(results)
    path.write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")
    (docs / "benchmarks.md").write_text(render_markdown(merged), encoding="utf-8")
    _relay_load_section(docs)


def _relay_load_section(docs: Path) -> None:
    """The load benchmark's own section, laid out again from its own figures."""
    load = docs / "benchmarks-load.json"
    if load.is_file():
        from evals.bench_load_report import record

        record(json.loads(load.read_text(encoding="utf-8")), docs)


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "").replace("k", "000")) for part in text.split(",")]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"sizes look like 1000,10000,100000 ({exc})") from exc
    if not sizes or min(sizes) <= 0:
        raise argparse.ArgumentTypeError("sizes must be positive chunk counts")
    return sizes


def build_parser() -> argparse.ArgumentParser:
    """The options of ``python -m evals.bench``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=BUNDLED_CORPUS)
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=list(DEFAULT_SIZES),
        help="scale benchmark index sizes in chunks (default 1000,10000,100000)",
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--scale-only", action="store_true", help="only the scale benchmark")
    which.add_argument("--no-scale", action="store_true", help="skip the scale benchmark")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds over the questions")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold starts per command")
    parser.add_argument("--data", type=Path, default=SHARED_DATA, help="distractor text sources")
    parser.add_argument(
        "--cache-dir", type=Path, help="distractors, vectors and built indexes (default ~/.cache)"
    )
    parser.add_argument("--no-write", action="store_true", help="print only, do not record")
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="measure nothing: lay docs/benchmarks.json out again as docs/benchmarks.md",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the figures as JSON."""
    args = build_parser().parse_args(argv)
    if args.render_only:
        recorded = json.loads((DOCS / "benchmarks.json").read_text(encoding="utf-8"))
        (DOCS / "benchmarks.md").write_text(render_markdown(recorded), encoding="utf-8")
        _relay_load_section(DOCS)
        return 0
    embedder = SentenceTransformerEmbedder()
    results: dict[str, Any] = {
        "measured_at": time.strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
    }
    try:
        if not args.scale_only:
            results["ingest"] = bench_ingest(embedder, args.corpus)
            results["search"] = bench_search(embedder, args.corpus)
            results["query_encoding"] = bench_query_encoding(embedder)
        if not args.no_scale:
            results["scale"] = bench_scale(args, embedder)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(results, indent=2))
    if not args.no_write:
        write_results(results)
    return 0


def bench_scale(args: argparse.Namespace, embedder: SentenceTransformerEmbedder) -> dict[str, Any]:
    """The scale benchmark with the command line's options."""
    pool = load_pool(
        args.data / "gsa-contact-center-guidelines" / "docs", args.data / "beir-scifact"
    )
    started = time.strftime("%Y-%m-%d %H:%M")
    scale = run_scale(
        args.sizes,
        corpus=args.corpus,
        questions=load_gold(GOLD),
        pool=pool,
        root=args.cache_dir or default_cache_dir() / "bench",
        repeat=args.repeat,
        cold_runs=args.cold_runs,
        embedder=embedder,
        say=lambda line: print(line, file=sys.stderr, flush=True),
    )
    return {"measured_at": started, **scale}


if __name__ == "__main__":
    raise SystemExit(main())
