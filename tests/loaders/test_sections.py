"""Sections from heading offsets: spans, paths, preamble and pages (shared by all formats)."""

from __future__ import annotations

from assistant.loaders.builder import TextBuilder
from assistant.loaders.sections import Heading, build_sections, page_of


def test_preamble_paths_and_spans() -> None:
    text = "Intro text.\n\nA\n\nBody a.\n\nA1\n\nBody a1.\n\nB"
    headings = [Heading(13, 1, "A"), Heading(25, 2, "A1"), Heading(39, 1, "B")]
    sections = build_sections(text, headings, title="Doc")
    assert [(s.heading, s.path, s.text) for s in sections] == [
        ("Doc", ("Doc",), "Intro text."),
        ("A", ("A",), "A\n\nBody a."),
        ("A1", ("A", "A1"), "A1\n\nBody a1."),
        ("B", ("B",), "B"),
    ]
    for section in sections:
        assert text[section.start : section.end] == section.text
        assert section.page is None


def test_no_preamble_when_text_starts_with_a_heading() -> None:
    sections = build_sections("T\n\nBody", [Heading(0, 1, "T")], title="Ignored")
    assert [s.heading for s in sections] == ["T"]


def test_no_headings_gives_one_title_section() -> None:
    sections = build_sections("Only text.", [], title="Stem")
    assert [(s.heading, s.path, s.start, s.end) for s in sections] == [("Stem", ("Stem",), 0, 10)]


def test_deeper_then_shallower_levels_and_title_level_zero() -> None:
    builder = TextBuilder()
    builder.add_heading(0, "Title")
    builder.add_heading(3, "Deep")
    builder.add_heading(1, "Top")
    builder.add_heading(2, "Sub")
    builder.add_heading(2, "Sibling")
    sections = build_sections(builder.text, builder.headings, title="Title")
    assert [s.path for s in sections] == [
        ("Title",),
        ("Title", "Deep"),
        ("Title", "Top"),
        ("Title", "Top", "Sub"),
        ("Title", "Top", "Sibling"),
    ]


def test_bad_or_repeated_offsets_are_ignored() -> None:
    text = "A\nB"
    headings = [Heading(0, 1, "A"), Heading(0, 1, "again"), Heading(99, 1, "beyond")]
    assert [s.heading for s in build_sections(text, headings, title="T")] == ["A"]


def test_pages_from_page_starts() -> None:
    assert page_of(0, (0, 10, 20)) == 1
    assert page_of(15, (0, 10, 20)) == 2
    assert page_of(20, (0, 10, 20)) == 3
    assert page_of(5, (0, 0, 10)) == 2, "an empty first page is skipped"
    assert page_of(5, ()) is None


def test_builder_collapses_whitespace_and_paragraph_breaks() -> None:
    builder = TextBuilder()
    builder.break_paragraph()
    assert builder.next_offset() == 0
    builder.add_line("  a \t b  ")
    builder.break_paragraph()
    builder.break_paragraph()
    assert builder.add_line(" \u200b ") is None
    builder.add_paragraph("c\n\n\n\nd\u2028e")
    assert builder.text == "a b\n\nc\n\nd\ne"
    assert builder.lines == ["a b", "c", "d", "e"]


def test_builder_heading_name_can_differ_from_its_line() -> None:
    builder = TextBuilder()
    assert builder.add_heading(1, "4.1 Harbor Bank", name="Harbor Bank")
    assert not builder.add_heading(1, "   ")
    assert builder.headings == [Heading(0, 1, "Harbor Bank")]
    assert builder.text == "4.1 Harbor Bank"
