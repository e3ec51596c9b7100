"""Block Kit rendering: every message, view and modal the bot sends, as plain dicts.

Pure functions of library values (answers, quiz items, grades, stats), so they are tested
as golden output without Slack. Slack's limits are enforced here: section text at most
3,000 characters, 50 blocks per message, button labels 75 and values 2,000 characters.

This is the one place text reaches Slack, so it is where text is escaped: everything a
person typed (questions, quiz and interview answers) and everything quoted from documents
passes through :func:`escape` before it goes into mrkdwn or a message's fallback ``text``,
so ``<!channel>``, ``<@U…>``, ``<#C…>`` and ``<http://x|y>`` typed by someone are shown
as typed and never notify, mention or link. Only the bot's own markup (``<@user>`` of
the person acting) is left unescaped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.answers import Answer, Citation
from assistant.questions.model import SINGLE_CHOICE, Question, QuestionSource
from assistant.scheduling import AreaMastery
from bots.ports import FreeTextGradeView, InterviewStepView, PersonStatsView, QuizResultView

Block = dict[str, Any]

SECTION_LIMIT = 3000
BLOCKS_PER_MESSAGE = 50
BUTTON_TEXT_LIMIT = 75
VALUE_LIMIT = 2000
FALLBACK_LIMIT = 3000
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# action ids: one per kind of button; the listeners match on these.
QUIZ_CHOICE = "quiz_choice"
QUIZ_CHOICE_PATTERN = re.compile(rf"^{QUIZ_CHOICE}_\d+$")
START_PRACTICE = "start_practice"
SHARE_ANSWER = "share_answer"
FEEDBACK_UP = "feedback_up"
FEEDBACK_DOWN = "feedback_down"
FEEDBACK_MODAL = "feedback_reason"
FEEDBACK_REASON_BLOCK = "reason"
FEEDBACK_REASON_INPUT = "reason_input"


@dataclass(frozen=True)
class Message:
    """One Slack message: fallback ``text`` (notifications, screen readers) and blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``chat.postMessage``/``chat.update``/``respond``."""
        return {"text": self.text, "blocks": self.blocks}


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters.

    Slack's formatting rules: ``&`` → ``&amp;``, ``<`` → ``&lt;``, ``>`` → ``&gt;``; without
    ``<`` no mention, channel ping or link can be formed.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` characters.

    Cuts at paragraph breaks first, then line breaks, then sentence ends, then spaces, so
    an ``[n]`` marker stays with its sentence; only an unbroken run is cut mid-word.
    """
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for pattern in ("\n\n", "\n", ". ", " "):
            cut = window.rfind(pattern)
            if cut > 0:
                cut += len(pattern) if pattern == ". " else 0
                break
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def section(text: str) -> Block:
    """A mrkdwn section (``text`` must already be escaped and within the limit)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}}


def sections(text: str) -> list[Block]:
    """As many sections as ``text`` needs."""
    return [section(piece) for piece in split_text(text)]


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, 2000)}]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, 150)}}


def button(
    label: str, action_id: str, value: str = "", *, style: str | None = None
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": clip(label, BUTTON_TEXT_LIMIT), "emoji": True},
        "action_id": action_id,
        "value": value[:VALUE_LIMIT],
    }
    if style:
        element["style"] = style
    return element


def paginate(text: str, blocks: Sequence[Block]) -> list[Message]:
    """Messages of at most 50 blocks; the fallback text (escaped here) goes with the first."""
    chunks = [list(blocks[i : i + BLOCKS_PER_MESSAGE]) for i in range(0, len(blocks), 50)]
    fallback = clip(escape(text), FALLBACK_LIMIT)
    return [Message(fallback if n == 0 else "(continued)", c) for n, c in enumerate(chunks)] or [
        Message(fallback)
    ]


# -- evidence answers ---------------------------------------------------------------------


def answer_ref_value(ref: str, question: str) -> str:
    """The value of share/feedback buttons: the cached answer's key and the question.

    The question travels with the button so any replica can answer it again when the
    answer is no longer cached (values are limited to 2,000 characters).
    """
    text = question[:1500]
    value = json.dumps({"r": ref, "q": text}, ensure_ascii=False)
    while len(value) > VALUE_LIMIT:
        text = text[: len(text) - (len(value) - VALUE_LIMIT) - 1]
        value = json.dumps({"r": ref, "q": text}, ensure_ascii=False)
    return value


def parse_answer_ref(value: str) -> tuple[str, str]:
    """``(ref, question)`` from a share/feedback button value."""
    data = json.loads(value)
    return str(data.get("r", "")), str(data.get("q", ""))


def citation_line(c: Citation) -> str:
    """``[n] doc id — section path · version · client-approved``, then the quote."""
    where = " > ".join(c.section_path) or c.section
    parts = [f"*[{c.n}]* *{escape(c.doc_id)}* — {escape(where)}"]
    if c.page:
        parts.append(f"page {c.page}")
    parts.append(f"version {escape(c.version)}" if c.version else "version not stated")
    approved = c.client_approved or "not stated"
    parts.append(f"client-approved: {escape(approved)}")
    quote = clip(" ".join(c.quote.split()), 1500)
    return " · ".join(parts) + f"\n> {escape(quote)}"


def answer_messages(
    answer: Answer,
    *,
    ref: str,
    shareable: bool,
    shared_by: str | None = None,
) -> list[Message]:
    """An evidence answer with inline ``[n]`` markers, a Sources list and buttons.

    Private answers (``shareable``) get a "Share in channel" button; every answer gets
    thumbs up/down. An abstention says plainly that there is no evidence, and lists the
    closest documents as "not evidence".
    """
    blocks: list[Block] = []
    if shared_by:
        blocks.append(context(f"Shared by <@{shared_by}> · question: {escape(answer.question)}"))
    blocks += sections(escape(answer.text))
    if answer.abstained:
        if answer.closest:
            near = [
                f"• {escape(h.doc_id)} — {escape(' > '.join(h.section_path) or h.section)}"
                for h in answer.closest[:5]
            ]
            blocks.append(context("Closest documents (not evidence):\n" + "\n".join(near)))
    else:
        blocks.append({"type": "divider"})
        blocks.append(section("*Sources*"))
        blocks += [section(citation_line(c)) for c in answer.citations]
    blocks += [context(f"Note: {escape(note)}") for note in answer.notes]
    value = answer_ref_value(ref, answer.question)
    actions = [button("Share in channel", SHARE_ANSWER, value)] if shareable else []
    actions += [
        button("👍 Helpful", FEEDBACK_UP, value),
        button("👎 Not helpful", FEEDBACK_DOWN, value),
    ]
    blocks.append({"type": "actions", "block_id": f"answer:{ref}", "elements": actions})
    messages = paginate(answer.text, blocks[:-1])
    last = messages[-1]
    if len(last.blocks) >= BLOCKS_PER_MESSAGE:
        return [*messages, Message("Was this helpful?", [blocks[-1]])]
    return [*messages[:-1], Message(last.text, [*last.blocks, blocks[-1]])]


def feedback_modal(private_metadata: str) -> dict[str, Any]:
    """The modal asking (optionally) why an answer was not helpful."""
    return {
        "type": "modal",
        "callback_id": FEEDBACK_MODAL,
        "notify_on_close": True,
        "private_metadata": private_metadata[:3000],
        "title": {"type": "plain_text", "text": "Not helpful"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Skip"},
        "blocks": [
            {
                "type": "input",
                "block_id": FEEDBACK_REASON_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "What was wrong? (optional)"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": FEEDBACK_REASON_INPUT,
                    "multiline": True,
                    "max_length": 2000,
                },
            }
        ],
    }


# -- quiz --------------------------------------------------------------------------------


def area_name(area: str) -> str:
    """``quality_management`` -> ``Quality management``."""
    words = area.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def source_line(c: QuestionSource) -> str:
    where = " > ".join(c.section_path) or c.section
    version = f" · version {escape(c.version)}" if c.version else ""
    return (
        f"Source: *{escape(c.doc_id)}* — {escape(where)}{version}\n> {escape(clip(c.quote, 1200))}"
    )


def is_typed(question: Question) -> bool:
    """Cloze and ordering questions are answered by typing; the others have buttons."""
    return question.type not in SINGLE_CHOICE


def _prompt_text(q: Question) -> str:
    lines = [f"*{escape(q.prompt)}*"]
    if q.choices and q.type != "true_false":
        lines += [f"{LETTERS[i]}. {escape(choice)}" for i, choice in enumerate(q.choices)]
    return "\n".join(lines)


def quiz_question_message(q: Question, *, position: str = "") -> Message:
    """A practice question: buttons for single-choice types, a typing hint for the others."""
    title = f"Practice · {area_name(q.area)}" + (f" · {position}" if position else "")
    blocks: list[Block] = [context(escape(title)), *sections(_prompt_text(q))]
    if is_typed(q):
        hint = (
            "Reply *in this thread* with the order, e.g. `C A B`."
            if q.type == "ordering"
            else "Reply *in this thread* with the missing words."
        )
        blocks.append(context(hint))
    else:
        buttons = [
            button(
                choice if q.type == "true_false" else f"{LETTERS[i]}. {choice}",
                f"{QUIZ_CHOICE}_{i}",
                f"{q.id}|{LETTERS[i]}",
            )
            for i, choice in enumerate(q.choices[:25])
        ]
        blocks.append({"type": "actions", "block_id": f"quiz:{q.id}"[:255], "elements": buttons})
    return Message(clip(f"Practice question: {escape(q.prompt)}", FALLBACK_LIMIT), blocks)


def quiz_result_message(result: QuizResultView, *, answered_by: str) -> Message:
    """The question again, with the choice, right or wrong, the explanation and the source.

    Has no buttons, so it cannot be answered twice.
    """
    q = result.question
    mark = {"correct": "✅ Correct", "partial": "🟡 Partly right"}.get(
        result.verdict, "❌ Not quite"
    )
    lines = [
        f"<@{answered_by}> answered: *{escape(clip(result.response, 500))}* — {mark}",
    ]
    if not result.correct:
        lines.append(f"Right answer: *{escape(result.correct_text)}*")
    lines.append(escape(result.explanation))
    blocks: list[Block] = [
        context(escape(f"Practice · {area_name(q.area)}")),
        *sections(_prompt_text(q)),
        *sections("\n".join(lines)),
        section(source_line(result.citation)),
    ]
    if not result.recorded:
        blocks.append(context("Already answered: your first answer is the one that counts."))
    return Message(clip(f"{mark}: {escape(q.prompt)}", FALLBACK_LIMIT), blocks)


def quiz_intro_message(count: int, *, area: str | None, daily: bool) -> Message:
    """The line before a batch of questions (or the note that nothing is due)."""
    if count == 0:
        where = f" in {area_name(area)}" if area else ""
        return Message(f"Nothing to practise{where} right now — you are up to date. 🎉")
    what = "Your daily practice" if daily else "Practice"
    where = f" · {area_name(area)}" if area else ""
    noun = "question" if count == 1 else "questions"
    return Message(f"{what}{where}: {count} {noun}. Answer each one below.")


# -- interview ---------------------------------------------------------------------------


def interview_question_message(step: InterviewStepView) -> Message:
    """The next open question of a mock assessor interview."""
    prompt = escape(step.prompt or "")
    text = f"*Question {step.index + 1} of {step.total}*\n{prompt}"
    blocks = [
        *sections(text),
        context("Reply in this thread with your answer, as you would to the assessor."),
    ]
    return Message(clip(f"Interview question {step.index + 1}: {prompt}", FALLBACK_LIMIT), blocks)


def interview_intro_message(total: int) -> Message:
    return Message(
        f"Mock assessor interview: {total} questions, each graded against your documents.",
        [
            section(
                f"*Mock assessor interview* · {total} questions\n"
                "Answer each question in this thread. Each answer is graded against the "
                "cited documents."
            )
        ],
    )


def grade_message(grade: FreeTextGradeView, *, finished: bool) -> Message:
    """An interview answer's score, covered and missing facts, model answer and follow-up."""
    lines = [f"*Score {grade.score:.0f}/100 — {escape(grade.verdict)}*"]
    if grade.matched_facts:
        lines.append("✅ Covered: " + "; ".join(escape(f) for f in grade.matched_facts))
    if grade.missing_facts:
        lines.append("❌ Missing: " + "; ".join(escape(f) for f in grade.missing_facts))
    lines.append(f"*Model answer:* {escape(grade.model_answer)}")
    blocks: list[Block] = sections("\n".join(lines))
    if grade.citations:
        blocks.append(section("*Sources*"))
        blocks += [section(citation_line(c)) for c in grade.citations]
    if grade.follow_up and not finished:
        blocks.append(section(f"*Assessor follow-up:* {escape(grade.follow_up)}"))
    if finished:
        blocks.append(context("Interview finished. `/copc interview` starts another."))
    return paginate(f"Score {grade.score:.0f}/100 — {grade.verdict}", blocks)[0]


# -- stats, home, help, report -----------------------------------------------------------


def _bar(value: float, width: int = 10) -> str:
    filled = max(0, min(width, round(value * width)))
    return "▓" * filled + "░" * (width - filled)


def mastery_lines(mastery: Mapping[str, AreaMastery]) -> list[str]:
    rows = sorted(mastery.values(), key=lambda m: (m.mastery, m.area))
    return [
        f"`{_bar(m.mastery)}` {m.mastery:.0%} · {escape(area_name(m.area))} ({m.cards} cards)"
        for m in rows
    ]


def stats_blocks(stats: PersonStatsView) -> list[Block]:
    """Your own readiness: due work, recent accuracy, predicted recall, mastery per area."""
    accuracy = "—" if stats.accuracy_7d is None else f"{stats.accuracy_7d:.0%}"
    lines = [
        f"*Due now:* {stats.due_now} · *New today:* {stats.new_today}",
        f"*Last 7 days:* {stats.attempts_7d} answers, accuracy {accuracy}",
    ]
    if stats.predicted_recall is not None:
        forecast = stats.predicted_recall
        lines.append(
            f"*Predicted recall on {forecast.at:%Y-%m-%d}:* {forecast.overall:.0%} "
            f"({forecast.cards} cards)"
        )
    blocks = [header("Your COPC readiness"), *sections("\n".join(lines))]
    mastery = mastery_lines(stats.mastery)
    if mastery:
        blocks += [section("*Mastery by area*"), *sections("\n".join(mastery))]
    else:
        blocks.append(context("No mastery yet: answer a few questions with `/copc quiz`."))
    return blocks


def home_view(stats: PersonStatsView, due: Iterable[Question]) -> dict[str, Any]:
    """App Home: a Start practice button, the questions due, mastery per area."""
    items = [f"• {escape(clip(q.prompt, 150))} _({escape(area_name(q.area))})_" for q in due]
    blocks: list[Block] = [
        header("COPC practice"),
        section(f"*{stats.due_now}* due now · *{stats.attempts_7d}* answers in the last 7 days"),
        {
            "type": "actions",
            "elements": [button("Start practice", START_PRACTICE, "", style="primary")],
        },
        {"type": "divider"},
        section("*Up next*"),
        *(sections("\n".join(items)) if items else [context("Nothing due — well done.")]),
        {"type": "divider"},
        section("*Mastery by area*"),
    ]
    mastery = mastery_lines(stats.mastery)
    blocks += sections("\n".join(mastery)) if mastery else [context("No answers yet.")]
    return {"type": "home", "blocks": blocks[:100]}


HELP_TEXT = (
    "*COPC readiness assistant*\n"
    "• `/copc ask <question>` — a cited answer from your site's documents (only you see it)\n"
    "• `/copc quiz [area]` — practice questions in our DM\n"
    "• `/copc interview` — a mock assessor interview in our DM\n"
    "• `/copc stats` — your own readiness\n"
    "• `/copc report [team]` — team readiness (managers and team leads)\n"
    "• `/copc help` — this message\n"
    "You can also @mention me in a channel, or write to me in a DM."
)


def help_message(prefix: str = "") -> Message:
    text = (prefix + "\n" if prefix else "") + HELP_TEXT
    return Message("COPC assistant help", [section(text)])


def report_messages(markdown: str) -> list[Message]:
    """A rendered Markdown report as Slack messages (Markdown tables kept in code blocks)."""
    text = re.sub(r"\*\*(.+?)\*\*", r"*\1*", markdown)
    text = re.sub(r"^#+\s*(.+)$", r"*\1*", text, flags=re.MULTILINE)
    blocks: list[Block] = []
    for part in re.split(r"((?:^\|.*\n?)+)", text, flags=re.MULTILINE):
        if not part.strip():
            continue
        if part.lstrip().startswith("|"):
            blocks += [section(f"```{p}```") for p in split_text(escape(part), SECTION_LIMIT - 6)]
        else:
            blocks += sections(escape(part))
    return paginate("Readiness report", blocks)
