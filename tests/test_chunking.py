"""Sections into chunks: spans, boundaries and metadata."""

from __future__ import annotations

from assistant.chunking import ChunkingParams, chunk_document, normalise_program, split_section
from assistant.documents import DocumentMeta, LoadedDocument, Section


def _doc(sections: list[tuple[tuple[str, ...], str]], **meta: str) -> LoadedDocument:
    text = ""
    built = []
    for path, body in sections:
        start = len(text)
        text += body + "\n\n"
        built.append(Section(path[-1], path, body, start, start + len(body)))
    return LoadedDocument("memo.md", text, DocumentMeta(**meta), tuple(built))


def test_short_section_is_one_chunk_with_exact_span() -> None:
    doc = _doc(
        [(("Memo",), "Intro line."), (("Memo", "Target"), "## Target\nThe target is 80/20.")]
    )
    chunks = chunk_document(doc, ChunkingParams(), file_key="/x/memo.md")
    assert [c.section for c in chunks] == ["Memo", "Target"]
    for chunk in chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text


def test_long_section_splits_on_sentences_and_never_crosses_sections() -> None:
    sentence = "Each evaluation is chosen at random across days and intervals. "
    long_body = "## Sampling\n" + sentence * 60
    doc = _doc([(("Memo", "Sampling"), long_body.strip()), (("Memo", "Next"), "## Next\nShort.")])
    params = ChunkingParams(max_chars=400, min_chars=100)
    chunks = chunk_document(doc, params, file_key="k")
    sampling = [c for c in chunks if c.section == "Sampling"]
    assert len(sampling) > 5
    assert all(len(c.text) <= 400 + 100 for c in sampling)
    assert all(c.text.rstrip().endswith((".", "Sampling")) for c in sampling[:-1])
    assert all("Short." not in c.text for c in sampling)
    section = doc.sections[0]
    assert all(section.start <= c.start and c.end <= section.end for c in sampling)


def test_unbreakable_text_is_cut_at_the_limit() -> None:
    section = Section("S", ("S",), "x" * 3000, 0, 3000)
    spans = split_section(section, ChunkingParams(max_chars=1000, min_chars=10))
    assert spans == [(0, 1000), (1000, 2000), (2000, 3000)]


def test_chunk_metadata_comes_from_document_control() -> None:
    doc = _doc(
        [(("Memo",), "Body text here.")],
        doc_id="SITE-TGT-001",
        version="2.1",
        program="Harbor Bank",
        doc_type="Target memo",
        effective_date="2026-01-01",
        client_approved="Yes — Laura Chen",
        title="SL memo",
    )
    (chunk,) = chunk_document(doc, ChunkingParams(), file_key="k")
    assert (chunk.doc_id, chunk.version, chunk.program, chunk.doc_type) == (
        "SITE-TGT-001",
        "2.1",
        "harbor-bank",
        "target-memo",
    )
    meta = chunk.metadata()
    assert meta["client_approved"] == "Yes — Laura Chen"
    assert meta["section_path"] == "Memo"
    assert None not in meta.values()


def test_document_without_control_block_uses_file_name_as_id() -> None:
    (chunk,) = chunk_document(_doc([(("Memo",), "Text.")]), ChunkingParams(), file_key="k")
    assert chunk.doc_id == "memo.md"
    assert chunk.program == "site-wide"


def test_chunk_ids_are_stable_and_depend_on_content() -> None:
    a = chunk_document(_doc([(("M",), "Alpha.")]), ChunkingParams(), file_key="k")
    b = chunk_document(_doc([(("M",), "Alpha.")]), ChunkingParams(), file_key="k")
    c = chunk_document(_doc([(("M",), "Beta.")]), ChunkingParams(), file_key="k")
    d = chunk_document(_doc([(("M",), "Alpha.")]), ChunkingParams(), file_key="other")
    assert a[0].chunk_id == b[0].chunk_id
    assert a[0].chunk_id != c[0].chunk_id
    assert a[0].chunk_id != d[0].chunk_id


def test_program_names_normalise() -> None:
    assert normalise_program("Harbor Bank") == "harbor-bank"
    assert normalise_program("Site-wide") == "site-wide"
    assert normalise_program(None) == "site-wide"
    assert normalise_program("Lumen Telecom") == "lumen-telecom"


def test_audience_becomes_per_role_flags() -> None:
    from assistant.chunking import parse_audience

    assert parse_audience("Managers, Team leads and QA") == ("team_lead", "manager", "quality")
    assert parse_audience("all") == () and parse_audience(None) == ()
    doc = _doc([(("Memo",), "Body.")])
    doc = LoadedDocument(
        doc.file, doc.text, DocumentMeta(extra={"audience": "managers, wfm"}), doc.sections
    )
    (chunk,) = chunk_document(doc, ChunkingParams(), file_key="k")
    meta = chunk.metadata()
    assert meta["audience"] == "manager, wfm"
    assert meta["for_manager"] == meta["for_wfm"] == "yes"
    assert "for_agent" not in meta
    (open_chunk,) = chunk_document(_doc([(("Memo",), "Body.")]), ChunkingParams(), file_key="k")
    assert all(open_chunk.metadata()[f"for_{r}"] == "yes" for r in ("agent", "manager"))
