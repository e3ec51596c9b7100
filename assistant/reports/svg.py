"""Charts as inline SVG strings: a heatmap, line charts and bar charts.

No script, font file or image is referenced, so the page renders the same offline, in any
browser, printed or attached to a Slack message. Values are fractions 0..1 (shown as %);
``None`` is drawn as an empty grey cell or a gap in a line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#be185d", "#65a30d")
_FONT = 'font-family="system-ui, sans-serif"'


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def colour(value: float | None) -> str:
    """Red (0) through amber (0.5) to green (1); grey for no data."""
    if value is None:
        return "#e5e7eb"
    v = min(max(value, 0.0), 1.0)
    if v < 0.5:
        r, g = 220, int(60 + 2 * v * 150)
    else:
        r, g = int(220 - 2 * (v - 0.5) * 190), 180 + int((v - 0.5) * 20)
    return f"#{r:02x}{g:02x}40"


def _svg(kind: str, name: str, width: int, height: int, body: list[str], title: str) -> str:
    return (
        f'<svg class="chart {kind}" data-chart="{escape(name)}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" {_FONT}>'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def heatmap(
    name: str,
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: dict[tuple[str, str], float | None],
    *,
    cell: int = 26,
    label_width: int = 230,
) -> str:
    """Rows × columns coloured by value, each cell labelled with its percentage."""
    top = 130
    width = label_width + cell * len(columns) + 110  # room for the last rotated labels
    height = top + cell * len(rows) + 10
    body: list[str] = []
    for j, col in enumerate(columns):
        x = label_width + j * cell + cell // 2
        body.append(
            f'<text x="{x}" y="{top - 6}" font-size="10" transform="rotate(-55 {x} {top - 6})">'
            f"{escape(col)}</text>"
        )
    for i, row in enumerate(rows):
        y = top + i * cell
        body.append(
            f'<text x="{label_width - 6}" y="{y + cell * 0.65:.0f}" font-size="11" '
            f'text-anchor="end">{escape(row[:38])}</text>'
        )
        for j, col in enumerate(columns):
            value = values.get((row, col))
            x = label_width + j * cell
            tip = f"{row} × {col}: {_pct(value)}"
            body.append(
                f'<rect class="cell" x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{colour(value)}"><title>{escape(tip)}</title></rect>'
            )
            if value is not None:
                body.append(
                    f'<text x="{x + (cell - 2) / 2:.0f}" y="{y + cell * 0.62:.0f}" '
                    f'font-size="8" text-anchor="middle" fill="#111">{value * 100:.0f}</text>'
                )
    return _svg("heatmap", name, width, height, body, title)


def line_chart(
    name: str,
    title: str,
    labels: Sequence[str],
    series: dict[str, list[float | None]],
    *,
    width: int = 640,
    height: int = 240,
    percent: bool = True,
) -> str:
    """One line per series over the labels (weeks); ``None`` breaks a line."""
    left, right, top, bottom = 48, 150, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [v for vals in series.values() for v in vals if v is not None]
    y_max = 1.0 if percent else 4.0 * math.ceil(max([*numbers, 1.0]) * 1.1 / 4)
    n = max(len(labels) - 1, 1)
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#9ca3af"/>'
    ]
    for k in range(5):
        frac = k / 4
        y = top + plot_h - frac * plot_h
        text = f"{frac * 100:.0f}%" if percent else f"{frac * y_max:.0f}"
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#f3f4f6"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="9" text-anchor="end">{text}</text>'
        )
    step = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        if i % step == 0:
            x = left + i * plot_w / n
            body.append(
                f'<text x="{x:.1f}" y="{height - 18}" font-size="9" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    for k, (label, values) in enumerate(series.items()):
        colour_ = PALETTE[k % len(PALETTE)]
        runs: list[list[str]] = [[]]
        for i, value in enumerate(values):
            if value is None:
                runs.append([])
                continue
            x = left + i * plot_w / n
            y = top + plot_h - min(value / y_max, 1.0) * plot_h
            runs[-1].append(f"{x:.1f},{y:.1f}")
        for run in runs:
            if len(run) > 1:
                body.append(
                    f'<polyline class="series" fill="none" stroke="{colour_}" stroke-width="2" '
                    f'points="{" ".join(run)}"/>'
                )
            elif run:
                cx, cy = run[0].split(",")
                body.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colour_}"/>')
        ly, lx = top + 12 + k * 14, width - right + 10
        body.append(
            f'<rect x="{lx}" y="{ly - 8}" width="10" height="10" fill="{colour_}"/>'
            f'<text x="{lx + 14}" y="{ly + 1}" font-size="10">{escape(label[:20])}</text>'
        )
    return _svg("line", name, width, height, body, title)


def bar_chart(
    name: str,
    title: str,
    items: Sequence[tuple[str, float | None]],
    *,
    width: int = 640,
    bar: int = 16,
    label_width: int = 190,
    percent: bool = True,
) -> str:
    """Horizontal bars, one per item, labelled with the value."""
    numbers = [v for _, v in items if v is not None]
    scale = 1.0 if percent else max([*numbers, 1.0])
    plot_w = width - label_width - 60
    height = 10 + len(items) * (bar + 6)
    body: list[str] = []
    for i, (label, value) in enumerate(items):
        y = 6 + i * (bar + 6)
        body.append(
            f'<text x="{label_width - 6}" y="{y + bar * 0.75:.0f}" font-size="11" '
            f'text-anchor="end">{escape(label[:30])}</text>'
        )
        length = 0.0 if value is None else min(value / scale, 1.0) * plot_w
        body.append(
            f'<rect class="bar" x="{label_width}" y="{y}" width="{length:.1f}" height="{bar}" '
            f'fill="{colour(value) if percent else PALETTE[0]}"/>'
        )
        shown = _pct(value) if percent else ("–" if value is None else f"{value:g}")
        body.append(
            f'<text x="{label_width + length + 4:.1f}" y="{y + bar * 0.75:.0f}" '
            f'font-size="10">{shown}</text>'
        )
    return _svg("bar", name, width, height, body, title)


def sparkline(
    values: Sequence[float | None],
    target: float,
    lower_better: bool,
    judged: Sequence[bool] | None = None,
) -> str:
    """A tiny line of monthly results with the target as a dashed line; misses in red.

    ``judged`` says which points the target applies to (results before it took effect are
    drawn but never marked as misses).
    """
    width, height, pad = 120, 28, 3
    numbers = [v for v in values if v is not None] + [target]
    lo, hi = min(numbers), max(numbers)
    span = (hi - lo) or 1.0
    n = max(len(values) - 1, 1)

    def y(v: float) -> float:
        return height - pad - (v - lo) / span * (height - 2 * pad)

    flags = list(judged) if judged is not None else [True] * len(values)
    points = [
        (pad + i * (width - 2 * pad) / n, v, flags[i])
        for i, v in enumerate(values)
        if v is not None
    ]
    body = [
        f'<line x1="{pad}" y1="{y(target):.1f}" x2="{width - pad}" y2="{y(target):.1f}" '
        'stroke="#6b7280" stroke-dasharray="3 2"/>',
        '<polyline fill="none" stroke="#2563eb" stroke-width="1.5" points="'
        + " ".join(f"{x:.1f},{y(v):.1f}" for x, v, _ in points)
        + '"/>',
    ]
    for x, v, counts in points:
        missed = v > target if lower_better else v < target
        if missed and counts:
            body.append(f'<circle cx="{x:.1f}" cy="{y(v):.1f}" r="2.5" fill="#dc2626"/>')
    return (
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        + "".join(body)
        + "</svg>"
    )
