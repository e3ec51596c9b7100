"""The real GSA contact-center pages (Hugo Markdown) load cleanly, with their headings."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from assistant.loaders import load_document

GSA_DOCS = Path("/work/shared/data/gsa-contact-center-guidelines/docs")
FILES = sorted(GSA_DOCS.glob("*.md")) if GSA_DOCS.is_dir() else []
# These pages have no Markdown headings at all, so the whole page is its title section
# (the gold set cites them by title, e.g. "Contact Center Guidelines").
WITHOUT_HEADINGS = {
    "2014-01-10-three-concepts-for-excellence-in-contact-centers.md",
    "2015-04-30-how-much-will-my-agencys-contact-center-cost.md",
    "contact-center-guidelines.md",
}

pytestmark = pytest.mark.skipif(not FILES, reason=f"{GSA_DOCS} is not available here")


def atx_headings(path: Path) -> list[str]:
    """``##``-and-deeper headings as a reader sees them: anchor removed, entities decoded."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#{2,6}\s+(.*?)\s*$", line)
        if match:
            found.append(html.unescape(re.sub(r"\s*\{#[^}]*\}", "", match.group(1))))
    return found


def test_all_nine_pages_are_present() -> None:
    assert len(FILES) == 9


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_page_loads_with_its_headings_as_sections(path: Path, consistent) -> None:
    doc = load_document(path)
    consistent(doc)
    assert doc.file == path.name
    if path.name in WITHOUT_HEADINGS:
        assert [s.heading for s in doc.sections] == [doc.meta.title]
    else:
        assert len(doc.sections) >= 2
    section_headings = [s.heading for s in doc.sections]
    for heading in atx_headings(path):
        assert heading in section_headings
    for leftover in ("{{<", "{{%", "{#", "](", "<!--", "&#8217;"):
        assert leftover not in doc.text


def test_front_matter_title_and_extras(consistent) -> None:
    doc = load_document(GSA_DOCS / "contact-center-operation-and-management.md")
    assert doc.meta.title == "Contact Center Operation and Management"
    slug = "contact-center-guidelines/contact-center-operation-and-management"
    assert doc.meta.extra["slug"] == slug
    assert doc.meta.extra["topics"] == "contact-centers"
    assert doc.sections[0].heading == doc.meta.title
    assert doc.sections[0].text.startswith("Many things can impact the service quality")


def test_call_calibration_section_has_its_anchor_removed() -> None:
    doc = load_document(GSA_DOCS / "contact-center-operation-and-management.md")
    calibration = [s for s in doc.sections if s.heading == "Call Calibration"]
    assert len(calibration) == 1 and calibration[0].path == ("Call Calibration",)
    implement = next(s for s in doc.sections if s.heading == "How To Implement")
    assert implement.path == ("Call Calibration", "How To Implement")
    assert "five points" in implement.text


def test_link_list_keeps_link_text_only() -> None:
    doc = load_document(GSA_DOCS / "contact-center-operation-and-management.md")
    assert "- Control Contact Center Costs\n- Monitor Quality" in doc.sections[0].text


def test_raw_html_lists_become_readable_lines() -> None:
    doc = load_document(GSA_DOCS / "2015-04-30-how-much-will-my-agencys-contact-center-cost.md")
    assert "Warm transfer (CSR stays on line and introduces call to Tier 2)" in doc.text
    assert "<li" not in doc.text and "<strong>" not in doc.text
