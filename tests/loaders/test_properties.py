"""Whatever text a file holds, loading either succeeds with consistent spans or fails cleanly."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import LoadError
from assistant.loaders import load_document

# Markdown and plain-text syntax mixed with arbitrary text, so the interesting paths run.
FRAGMENTS = st.sampled_from(
    [
        "# ",
        "## ",
        "\n",
        "\n\n",
        "---\n",
        "===\n",
        "```\n",
        "~~~\n",
        "| ",
        " |",
        "|---|\n",
        "**",
        "__",
        "*",
        "_",
        "[",
        "](",
        ")",
        "![",
        "{{< ",
        " >}}",
        "{#id}",
        "<!--",
        "-->",
        "<b>",
        "</b>",
        "&amp;",
        "&#8217;",
        "1. ",
        "2.1 ",
        "TITLE\n",
        "Version: 2\n",
        "Owner: Ann\n",
        "title: x\n",
        "+++\n",
        "> ",
        "- ",
        "\t",
        "\r\n",
        "\u00a0",
        "\u0301",
        "\u2028",
        "\x0c",
        "\ufeff",
        "\x00",
        "é",
    ]
)
TEXT = st.lists(st.one_of(FRAGMENTS, st.text(max_size=20)), max_size=40).map("".join)


def check(text: str, suffix: str, consistent) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"doc{suffix}"
        path.write_bytes(text.encode("utf-8"))
        try:
            doc = load_document(path)
        except LoadError as error:
            assert "\n" not in str(error) and str(error)
            return
    consistent(doc)
    assert doc.file == f"doc{suffix}"


# ``consistent`` is a pure checking function, so sharing it across examples is safe.
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@SETTINGS
@given(text=TEXT)
def test_any_markdown_loads_consistently_or_raises_load_error(text: str, consistent) -> None:
    check(text, ".md", consistent)


@SETTINGS
@given(text=TEXT)
def test_any_plain_text_loads_consistently_or_raises_load_error(text: str, consistent) -> None:
    check(text, ".txt", consistent)


@SETTINGS
@given(text=st.text())
def test_any_unicode_text_as_markdown_and_text(text: str, consistent) -> None:
    check(text, ".md", consistent)
    check(text, ".txt", consistent)
