"""Build the sample PDF quality monitoring procedure for the bundled site corpus.

Writes corpus/site/quality-monitoring-procedure.pdf (SITE-QA-009, quality monitoring and QA
sample size determination for both programs). The text lives here so the document can be
regenerated; every figure must match docs/sample-site.md.

Layout, as a site's own PDF would have it: page 1 opens with the title and a block of
``Key: value`` document-control lines; numbered headings (``1. Purpose``, ``4.1 Harbor Bank``)
are bold paragraphs on their own lines, each with a PDF outline bookmark whose title equals the
heading line; major parts start on a new page; a small footer carries the document id and page.

Only characters of the standard Helvetica encoding (WinAnsi) are used, so the script needs no
font files and the text extracts cleanly with pypdf.

Run from the repository root:

    python scripts/corpus/make_pdf.py [--out PATH]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "corpus" / "site" / "quality-monitoring-procedure.pdf"

DOC_ID = "SITE-QA-009"
VERSION = "3.1"
TITLE = "Quality Monitoring Procedure"

METADATA = [
    ("Document ID", DOC_ID),
    ("Title", TITLE),
    ("Version", VERSION),
    ("Owner", "Daniel Okafor (Quality Manager)"),
    ("Effective date", "2026-01-01"),
    (
        "Approved by client",
        "Yes — Laura Chen (Harbor Bank), 2025-12-10; Raj Patel (Lumen Telecom), 2025-12-12",
    ),
    ("Approved by", "Priya Raman (Site Director)"),
    ("Program", "Site-wide"),
    ("Document type", "Procedure"),
    ("Next review", "2026-11-30"),
]

# Body: (kind, text). kind is "h" (numbered heading), "p" (paragraph), "f" (formula line),
# "step" (lettered step or list line) or "break" (page break).
BODY: list[tuple[str, str]] = [
    ("h", "1. Purpose"),
    (
        "p",
        "This procedure describes how the Riverton site of Northbay Customer Care Ltd. monitors "
        "the quality of customer contacts: how many contacts are evaluated each month and why, "
        "how they are chosen, and how results are fed back and reported as transaction "
        "accuracy.",
    ),
    ("h", "2. Scope"),
    (
        "p",
        "All agents handling live contacts: the 70 agents on Harbor Bank (inbound voice only) and "
        "the 50 agents on Lumen Telecom (chat and email only), plus QA analysts and team leads. "
        "The scorecards are SITE-QA-010 (Harbor Bank) and SITE-QA-011 (Lumen Telecom); "
        "calibration is covered by SITE-QA-012.",
    ),
    ("h", "3. Definitions"),
    (
        "p",
        "Evaluation: one contact (a call, a chat or an email thread) scored in full against the "
        "program scorecard by a QA analyst.",
    ),
    (
        "p",
        "Transaction accuracy: the percentage of evaluated contacts with no error of a given "
        "class. Targets for both programs: customer-critical 97%, business-critical 95%, "
        "compliance-critical 99.5%.",
    ),
    (
        "p",
        "Error classes: customer-critical, business-critical and compliance-critical, defined "
        "with examples in each program scorecard. Older scorecards called customer- and "
        "compliance-critical errors fatal and the rest non-fatal.",
    ),
    (
        "p",
        "New agent: an agent in the first 30 days on live contacts, counted from the first day of "
        "nesting.",
    ),
    ("p", "Random sample: contacts drawn by the sampling tool, never chosen by a person."),
    ("break", ""),
    ("h", "4. Sample size determination"),
    (
        "p",
        "The monthly sample for each program makes the measured accuracy statistically reliable "
        "at program level. The site uses the sample size formula for a proportion:",
    ),
    ("f", "n = z² × p × (1 - p) / e²"),
    (
        "p",
        "where z is the value of the normal distribution for the chosen confidence level (1.96 "
        "for 95% confidence), p is the expected accuracy rate and e is the acceptable margin of "
        "error. The result is always rounded up to the next whole evaluation.",
    ),
    (
        "p",
        "The expected accuracy p is the previous year's result for the program. Monthly contact "
        "volumes are large compared with the sample, so no finite population correction is "
        "applied; leaving it out makes the sample slightly larger, never smaller.",
    ),
    ("h", "4.1 Harbor Bank"),
    (
        "p",
        "Harbor Bank requires 95% confidence and a margin of error of ±2.5%. The tighter margin "
        "reflects the regulatory exposure of a card-issuing bank. The expected accuracy is 90%, "
        "based on the program's 2025 results.",
    ),
    ("f", "n = 1.96² × 0.90 × 0.10 / 0.025² = 3.8416 × 0.09 / 0.000625 = 553.2"),
    (
        "p",
        "The result, 553.2, is rounded up to 554 evaluations a month. With 70 agents, 554 / 70 = "
        "7.9 evaluations per agent, which is rounded up to 8 evaluations per agent per month. The "
        "planned sample is therefore 560 evaluations a month, above the 554 minimum.",
    ),
    ("h", "4.2 Lumen Telecom"),
    (
        "p",
        "Lumen Telecom requires 95% confidence and a margin of error of ±3%. The expected "
        "accuracy is 88%, based on the program's 2025 results.",
    ),
    ("f", "n = 1.96² × 0.88 × 0.12 / 0.03² = 3.8416 × 0.1056 / 0.0009 = 450.8"),
    (
        "p",
        "The result, 450.8, is rounded up to 451 evaluations a month. With 50 agents, 451 / 50 = "
        "9.02 evaluations per agent, which is rounded up to 10 evaluations per agent per month, a "
        "planned sample of 500 evaluations a month.",
    ),
    ("h", "4.3 When the sample size is recalculated"),
    (
        "p",
        "The Quality Manager recalculates the sample size at the annual review of this procedure, "
        "when a client changes its confidence or margin requirement, when program accuracy moves "
        "more than 3 points from the expected accuracy, and when headcount changes by more than "
        "10%. Each calculation is kept in the QA sample size workbook.",
    ),
    ("h", "5. Evaluations per agent"),
    (
        "p",
        "Every agent on live contacts receives 8 evaluations a calendar month on Harbor Bank and "
        "10 on Lumen Telecom. If absences leave a program below its minimum (554 or 451), the "
        "Quality Manager redistributes the shortfall across the other agents.",
    ),
    ("h", "5.1 Double sample for new agents"),
    (
        "p",
        "A new agent in the first 30 days on live contacts receives a double sample: 16 "
        "evaluations in the 30 days on Harbor Bank and 20 on Lumen Telecom. The 30 days include "
        "the 10 days of nesting after classroom training. The double sample confirms that the "
        "proficiency verified before live contacts (SITE-TRN-013) holds with real customers. The "
        "extra evaluations are random like the rest and count towards program accuracy.",
    ),
    ("h", "6. Selecting contacts for evaluation"),
    (
        "p",
        "Contacts are selected at random by the sampling function of the call recording platform "
        "(Harbor Bank) or the chat and email platform (Lumen Telecom); QA analysts do not pick "
        "contacts. Each Monday it draws each agent's contacts from the previous week's eligible "
        "contacts, following the rules below.",
    ),
    ("h", "6.1 Spread across days and intervals"),
    (
        "p",
        "An agent's evaluations are spread over the whole month: 2 a week for Harbor Bank and 2 or "
        "3 a week for Lumen Telecom, with no more than one evaluation per agent from the same day. "
        "The sampling function stratifies by time of day so that all three intervals of the "
        "site's opening hours are represented: morning (07:00 to 12:00), afternoon (12:00 to "
        "17:00) and evening (17:00 to 23:00), in proportion to the hours each agent works in them. "
        "Weekend contacts are included for agents who work weekends.",
    ),
    ("h", "6.2 Spread across contact types"),
    (
        "p",
        "For Harbor Bank, calls are drawn across call reasons (balance and payment, transaction "
        "disputes, lost or stolen cards, fees and interest, card closure requests) in proportion "
        "to each agent's mix. For Lumen Telecom, at least 3 of an agent's 10 monthly evaluations "
        "are email threads when the agent handles email; the rest are chats. Short contacts are "
        "not excluded for being short: a 40-second call can contain a compliance-critical error.",
    ),
    ("h", "6.3 Exclusions and targeted evaluations"),
    (
        "p",
        "Only contacts without customer interaction are excluded: calls disconnected before the "
        "greeting, chats abandoned before the agent's first message, and spam emails. A team lead "
        "may request a targeted evaluation of a specific contact, for example after a complaint; "
        "targeted evaluations are not part of the random sample or the accuracy figures.",
    ),
    ("h", "7. Conducting and recording an evaluation"),
    (
        "step",
        "a) The QA analyst listens to the whole call, or reads the whole chat or email thread.",
    ),
    (
        "step",
        "b) The analyst scores each scorecard item and classifies every error as customer-, "
        "business- or compliance-critical, recording the time stamp or message as evidence.",
    ),
    (
        "step",
        "c) The evaluation is saved in the QA system within 2 business days of the contact "
        "being drawn.",
    ),
    (
        "step",
        "d) A compliance-critical error is reported the same day to the agent's team lead and "
        "the Quality Manager; a disclosure of card or personal data is also reported to the "
        "Information Security Officer under SITE-SEC-014.",
    ),
    ("h", "8. Feedback and coaching"),
    (
        "p",
        "The team lead reviews every evaluation with the agent within 3 business days and records "
        "the coaching action. An agent may dispute an evaluation within 5 business days; the "
        "Quality Manager decides the dispute.",
    ),
    ("h", "9. Roles and responsibilities"),
    (
        "p",
        "Quality Manager (Daniel Okafor): owns this procedure, calculates the sample sizes, "
        "decides disputes and reports accuracy. QA analysts: complete the evaluations and take "
        "part in calibration (SITE-QA-012). Team leads: give feedback and coaching. Operations "
        "Managers (Marcus Webb, Harbor Bank; Elena Sousa, Lumen Telecom): own action plans when "
        "accuracy misses target. Training Manager (Tomás Rivera): plans refresher training from "
        "error trends.",
    ),
    ("h", "10. Reporting accuracy"),
    (
        "p",
        "Accuracy is reported daily to team leads, weekly at the operations review and monthly in "
        "the business review with each client, by program, team and agent, separately for the "
        "three error classes. A monthly miss of an accuracy target triggers a root-cause "
        "analysis within 5 business days, and three consecutive monthly points below target "
        "trigger a Performance Improvement Plan, both under SITE-PRO-007.",
    ),
    ("h", "11. Records kept"),
    (
        "p",
        "QA evaluations, coaching records and dispute decisions are kept for 24 months in the QA "
        "system. Call recordings and chat transcripts are kept for 13 months. The QA sample size "
        "workbook and the monthly sample completion reports are kept for 36 months. Retention "
        "follows SITE-DOC-017.",
    ),
    ("h", "12. Related documents"),
    (
        "p",
        "SITE-QA-010 Harbor Bank QA scorecard; SITE-QA-011 Lumen Telecom QA scorecard; "
        "SITE-QA-012 Calibration procedure; SITE-TRN-013 Training and proficiency verification; "
        "SITE-SEC-014 Information security; SITE-DOC-017 Document control and evidence retention; "
        "SITE-PRO-007 KPI review and action plans.",
    ),
]


class HeadingParagraph(Paragraph):  # type: ignore[misc]  # reportlab ships no type hints
    """A heading paragraph that also adds a PDF outline entry titled with its text."""

    def __init__(self, text: str, style: ParagraphStyle, *, key: str, level: int) -> None:
        super().__init__(escape(text), style)
        self.outline_title = text
        self.key = key
        self.level = level

    def draw(self) -> None:
        self.canv.bookmarkHorizontal(self.key, 0, self.height)
        self.canv.addOutlineEntry(self.outline_title, self.key, level=self.level, closed=False)
        super().draw()


def heading_level(text: str) -> int:
    """``4. Sample size`` is level 0, ``4.1 Harbor Bank`` level 1."""
    number = text.split(" ", 1)[0].rstrip(".")
    return number.count(".")


def build_story() -> list[Flowable]:
    styles = getSampleStyleSheet()
    title = ParagraphStyle(
        "DocTitle",
        parent=styles["Title"],
        fontName="Helvetica-Bold",
        fontSize=18,
        leading=22,
        alignment=TA_LEFT,
        spaceAfter=10,
    )
    meta = ParagraphStyle(
        "Meta", parent=styles["Normal"], fontName="Helvetica", fontSize=9.5, leading=13
    )
    heading = ParagraphStyle(
        "NumHeading",
        parent=styles["Normal"],
        fontName="Helvetica-Bold",
        fontSize=12,
        leading=15,
        spaceBefore=10,
        spaceAfter=4,
    )
    subheading = ParagraphStyle(
        "NumSubHeading", parent=heading, fontSize=11, leading=14, spaceBefore=8
    )
    body = ParagraphStyle(
        "Body", parent=styles["Normal"], fontName="Helvetica", fontSize=10, leading=14, spaceAfter=6
    )
    formula = ParagraphStyle(
        "Formula", parent=body, fontName="Courier", leftIndent=12 * mm, spaceBefore=2, spaceAfter=8
    )
    step = ParagraphStyle("Step", parent=body, leftIndent=8 * mm, spaceAfter=3)

    story: list[Flowable] = [Paragraph(escape(TITLE), title)]
    for key, value in METADATA:
        story.append(Paragraph(escape(f"{key}: {value}"), meta))
    story.append(Spacer(1, 8 * mm))

    for n, (kind, text) in enumerate(BODY):
        if kind == "break":
            story.append(PageBreak())
        elif kind == "h":
            level = heading_level(text)
            style = heading if level == 0 else subheading
            story.append(CondPageBreak(45 * mm))  # never leave a heading alone at a page foot
            story.append(HeadingParagraph(text, style, key=f"h{n}", level=level))
        elif kind == "p":
            story.append(Paragraph(escape(text), body))
        elif kind == "f":
            story.append(Paragraph(escape(text), formula))
        elif kind == "step":
            story.append(Paragraph(escape(text), step))
        else:  # pragma: no cover - guards typos in BODY
            raise ValueError(f"unknown block kind {kind!r}")
    return story


def draw_footer(canvas: Canvas, doc: BaseDocTemplate) -> None:
    # Drawn at the end of each page so that extracted text reads content first, footer last.
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.drawString(
        20 * mm,
        10 * mm,
        f"Northbay Customer Care Ltd. | {DOC_ID} v{VERSION} | Uncontrolled when printed",
    )
    canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, f"Page {doc.page}")
    canvas.restoreState()


def build(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    # allowSplitting=0 keeps every paragraph whole on one page, so no sentence is cut by a footer.
    doc = BaseDocTemplate(
        str(out),
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=TITLE,
        author="Daniel Okafor (Quality Manager)",
        subject=f"{DOC_ID} version {VERSION}",
        creator="Northbay Customer Care Ltd.",
        allowSplitting=0,
        invariant=True,  # fixed dates and ids: rebuilding gives a byte-identical file
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPageEnd=draw_footer)])
    doc.build(build_story())
    return out


def word_count() -> int:
    texts = [TITLE] + [f"{k}: {v}" for k, v in METADATA] + [t for _, t in BODY]
    return sum(len(re.findall(r"\S+", t)) for t in texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the PDF")
    args = parser.parse_args()
    path = build(args.out)
    print(f"wrote {path} ({word_count()} words)")


if __name__ == "__main__":
    main()
