"""Text built to make a parser backtrack: every loader stays linear in its input.

Each case is about half a megabyte of one construct repeated, or one long run ending in
a character that makes a pattern fail. Before the patterns were made linear, ``**a``,
``[`` or a backtick repeated 100 KB took 20 s to 70 s (quadratic or worse: hours at 20 MB);
linear loading takes a fraction of a second here, so the 20 s limit has a wide margin.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from bounded import run_bounded
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import LoadError
from assistant.loaders import load_document

SIZE = 500_000


def repeated(unit: str, size: int = SIZE) -> str:
    return (unit * (size // len(unit) + 1))[:size]


CASES: list[tuple[str, str, str]] = [
    # (name, suffix, text)
    ("unclosed ** strong", ".md", repeated("**a ")),
    ("unclosed __ strong", ".md", repeated("__a ")),
    ("strong across lines", ".md", repeated("**a\n")),
    ("open brackets", ".md", repeated("[")),
    ("open images", ".md", repeated("![")),
    ("footnote-like brackets", ".md", repeated("[^")),
    ("backticks", ".md", repeated("`")),
    ("double backticks", ".md", "x " + repeated("``a`")),
    ("unclosed shortcodes", ".md", repeated("{{< ")),
    ("unclosed comments", ".md", repeated("<!--")),
    ("unclosed anchors", ".md", repeated("a {#")),
    ("unclosed tags", ".md", repeated("<a ")),
    ("link then spaces", ".md", "[a](" + " " * SIZE + "x"),
    ("image then tabs", ".md", "![a](" + "\t" * SIZE + "x"),
    ("link url then spaces", ".md", "[a](x" + " " * SIZE + "y"),
    ("heading then spaces", ".md", "# a" + " " * SIZE + "b"),
    ("closing hashes", ".md", "# a" + " #" * (SIZE // 2) + " b"),
    ("table separator then spaces", ".md", "|-" + " " * SIZE + "x|"),
    ("table rows", ".md", repeated("| a |\n|---|\n")),
    ("emphasis stars", ".md", repeated("*a ")),
    ("escapes", ".md", repeated("\\*")),
    ("entities", ".md", repeated("&#")),
    ("numbered headings", ".txt", repeated("1.2.3 A\n")),
    ("dots", ".txt", repeated("1.")),
    ("spaces then letter", ".txt", " " * SIZE + "x"),
    ("key value lines", ".txt", repeated("Version: 1\n")),
    ("rule then letter", ".txt", "-" + " -" * (SIZE // 2) + " x"),
    ("unclosed html comments", ".html", repeated("<!--")),
    ("unclosed html tags", ".html", repeated("<a ")),
    ("ampersands", ".html", repeated("&")),
    ("definition lists", ".html", "<dl>" + repeated("<dt>a<dd>b", SIZE // 4)),
]


def _load(path: Path) -> str:
    try:
        return f"{len(load_document(path).text):,} chars"
    except LoadError as error:
        assert "\n" not in str(error) and error.file == str(path)
        return f"refused: {error}"


@pytest.mark.parametrize(("name", "suffix", "text"), CASES, ids=[c[0] for c in CASES])
def test_adversarial_text_loads_in_linear_time(
    tmp_path: Path, name: str, suffix: str, text: str
) -> None:
    path = tmp_path / f"hostile{suffix}"
    path.write_text(f"Intro line.\n\n{text}\n", encoding="utf-8")
    measured = run_bounded(
        f"{len(text) // 1000} KB {suffix}: {name}",
        lambda: _load(path),
        timeout_s=20,
        memory_mib=1000,
    )
    assert measured.outcome == "ok", measured.message
    assert measured.seconds < 10, f"{name}: {measured.seconds:.1f} s"


FRAGMENTS = st.sampled_from(
    [
        "*",
        "**",
        "_",
        "__",
        "`",
        "``",
        "[",
        "]",
        "(",
        ")",
        "![",
        "<",
        ">",
        "<!--",
        "-->",
        "{{<",
        ">}}",
        "{#",
        "}",
        "#",
        "|",
        "-",
        ":",
        "&",
        "\\",
        " ",
        "\t",
        "\n",
        "a",
        "1.",
        "=",
    ]
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    unit=st.lists(FRAGMENTS, min_size=1, max_size=4).map("".join),
    suffix=st.sampled_from([".md", ".txt", ".html"]),
)
def test_any_small_pattern_repeated_loads_in_linear_time(unit: str, suffix: str) -> None:
    text = repeated(unit, 100_000)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_text(text, encoding="utf-8")
        measured = run_bounded(
            f"fuzz {unit!r}", lambda: _load(path), timeout_s=20, memory_mib=800, record=False
        )
    assert measured.outcome == "ok", measured.message
    assert measured.seconds < 5, f"{unit!r} x {len(text) // len(unit)}: {measured.seconds:.1f} s"
