"""Mock assessor interviews in the DM: the questions in one thread, each answer graded there.

The thread's first message carries the interview session id in its Slack metadata, so a
reply finds its session on any replica. Each answer is graded once per Slack message (the
message is the idempotency key), so a retried event never grades it twice.
"""

from __future__ import annotations

from slack_sdk import WebClient

from bots import blocks
from bots.blocks import Message
from bots.deps import Deps, Req
from bots.resilience import record_or_refuse
from bots.state import INTERVIEW_THREAD, ThreadRef


def start(deps: Deps, client: WebClient, user_id: str) -> None:
    """Open a session for the user's role and post its first question to their DM."""
    person = deps.people.enrol(user_id)
    step = deps.practice.start_interview(user_id, role=person.role)
    intro = blocks.interview_intro_message(step.total)
    first = blocks.interview_question_message(step)
    ref = ThreadRef(INTERVIEW_THREAD, {"session_id": step.session_id})
    posted = client.chat_postMessage(
        channel=user_id,
        text=first.text,
        blocks=[*intro.blocks, *first.blocks],
        metadata=ref.metadata(),
    )
    deps.threads.remember(str(posted["channel"]), str(posted["ts"]), ref)


def answer(deps: Deps, req: Req, ref: ThreadRef) -> None:
    """A reply in an interview thread: post its grade, then the next question or the end."""
    event = req.event
    channel, root = str(event["channel"]), str(event["thread_ts"])
    key = f"slack:{req.team_id}:{channel}:{event.get('ts')}"
    step = record_or_refuse(
        deps,
        req,
        lambda: deps.practice.answer_interview(
            int(ref.payload["session_id"]), str(event.get("text", "")), idempotency_key=key
        ),
    )
    if step is None:
        return  # told "not recorded" in the thread; the person answers again
    if not step.recorded:
        return  # a redelivery of an answer already graded (and answered) once
    finished = step.prompt is None
    if step.grade is not None:
        graded = blocks.grade_message(step.grade, finished=finished)
        req.client.chat_postMessage(channel=channel, thread_ts=root, **graded.kwargs())
    if finished:
        if step.grade is None:
            done = Message("This interview is finished. `/copc interview` starts another.")
            req.client.chat_postMessage(channel=channel, thread_ts=root, **done.kwargs())
        return
    question = blocks.interview_question_message(step)
    req.client.chat_postMessage(channel=channel, thread_ts=root, **question.kwargs())
