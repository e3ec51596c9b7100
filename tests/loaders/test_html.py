"""HTML: readable body text, headings, tables and metadata; page furniture dropped."""

from __future__ import annotations

from assistant.loaders import load_document

PAGE = """\
<!DOCTYPE html>
<html><head><title>Calibration Procedure</title>
<style>body { color: red }</style><script>var tracking = 1;</script></head>
<body>
<header><a href="/">Northbay intranet</a></header>
<nav><ul><li>Home</li><li>Procedures</li></ul></nav>
<main>
<h1>Calibration Procedure</h1>
<table>
  <tr><th>Field</th><th>Value</th></tr>
  <tr><td>Document ID</td><td>SITE-QA-012</td></tr>
  <tr><td>Version</td><td>2.0</td></tr>
  <tr><td>Approved by client</td><td>Yes &mdash; Laura Chen</td></tr>
  <tr><td>Review cycle</td><td>Annual</td></tr>
</table>
<p>This   procedure keeps
   QA scores consistent.</p>
<!-- hidden comment -->
<h2>Weekly session</h2>
<h3>Before the session</h3>
<p>Each analyst scores <strong>five</strong> calls.<br>Scores are sent to the lead.</p>
<ul><li>Pick calls at random</li><li>Share recordings</li></ul>
<h2>Tolerance</h2>
<table><tr><td>Overall score</td><td>&plusmn;5 points</td></tr>
<tr><td>Critical errors</td><td>90% agreement</td></tr></table>
<aside>Related links</aside>
<form><input name="q"><button>Search</button></form>
</main>
<footer>Copyright Northbay</footer>
</body></html>
"""


def test_title_headings_paths_and_dropped_furniture(write_file, consistent) -> None:
    doc = load_document(write_file("calibration.html", PAGE))
    consistent(doc)
    assert doc.meta.title == "Calibration Procedure"
    assert [s.path for s in doc.sections] == [
        ("Calibration Procedure",),
        ("Calibration Procedure", "Weekly session"),
        ("Calibration Procedure", "Weekly session", "Before the session"),
        ("Calibration Procedure", "Tolerance"),
    ]
    for furniture in (
        "tracking",
        "color: red",
        "Northbay intranet",
        "Home",
        "Related links",
        "Search",
        "Copyright",
        "hidden comment",
    ):
        assert furniture not in doc.text


def test_paragraphs_line_breaks_lists_and_tables(write_file) -> None:
    doc = load_document(write_file("calibration.html", PAGE))
    assert "This procedure keeps QA scores consistent." in doc.text
    assert "Each analyst scores five calls.\nScores are sent to the lead." in doc.text
    assert "- Pick calls at random\n- Share recordings" in doc.text
    assert "Overall score | ±5 points\nCritical errors | 90% agreement" in doc.text
    assert "Document ID | SITE-QA-012" in doc.sections[0].text


def test_html_table_is_metadata(write_file) -> None:
    meta = load_document(write_file("calibration.html", PAGE)).meta
    assert (meta.doc_id, meta.version, meta.client_approved) == (
        "SITE-QA-012",
        "2.0",
        "Yes — Laura Chen",
    )
    assert meta.extra == {"review_cycle": "Annual"}


def test_key_value_paragraphs_and_definition_lists_are_metadata(write_file) -> None:
    page = (
        "<html><body><h1>Escalation</h1>"
        "<p><b>Doc ID:</b> SITE-OPS-016</p><p><b>Owner:</b> Marcus Webb</p>"
        "<h2>Purpose</h2><p>Why.</p></body></html>"
    )
    meta = load_document(write_file("esc.htm", page)).meta
    assert (meta.doc_id, meta.owner, meta.title) == ("SITE-OPS-016", "Marcus Webb", "Escalation")

    page = (
        "<html><body><h1>Leave</h1><dl><dt>Effective</dt><dd>2026-01-01</dd>"
        "<dt>Next review date</dt><dd>2026-11-30</dd></dl><p>Body.</p></body></html>"
    )
    meta = load_document(write_file("leave.html", page)).meta
    assert (meta.effective_date, meta.next_review) == ("2026-01-01", "2026-11-30")


def test_title_falls_back_to_first_h1_then_file_stem(write_file) -> None:
    doc = load_document(write_file("a.html", "<body><p>Intro.</p><h1>Main</h1><p>B.</p></body>"))
    assert doc.meta.title == "Main"
    assert doc.sections[0].heading == "Main" and doc.sections[0].text == "Intro."

    doc = load_document(write_file("plain-page.html", "<p>Only a paragraph.</p>"))
    assert doc.meta.title == "plain-page"


def test_declared_charset_is_honoured_for_legacy_pages(write_file) -> None:
    page = '<html><head><meta charset="windows-1252"><title>Caf\xe9</title></head>'
    page += "<body><p>Men\xfa \x93quoted\x94</p></body></html>"
    doc = load_document(write_file("legacy.html", page.encode("latin-1")))
    assert doc.meta.title == "Café"
    assert "Menú “quoted”" in doc.text


def test_nested_tables_are_not_duplicated(write_file) -> None:
    page = (
        "<body><h1>T</h1><table><tr><td>outer</td><td>"
        "<table><tr><td>inner</td></tr></table></td></tr></table></body>"
    )
    doc = load_document(write_file("nested.html", page))
    assert doc.text.count("inner") == 1
    assert "outer | inner" in doc.text


def test_deeply_nested_markup_loads(write_file, consistent) -> None:
    page = "<body><h1>Deep</h1>" + "<div>" * 3000 + "core text" + "</div>" * 3000 + "</body>"
    doc = load_document(write_file("deep.html", page))
    consistent(doc)
    assert "core text" in doc.text
