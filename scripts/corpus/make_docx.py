"""Build the sample DOCX target memo for the bundled site corpus.

Writes corpus/site/lt-digital-response-targets.docx (SITE-TGT-003, Lumen Telecom chat service
level, email response time and chat AHT targets). The text lives here so the document can be
regenerated; every figure must match docs/sample-site.md.

Run from the repository root:

    python scripts/corpus/make_docx.py [--out PATH]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from docx import Document
from docx.shared import Pt

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "corpus" / "site" / "lt-digital-response-targets.docx"

TITLE = "Lumen Telecom chat service level, email response time and chat AHT targets"

METADATA = [
    ("Document ID", "SITE-TGT-003"),
    ("Title", TITLE),
    ("Version", "1.3"),
    ("Owner", "Elena Sousa (Operations Manager, Lumen Telecom)"),
    ("Effective date", "2026-01-01"),
    ("Approved by client", "Yes — Raj Patel (Lumen Telecom Partner Manager), 2025-12-12"),
    ("Approved by", "Priya Raman (Site Director)"),
    ("Program", "Lumen Telecom"),
    ("Document type", "Target memo"),
    ("Next review", "2026-11-30"),
]

# Body: ("h1" | "h2" | "p" | "bullet", text)
BODY: list[tuple[str, str]] = [
    ("h1", "Purpose and scope"),
    (
        "p",
        "This memo sets the 2026 responsiveness and handle-time targets for the Lumen Telecom "
        "program at the Riverton site of Northbay Customer Care Ltd. The program provides mobile "
        "and broadband technical support to Lumen Telecom customers through chat and email, "
        "with 50 agents. The memo explains each target, how it is measured, the baseline, how the "
        "figure was reached and who approved it.",
    ),
    (
        "p",
        "The targets apply to all chats and emails routed to the Lumen Telecom queues during the "
        "site's opening hours, 07:00 to 23:00, 7 days a week. Email response time is measured in "
        "elapsed hours, including the hours when the site is closed.",
    ),
    ("h1", "Summary of Lumen Telecom digital targets"),
    ("bullet", "Chat service level: 85% of chats accepted within 45 seconds."),
    (
        "bullet",
        "Email response time: 90% of emails answered within 12 hours, 100% within 24 hours.",
    ),
    ("bullet", "Chat AHT: 620 seconds per chat at a concurrency of 2 chats per agent."),
    (
        "p",
        "All three targets are effective 2026-01-01 and are reported daily to team leads and "
        "monthly to the client at the monthly business review.",
    ),
    ("h1", "Chat service level"),
    ("h2", "How chat service level is measured"),
    (
        "p",
        "A chat is accepted when an agent takes it from the queue and the customer sees the "
        "agent's first greeting. The wait is counted from the moment the customer submits the "
        "pre-chat form to the moment of acceptance. Chat service level for a period is the number "
        "of chats accepted within 45 seconds divided by the number of chats offered, less chats "
        "the customer closed within 10 seconds of submitting the form, multiplied by 100.",
    ),
    (
        "p",
        "Data source: the chat platform's queue report, extracted per half-hour interval by the "
        "WFM analyst. Daily and monthly figures are built from summed counts, not averaged "
        "percentages.",
    ),
    ("h2", "Why chats must be accepted within 45 seconds"),
    (
        "p",
        "The target comes from the Statement of Work LT-SOW-2025-02, Appendix B (KPIs), signed "
        "2025-01-20, which sets the chat service level at 85% of chats accepted within 45 seconds.",
    ),
    (
        "p",
        "The threshold is supported by customer evidence. Lumen Telecom's own 2025 survey of chat "
        "users found that chat abandonment rises sharply after 60 s of waiting: customers who had "
        "waited more than a minute were far more likely to close the window and come back "
        "later through another contact route, often more annoyed. A 45-second threshold keeps most customers well inside "
        "the point where they give up, and the 85% level allows for the short bursts of demand "
        "that follow network incidents.",
    ),
    ("h1", "Email response time"),
    ("h2", "Measuring email response time"),
    (
        "p",
        "Response time runs from the time stamp at which the email arrives in the Lumen Telecom "
        "mailbox to the time the first agent reply is sent. Automatic acknowledgements do not "
        "count as a reply. An email that needs information from the customer counts as answered "
        "when the agent's reply asking for that information is sent.",
    ),
    ("bullet", "Measure 1: share of emails answered within 12 hours; target 90%."),
    ("bullet", "Measure 2: share of emails answered within 24 hours; target 100%."),
    (
        "p",
        "Because the site is closed from 23:00 to 07:00, the first shift starts by clearing "
        "emails received overnight, oldest first. The WFM team schedules two agents on email "
        "only from 07:00 to 09:00 for this purpose.",
    ),
    ("h2", "Basis for the 12-hour and 24-hour limits"),
    (
        "p",
        "Both email limits are taken directly from SOW Appendix B. The site did not set a "
        "stricter internal target: the 2025 results showed the 24-hour limit is at risk only "
        "on Mondays after weekend backlogs, and the staffing fix for those days is already in "
        "the schedule.",
    ),
    ("h1", "Chat handle time"),
    ("h2", "Chat AHT definition and calculation"),
    (
        "p",
        "Chat AHT is the time from acceptance of a chat to the end of its wrap-up, averaged over "
        "all chats handled in the period. Because an agent handles up to two chats at once, "
        "chat AHT is elapsed time per chat, not agent time per chat: at a concurrency of 2, "
        "one agent-hour covers roughly twice as many chats as the AHT alone suggests.",
    ),
    (
        "p",
        "Baseline: the program's chat AHT in Q2 2025 was 660 seconds. The target is 6% below "
        "that baseline: 660 × 0.94 = 620.4, rounded to 620 seconds.",
    ),
    ("h2", "Concurrency assumption"),
    (
        "p",
        "The 620-second target assumes a concurrency of 2 chats per agent. The site tested three "
        "concurrent chats in a pilot in 2025 and stopped it: handle time per chat rose and quality "
        "scores on troubleshooting steps fell. If the client asks for a different concurrency, "
        "the AHT target must be recalculated and re-approved under SITE-PRO-008.",
    ),
    ("h2", "Why a 6% reduction"),
    (
        "p",
        "The reduction is based on the new guided-troubleshooting flows for broadband faults, "
        "which shortened the Q3 2025 pilot chats by about 45 seconds. Only part of that saving "
        "was built into the target so that agents are not rushed through diagnostics, which would "
        "increase re-contacts and harm the first contact resolution target.",
    ),
    ("h1", "Baseline performance in 2025"),
    ("bullet", "Chat service level, full year 2025: 83.1% of chats accepted within 45 seconds."),
    ("bullet", "Email: 88.4% answered within 12 hours; 99.2% within 24 hours."),
    (
        "bullet",
        "Chat AHT: 660 seconds in Q2 2025; 641 seconds in Q4 2025 after the troubleshooting "
        "flows went live.",
    ),
    ("h1", "Approval, ownership and review"),
    ("bullet", "Owner: Elena Sousa, Operations Manager Lumen Telecom."),
    ("bullet", "Staffing and data: Grace Lin, WFM Manager."),
    ("bullet", "Internal approval: Priya Raman, Site Director."),
    ("bullet", "Client approval: Raj Patel, Lumen Telecom Partner Manager, on 2025-12-12."),
    (
        "bullet",
        "Review: annually in November (next review 2026-11-30), or earlier if the SOW, the "
        "channel mix or the concurrency changes.",
    ),
    (
        "p",
        "Misses are handled under SITE-PRO-007: root-cause analysis within 5 business days of any "
        "monthly miss, and a Performance Improvement Plan after three consecutive monthly points "
        "below target.",
    ),
    ("h1", "Related documents"),
    ("bullet", "SITE-TGT-004 FCR and CSAT targets for both programs"),
    ("bullet", "SITE-TGT-006 WFM targets: forecast accuracy and schedule adherence"),
    ("bullet", "SITE-PRO-007 KPI review and action plans"),
    ("bullet", "SITE-PRO-008 Target-setting procedure"),
]


def build(out: Path) -> Path:
    doc = Document()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(11)
    doc.core_properties.title = TITLE
    doc.core_properties.author = "Elena Sousa"
    doc.core_properties.subject = "SITE-TGT-003"

    doc.add_paragraph(TITLE, style="Title")

    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for field, value in METADATA:
        cells = table.add_row().cells
        cells[0].text = field
        cells[1].text = value

    styles = {"h1": "Heading 1", "h2": "Heading 2", "p": None, "bullet": "List Bullet"}
    for kind, text in BODY:
        style = styles[kind]
        if style is None:
            doc.add_paragraph(text)
        else:
            doc.add_paragraph(text, style=style)

    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output .docx path")
    args = parser.parse_args()
    print(build(args.out))


if __name__ == "__main__":
    main()
