"""A small hand-made site (five documents) turned into an index catalog without a store.

The catalog is built exactly as ingest builds it (``load_document`` → ``chunk_document`` →
chunk metadata + text), so generators see what they would see on a real index.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.chunking import ChunkingParams, chunk_document
from assistant.loaders import load_document
from assistant.questions.areas import AreaMapper
from assistant.questions.corpus import Corpus
from assistant.questions.generators import GenContext

Catalog = dict[str, dict[str, Any]]

MEMO = """# Harbor Bank speed targets

| Field | Value |
|---|---|
| Document ID | HB-TGT-1 |
| Version | 2.0 |
| Owner | Marcus Webb (Operations Manager) |
| Approved by client | Yes — Laura Chen (Harbor Bank), 2025-12-10 |
| Approved by | Priya Raman (Site Director) |
| Program | Harbor Bank |
| Document type | Target memo |

## Service level target

The service level target is 80% of calls answered within 20 seconds.
Calls abandoned within the first 5 seconds are treated as short abandons.

## Average speed of answer

The ASA target is 18 seconds or less per month.
The ASA target is derived from the Erlang C model rather than taken from the contract.

## Handle time

The AHT target is 345 seconds per call, about 7% below the baseline.
The ACW target is 45 seconds or less per call.
The baseline median AHT was 372 seconds in the first half of 2025.

## Ownership, approval and review

Internal approval: Priya Raman, Site Director.
Client approval: Laura Chen, Harbor Bank Vendor Manager, approved the targets on 2025-12-10.
"""

SCORECARD = """# Lumen Telecom QA scorecard

| Field | Value |
|---|---|
| Document ID | LT-QA-1 |
| Version | 1.0 |
| Owner | Daniel Okafor (Quality Manager) |
| Approved by client | Yes — Raj Patel (Lumen Telecom), 2025-12-12 |
| Approved by | Priya Raman (Site Director) |
| Program | Lumen Telecom |
| Document type | Scorecard |

## Monitoring grid

Items are marked Met, Not met or Not applicable; the weights total 100 points.

| # | Item | What the analyst checks | Weight | Error class when not met |
|---|---|---|---|---|
| 1 | Customer verification | Account number plus one-time PIN first | 10 | Compliance-critical |
| 2 | Retention offer | A customer who cancels hears the retention offer | 5 | Business-critical |
| 3 | Correct solution | Settings, steps and timescales are correct | 15 | Customer-critical |
| 4 | Case notes | Notes let the next agent continue the case quickly | 5 | Non-critical |

## Customer-critical errors

Examples: giving wrong APN settings; closing a chat without fixing the fault or booking the
next step.

Reason: the customer's service still does not work, so they contact Lumen again.

## Business-critical errors

Examples: a wrong disposition code; an engineer visit booked for a fault that remote checks
would have fixed.

Reason: each costs the client money, but the mistake can be corrected afterwards.

## Compliance-critical errors

Examples: failed identity verification in chat; an unauthorised SIM swap for an unverified person.

Reason: a single occurrence can breach data protection law and cannot be undone.
"""

PROCEDURE = """# KPI review procedure

| Field | Value |
|---|---|
| Document ID | SITE-PRO-1 |
| Version | 1.1 |
| Owner | Hannah Moore (Continuous Improvement Lead) |
| Approved by client | Yes — Laura Chen (Harbor Bank); Raj Patel (Lumen Telecom) |
| Approved by | Priya Raman (Site Director) |
| Program | Site-wide |
| Document type | Procedure |

## Root-cause analysis after a miss

Any monthly miss of a target triggers a root-cause analysis within 5 business days of the results.

## Steps of the root-cause analysis

1. The KPI owner opens an entry in the action log.
2. The owner gathers the interval data for the month.
3. The owner runs a structured analysis with a fishbone diagram.
4. Actions are agreed with owners and due dates.

## Who approves a PIP

The PIP is approved by the Site Director, Priya Raman, and shared with the client within
10 business days.
The Quality Manager keeps the calibration log for every session of the month.

## Escalation times

During a live call the team lead must join the contact within 10 minutes of the request.
Regulatory complaints are reported to the bank within 24 hours of receipt.
"""

POLICY = """Information security on the floor
Document ID: SITE-SEC-1
Version: 1.0
Owner: Kevin Park (Information Security Officer)
Approved by client: Not applicable (site policy)
Approved by: Priya Raman (Site Director)
Program: Site-wide
Document type: Policy

1. Passwords

Passwords are at least 12 characters and are changed every 90 days by every user.
Access reviews are signed by the Operations Manager of each program every quarter.

2. Incidents

The team lead reports every security incident to the Information Security Officer within 1 hour.
Security awareness training is completed on hire and then every 12 months by every person.
"""

NOTE = """---
title: Calibration
doc_id: COPC-CAL
area: calibration
doc_type: criteria-note
version: "1.0"
program: site-wide
---

# Calibration

Calibration is the discipline that keeps different evaluators scoring the same transaction
the same way.

## What assessors look for

Assessors look for a measurable calibration result and ask how disagreement is resolved.
They expect the monitoring grid to be clarified when definitions cause disagreement.
"""

SITE: dict[str, str] = {
    "memo.md": MEMO,
    "scorecard.md": SCORECARD,
    "procedure.md": PROCEDURE,
    "policy.txt": POLICY,
    "note.md": NOTE,
}

BuildCatalog = Callable[[dict[str, str]], Catalog]


@pytest.fixture
def build_catalog(tmp_path: Path) -> BuildCatalog:
    """Write ``{file name: text}`` to a folder and return the catalog ingest would build."""

    def build(files: dict[str, str]) -> Catalog:
        folder = tmp_path / "site"
        folder.mkdir(exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        catalog: Catalog = {}
        for name, text in files.items():
            path = folder / name
            path.write_text(text, encoding="utf-8")
            doc = load_document(path)
            for chunk in chunk_document(doc, ChunkingParams(), file_key=str(path)):
                catalog[chunk.chunk_id] = {
                    **chunk.metadata(),
                    "file_key": str(path),
                    "text": chunk.text,
                }
        return catalog

    return build


@pytest.fixture
def site_catalog(build_catalog: BuildCatalog) -> Catalog:
    """The catalog of the five-document test site."""
    return build_catalog(SITE)


@pytest.fixture
def ctx(site_catalog: Catalog) -> GenContext:
    """A generation context over the test site, areas by keywords (no embedder)."""
    corpus = Corpus.from_catalog(site_catalog)
    return GenContext.build(corpus, AreaMapper(corpus))
