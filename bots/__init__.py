"""The Slack bot: a thin adapter over the assistant library (no retrieval or scoring here).

    app.create_app(settings, assistant, practice, client) ─► Bolt App + one register() per surface
        commands   /copc ask|quiz|interview|stats|report|help
        evidence   cited answers, "Share in channel"          mentions   @mentions, in the thread
        messages   the DM conversation, quiz/interview threads quiz      buttons, typed answers
        interview  mock assessor interviews in a DM thread    home       App Home, /copc stats
        feedback   👍/👎 with an optional reason              report     /copc report (managers)
        daily      the daily practice DM, claimed once per person per local day
    blocks (Block Kit), roles (COPC_ROLES_FILE), people (enrolment), protocol (ack first,
    retries, friendly errors), http (uvicorn, /slack/events, /healthz), socket (Socket Mode)

Importing this package loads nothing heavy; ``copc slack`` imports it on demand.
"""
