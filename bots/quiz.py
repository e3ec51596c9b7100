"""Practice questions in the DM: buttons for single-choice questions, typed replies for the rest.

A click grades the answer through the practice engine and rewrites the question message to
show the choice, whether it was right, the explanation and the source; the rewritten
message has no buttons. The idempotency key is the question *message*, so a double click,
a retried request or a second reply records one attempt and shows the first answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_bolt import App
from slack_sdk import WebClient

from bots import blocks
from bots.deps import Deps, Req
from bots.ports import QuizItemView, QuizResultView
from bots.protocol import ack_only, lazy
from bots.resilience import record_or_refuse
from bots.state import QUIZ_THREAD, ThreadRef


def normalise_area(text: str | None) -> str | None:
    """``Quality Management`` -> ``quality_management`` (areas are ids in the bank)."""
    if not text or not text.strip():
        return None
    return "_".join(text.strip().lower().replace("-", " ").split())


def send_quiz(deps: Deps, client: WebClient, user_id: str, *, area: str | None = None) -> int:
    """Post the user's next questions into their DM; returns how many were sent."""
    deps.people.enrol(user_id)
    items = deps.practice.next_questions(user_id, area=area, limit=deps.settings.slack_quiz_size)
    post_questions(deps, client, user_id, items, area=area, daily=False)
    return len(items)


def post_questions(
    deps: Deps,
    client: WebClient,
    user_id: str,
    items: Sequence[QuizItemView],
    *,
    area: str | None,
    daily: bool,
) -> None:
    """An intro line, then one message per question (typed ones remember their thread)."""
    intro = blocks.quiz_intro_message(len(items), area=area, daily=daily)
    client.chat_postMessage(channel=user_id, **intro.kwargs())
    for number, item in enumerate(items, start=1):
        question = item.question
        message = blocks.quiz_question_message(question, position=f"{number}/{len(items)}")
        if not blocks.is_typed(question):
            client.chat_postMessage(channel=user_id, **message.kwargs())
            continue
        ref = ThreadRef(QUIZ_THREAD, {"question_id": question.id})
        posted = client.chat_postMessage(
            channel=user_id, metadata=ref.metadata(), **message.kwargs()
        )
        deps.threads.remember(str(posted["channel"]), str(posted["ts"]), ref)


def attempt_key(req: Req, channel: str, message_ts: str) -> str:
    """One attempt per question message per person."""
    return f"slack:{req.team_id}:{req.user_id}:{channel}:{message_ts}"


def answer_click(deps: Deps, req: Req) -> None:
    """A choice button: grade, record once, and replace the question with the result."""
    action = req.body["actions"][0]
    question_id, _, letter = str(action.get("value", "")).rpartition("|")
    container = req.body.get("container") or {}
    channel = str(container.get("channel_id") or req.channel_id)
    message_ts = str(container.get("message_ts") or (req.body.get("message") or {}).get("ts"))

    def record() -> QuizResultView:
        deps.people.enrol(req.user_id)
        return deps.practice.answer(
            req.user_id,
            question_id,
            letter,
            idempotency_key=attempt_key(req, channel, message_ts),
            surface="slack",
        )

    result = record_or_refuse(deps, req, record)
    if result is None:
        return  # told "not recorded"; the question keeps its buttons
    message = blocks.quiz_result_message(result, answered_by=req.user_id)
    req.client.chat_update(channel=channel, ts=message_ts, **message.kwargs())


def answer_typed(deps: Deps, req: Req, ref: ThreadRef) -> None:
    """A reply in a cloze/ordering question's thread: grade it and show the result."""
    event = req.event
    channel, root = str(event["channel"]), str(event["thread_ts"])

    def record() -> QuizResultView:
        deps.people.enrol(req.user_id)
        return deps.practice.answer(
            req.user_id,
            str(ref.payload["question_id"]),
            str(event.get("text", "")),
            idempotency_key=attempt_key(req, channel, root),
            surface="slack",
        )

    result = record_or_refuse(deps, req, record)
    if result is None:
        return  # told "not recorded" in the thread; the person answers again
    message = blocks.quiz_result_message(result, answered_by=req.user_id)
    if result.recorded:
        req.client.chat_update(channel=channel, ts=root, **message.kwargs())
    req.client.chat_postMessage(channel=channel, thread_ts=root, **message.kwargs())


def start_practice(deps: Deps, req: Req) -> None:
    """The App Home "Start practice" button."""
    send_quiz(deps, req.client, req.user_id)


def register(app: App, deps: Deps) -> None:
    """Choice buttons and the Start practice button."""
    app.action(blocks.QUIZ_CHOICE_PATTERN)(ack=ack_only, lazy=[lazy(deps, answer_click)])
    app.action(blocks.START_PRACTICE)(ack=ack_only, lazy=[lazy(deps, start_practice)])
