"""Document-control metadata: key synonyms, value conversion and the three block forms."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.loaders.metadata import (
    detect_metadata,
    field_for_key,
    find_key_value_block,
    find_table_block,
    value_to_str,
)


@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("Document ID", "doc_id"),
        ("doc_id", "doc_id"),
        ("Doc. ID", "doc_id"),
        ("DOCUMENT NUMBER", "doc_id"),
        ("Document No.", "doc_id"),
        ("id", "doc_id"),
        ("Title", "title"),
        ("Rev", "version"),
        ("revision", "version"),
        ("Version:", "version"),
        ("Process owner", "owner"),
        ("Document  Owner", "owner"),
        ("effective_date", "effective_date"),
        ("Effective", "effective_date"),
        ("Approved by client", "client_approved"),
        ("client-approved", "client_approved"),
        ("Client approval", "client_approved"),
        ("Approved by", "approved_by"),
        ("Approver", "approved_by"),
        ("Client program", "program"),
        ("Programme", "program"),
        ("Document type", "doc_type"),
        ("type", "doc_type"),
        ("Next review date", "next_review"),
        ("Review date", "next_review"),
        ("next_review", "next_review"),
        ("Classification", None),
        ("Purpose", None),
    ],
)
def test_key_synonyms(key: str, field: str | None) -> None:
    assert field_for_key(key) == field


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("  Site-wide  ", "Site-wide"),
        (True, "yes"),
        (False, "no"),
        (2.1, "2.1"),
        (3, "3"),
        (dt.date(2026, 1, 1), "2026-01-01"),
        (dt.datetime(2026, 1, 1, 9, 30), "2026-01-01T09:30:00"),
        (["a", "b", 3], "a, b, 3"),
        ({"k": "v"}, "k: v"),
        (None, None),
        ("", None),
        ([], None),
        ("multi\nline\tvalue", "multi line value"),
    ],
)
def test_values_become_one_line_strings(value: object, text: str | None) -> None:
    assert value_to_str(value) == text


def test_alias_bombs_stay_small() -> None:
    inner = ["lol"] * 1000
    bomb = [[inner] * 1000] * 1000
    text = value_to_str(bomb)
    assert text is None or len(text) <= 500


def test_key_value_block_needs_two_known_keys() -> None:
    assert find_key_value_block(["Title line", "Version: 2", "Body text here."]) is None
    meta = find_key_value_block(["Version: 2", "", "Owner: Ann", "Body."])
    assert meta is not None and (meta.version, meta.owner) == ("2", "Ann")


def test_key_value_block_only_near_the_top() -> None:
    filler = [f"Paragraph {n} of the body." for n in range(30)]
    assert find_key_value_block([*filler, "Version: 2", "Owner: Ann"]) is None
    assert find_key_value_block([*filler[:20], "Version: 2", "Owner: Ann"]) is not None


def test_key_value_block_keeps_unknown_keys_after_the_first_known_one() -> None:
    meta = find_key_value_block(
        ["Site metrics: attrition targets", "Version: 3", "Status: Draft", "Owner: Ann", "Body."]
    )
    assert meta is not None
    assert meta.extra == {"status": "Draft"}


def test_first_value_wins_and_bullets_are_accepted() -> None:
    meta = find_key_value_block(["- Version: 1", "- Rev: 9", "* Owner: Ann"])
    assert meta is not None and (meta.version, meta.owner) == ("1", "Ann")


def test_urls_and_times_are_not_keys() -> None:
    assert find_key_value_block(["http://example.gov/a", "Open 07:00 to 23:00"]) is None


def test_two_column_table_with_header_row() -> None:
    rows = [["Field", "Value"], ["Document ID", "X-1"], ["Version", "2"], ["Site", "Riverton"]]
    meta = find_table_block([rows])
    assert meta is not None
    assert (meta.doc_id, meta.version, meta.extra) == ("X-1", "2", {"site": "Riverton"})


def test_table_with_keys_in_the_first_row() -> None:
    meta = find_table_block([[["Document ID", "Version", "Owner"], ["X-2", "4", "Grace Lin"]]])
    assert meta is not None and (meta.doc_id, meta.version, meta.owner) == ("X-2", "4", "Grace Lin")


def test_tables_that_are_not_control_blocks() -> None:
    metrics = [["Metric", "Target"], ["Service level", "80/20"], ["AHT", "345 s"]]
    wide = [["Document ID", "X", "extra"], ["Version", "2", "more"]]
    assert find_table_block([metrics]) is None
    assert find_table_block([wide]) is None
    assert find_table_block([[]]) is None


def test_front_matter_wins_then_lines_then_tables() -> None:
    meta = detect_metadata(
        front={"version": "3", "tags": ["a"]},
        lines=["Version: 2", "Owner: Ann"],
        tables=[[["Owner", "Bob"], ["Program", "Harbor Bank"], ["Status", "Live"]]],
    )
    assert (meta.version, meta.owner, meta.program) == ("3", "Ann", "Harbor Bank")
    assert meta.extra == {"tags": "a", "status": "Live"}


def test_nothing_found_gives_empty_metadata() -> None:
    meta = detect_metadata(lines=["Just a line."])
    assert meta.doc_id is None and meta.title is None and meta.extra == {}
