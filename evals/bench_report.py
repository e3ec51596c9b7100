"""``docs/benchmarks.md`` from the benchmark figures (``docs/benchmarks.json``).

Only layout lives here; every figure comes from the JSON the benchmark wrote, so the page
and the JSON never disagree.
"""

from __future__ import annotations

from typing import Any

#: The scale goals of issue #7, checked against the largest size measured.
ASK_P95_GOAL_MS = 150.0
ASK_VS_BASELINE_GOAL = 1.5


def _machine(results: dict[str, Any]) -> str:
    m = results["machine"]
    return (
        f"{m['cpu_count']} cores ({m.get('cpu_model', 'CPU')}), {m['memory_gb']} GB, "
        f"Python {m['python']}, torch threads {m['torch_threads']}"
    )


def ingest_markdown(results: dict[str, Any]) -> list[str]:
    """The ingest and warm search section."""
    ing, srch = results["ingest"], results["search"]
    return [
        "## Ingest and search (bundled corpus)",
        "",
        f"Measured {results['measured_at']} with `python -m evals.bench` on {_machine(results)}.",
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
        *_encoding_rows(results.get("query_encoding")),
        "",
    ]


def _encoding_rows(enc: dict[str, Any] | None) -> list[str]:
    """How questions are encoded: ONNX Runtime beside PyTorch, same texts and process."""
    if not enc:
        return []
    return [
        f"| one question encoded, {enc['questions']} expanded gold questions: ONNX Runtime "
        f"(shipped) | p50 {enc['onnx_p50_ms']} ms, p95 {enc['onnx_p95_ms']} ms |",
        f"| the same through PyTorch (`COPC_QUERY_RUNTIME=torch`) | p50 {enc['torch_p50_ms']} ms, "
        f"p95 {enc['torch_p95_ms']} ms (ONNX ÷ PyTorch p50 {enc['onnx_vs_torch_p50']}; "
        f"lowest cosine between their vectors {enc['min_cosine_onnx_vs_torch']}) |",
    ]


def _goals(largest: dict[str, Any]) -> list[str]:
    ours, base, ratio = largest["ours"], largest["baseline"], largest["ratios"]
    p95, vs = ours["ask_p95_ms"], ratio["ask_p95_vs_baseline"]

    def mark(ok: bool) -> str:
        return "met" if ok else "**not met**"

    return [
        f"Goals at {largest['chunks']:,} chunks (issue #7):",
        "",
        f"- warm `ask` p95 ≤ {ASK_P95_GOAL_MS:.0f} ms: {p95} ms, {mark(p95 <= ASK_P95_GOAL_MS)};",
        f"- `ask` p95 ≤ {ASK_VS_BASELINE_GOAL}× the baseline's p95: {vs}×, "
        f"{mark(vs is not None and vs <= ASK_VS_BASELINE_GOAL)};",
        f"- higher hit@5 than the baseline: {ours['hit@5']} vs {base['hit@5']}, "
        f"{mark(ours['hit@5'] > base['hit@5'])}.",
        "",
    ]


def scale_markdown(results: dict[str, Any]) -> list[str]:
    """The scale, baseline and cold-start section."""
    scale = results["scale"]
    levels = scale["levels"]
    lines = [
        "## Scale: latency, memory and hit@5 against index size, beside LangChain",
        "",
        f"Measured {scale['measured_at']} with `python -m evals.bench` (or `--scale-only`) on "
        f"{_machine(results)}. The CPU is shared with other work, so absolute latencies are "
        "noisy: compare the ratios, which come from the same run, and see the load average "
        "recorded beside each size in `docs/benchmarks.json`.",
        "",
        "Index: the bundled corpus plus synthetic distractor sections (one or two sentences "
        "recombined from the GSA contact-center guidelines and SciFact abstracts), ingested "
        f"through `copc`'s own pipeline. Queries: the {scale['questions']} site gold questions, "
        f"each asked once to warm up, then timed in {scale['repeat']} rounds; hit@5 is "
        f"section-level over the {scale['answerable']} answerable ones. Each side runs in its "
        "own process, so peak RSS is its own (model included).",
        "",
        f"Baseline: {scale['baseline_setup']}",
        "",
        "| chunks | ours search p50 / p95 | ours ask p50 / p95 | LangChain p50 / p95 "
        "| ask p95 ÷ LangChain p95 | hit@5 ours / LangChain | peak RSS ours / LangChain "
        "| load avg (1 min) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for lv in levels:
        o, b, r = lv["ours"], lv["baseline"], lv["ratios"]
        lines.append(
            f"| {lv['chunks']:,} | {o['search_p50_ms']} / {o['search_p95_ms']} ms "
            f"| {o['ask_p50_ms']} / {o['ask_p95_ms']} ms "
            f"| {b['search_p50_ms']} / {b['search_p95_ms']} ms "
            f"| {r['ask_p95_vs_baseline']}× | {o['hit@5']} / {b['hit@5']} "
            f"| {o['peak_rss_mb']:.0f} / {b['peak_rss_mb']:.0f} MiB "
            f"| {lv['load_average_before'][0]} → {lv['load_average_after'][0]} |"
        )
    lines += [
        "",
        "Where `ask` spends its time (mean per question; the rest is retrieval and answer "
        "composition in Python): "
        + "; ".join(
            f"{lv['chunks']:,} chunks: {lv['ours']['ask_mean_ms']} ms, of which the model "
            f"{lv['ours']['ask_embedding_mean_ms']} ms"
            for lv in levels
        )
        + ".",
        "",
        "Costs that grow with the index, each timed alone in the measuring process "
        "(`diagnostics` in the JSON). Chroma's own filtered query is why a filtered dense "
        "search takes the nearest chunks unfiltered and filters them itself, falling back "
        "to Chroma's filter only when too few pass (`assistant/retrieval.py`):",
        "",
        "| chunks | one read of the BM25 ids digest | Chroma query, no filter "
        "| the same, ids and distances only (what search asks) "
        "| Chroma query with one program's filter |",
        "|---:|---:|---:|---:|---:|",
        *[
            f"| {lv['chunks']:,} | {d['ids_digest_ms']} ms | {d['dense_query_ms']} ms "
            f"| {d.get('dense_query_ids_ms', '–')} ms | {d['dense_query_program_ms']} ms |"
            for lv in levels
            if (d := lv["ours"].get("diagnostics"))
        ],
        "",
        "LangChain's p95 per variant (the faster one is the baseline above): "
        + "; ".join(
            f"{lv['chunks']:,} chunks: "
            + ", ".join(
                f"{name} {v['search_p95_ms']} ms"
                for name, v in lv.get("baseline_variants", {}).items()
            )
            for lv in levels
        )
        + ".",
        "",
        *_goals(levels[-1]),
    ]
    cold = [lv for lv in levels if lv.get("cold_start")]
    if cold:
        lines += [
            f"### Cold start (a new `python -m assistant` process on the built index, median "
            f"of {len(cold[0]['cold_start']['ask_runs_s'])})",
            "",
            f"Question: “{scale['cold_start_question']}”. Process start to the printed "
            "result, model load and index open included.",
            "",
            "| chunks | `ask --json` | `search --json` | index open in the warm process |",
            "|---:|---:|---:|---:|",
        ]
        for lv in cold:
            c = lv["cold_start"]
            lines.append(
                f"| {lv['chunks']:,} | {c.get('ask_s', '–')} s | {c.get('search_s', '–')} s "
                f"| {lv['ours']['open_index_s']} s |"
            )
        lines.append("")
    return lines


def render_markdown(results: dict[str, Any]) -> str:
    """The whole benchmarks page."""
    lines = ["# Benchmarks", "", "Figures recorded by `python -m evals.bench`.", ""]
    if "ingest" in results:
        lines += ingest_markdown(results)
    if "scale" in results:
        lines += scale_markdown(results)
    return "\n".join(lines)
