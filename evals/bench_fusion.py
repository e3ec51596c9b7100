"""Fusion trial: the shipped fusion beside an alternative on both gold sets and SciFact, one run.

``python -m evals.bench_fusion [--normalise max] [--candidates N]`` evaluates the site gold set
(bundled corpus), the GSA gold set (GSA guidelines) and SciFact, each with the shipped
:class:`~assistant.retrieval.FusionSettings` and with the trial settings, in the same process
and on the same indexes. Gold sets get the ``copc eval`` hybrid metrics and answer metrics
(:func:`evals.runner.run_eval`); SciFact gets nDCG@10 and recall@100 ranked as
``copc eval --beir`` ranks it (the product's chunks, each settings' own candidate count).
A change to the retrieval defaults is judged here before it ships: it must not make either
gold set worse.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant.app import Assistant, build_assistant
from assistant.config import BUNDLED_CORPUS, Settings
from assistant.embedding import SentenceTransformerEmbedder
from assistant.retrieval import FusionSettings, HybridRetriever
from evals.beir import (
    Ranking,
    default_cache_dir,
    load_beir,
    product_chunks,
    score_pools,
    unit_pools,
)
from evals.bench_cache import CachedEmbedder, VectorCache, model_fingerprint
from evals.bench_corpus import GSA_DOCS, SCIFACT
from evals.gold import load_gold
from evals.runner import run_eval

DATASETS = Path(__file__).resolve().parent / "datasets"
_GOLD_KEYS = ("hit@1", "hit@5", "mrr", "ndcg@10")
_ANSWER_KEYS = (
    "fact_recall",
    "citation_precision",
    "abstention_precision",
    "abstention_recall",
    "answer_rate",
)


def _use(assistant: Assistant, settings: FusionSettings) -> None:
    assistant.retriever.fusion = settings
    assistant.retriever.candidates = settings.candidates


def gold_figures(assistant: Assistant, gold: Path, settings: FusionSettings) -> dict[str, Any]:
    """Hybrid section metrics and answer metrics of one gold set under ``settings``."""
    _use(assistant, settings)
    result = run_eval(assistant, load_gold(gold), modes=("hybrid",)).as_json()
    section = result["modes"]["hybrid"]["section"]
    answers = result["answers"]
    return {
        **{k: section[k] for k in _GOLD_KEYS},
        **{k: answers[k] for k in _ANSWER_KEYS},
    }


def scifact_figures(
    folder: Path, embedder: SentenceTransformerEmbedder, trials: dict[str, FusionSettings]
) -> dict[str, dict[str, float]]:
    """SciFact nDCG@10 / recall@100 per settings, ranked as ``copc eval --beir`` ranks it
    (the product's chunks, each settings' own candidate count)."""
    data = load_beir(folder)
    pools = unit_pools(data, product_chunks(data), embedder, ("bm25", "dense"), default_cache_dir())
    out: dict[str, dict[str, float]] = {}
    for name, s in trials.items():

        def fused(p: Mapping[str, Ranking], s: FusionSettings = s) -> Ranking:
            return s.fuse(dict(p))

        scores = score_pools(pools, data.qrels, fused, depth=100, candidates=s.candidates)
        out[name] = scores.as_json()
    return out


def run_trial(trial: FusionSettings, *, gsa: Path, scifact: Path) -> dict[str, Any]:
    """Shipped and trial settings side by side on site, GSA and SciFact."""
    model = SentenceTransformerEmbedder()
    cache = VectorCache(default_cache_dir() / "bench", model_fingerprint(model))
    cached = CachedEmbedder(model, cache)
    trials = {"shipped": HybridRetriever.DEFAULTS, "trial": trial}
    figures: dict[str, Any] = {name: {"settings": vars(s)} for name, s in trials.items()}
    with tempfile.TemporaryDirectory(prefix="copc-fusion-") as tmp:
        for label, corpus, gold in (
            ("site", BUNDLED_CORPUS, DATASETS / "site.jsonl"),
            ("gsa", gsa, DATASETS / "gsa.jsonl"),
        ):
            # Chunk vectors come from the benchmark cache; queries and sentences use the model.
            home = Path(tmp) / label
            build_assistant(Settings(home=home, chroma_url=None), embedder=cached).ingest([corpus])
            assistant = build_assistant(Settings(home=home, chroma_url=None), embedder=model)
            for name, settings in trials.items():
                figures[name][label] = gold_figures(assistant, gold, settings)
    for name, scores in scifact_figures(scifact, model, trials).items():
        figures[name]["scifact"] = scores
    return figures


def render(figures: dict[str, Any]) -> str:
    """A Markdown table: one row per figure, shipped beside trial."""
    lines = ["| figure | shipped | trial |", "|---|---:|---:|"]
    for label in ("site", "gsa", "scifact"):
        for key in figures["shipped"][label]:
            a, b = figures["shipped"][label][key], figures["trial"][label][key]
            lines.append(f"| {label} {key} | {a} | {b} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the trial and print JSON (``--md`` for the table)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--normalise", choices=["min-max", "max"], default="max")
    parser.add_argument("--candidates", type=int, default=HybridRetriever.DEFAULTS.candidates)
    parser.add_argument("--alpha", type=float, default=HybridRetriever.DEFAULTS.alpha)
    parser.add_argument("--gsa", type=Path, default=GSA_DOCS)
    parser.add_argument("--beir", type=Path, default=SCIFACT)
    parser.add_argument("--md", action="store_true", help="print a Markdown table instead")
    args = parser.parse_args(argv)
    trial = replace(
        HybridRetriever.DEFAULTS,
        normalise=args.normalise,
        candidates=args.candidates,
        alpha=args.alpha,
    )
    figures = run_trial(trial, gsa=args.gsa, scifact=args.beir)
    sys.stdout.write(render(figures) if args.md else json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
