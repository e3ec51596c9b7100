"""Initial records schema: people, questions, attempts, cards, interviews, feedback, daily claims.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("team", sa.String(100), nullable=True),
        sa.Column("program", sa.String(100), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("external_id", name=op.f("uq_person_external_id")),
        sa.CheckConstraint(
            "role IN ('agent', 'team_lead', 'manager', 'quality', 'admin')",
            name=op.f("ck_person_role"),
        ),
    )
    op.create_table(
        "question",
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("area", sa.String(100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("difficulty", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source_doc_id", sa.String(255), nullable=True),
        sa.Column("source_section", sa.Text(), nullable=True),
        sa.Column("source_hash", sa.String(64), nullable=True),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question")),
        sa.CheckConstraint(
            "status IN ('draft', 'approved', 'retired', 'stale')", name=op.f("ck_question_status")
        ),
    )
    op.create_index("ix_question_area_status", "question", ["area", "status"])
    op.create_table(
        "attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(128), nullable=False),
        sa.Column("answered_at", _TS, nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("surface", sa.String(16), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_attempt_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["question.id"], name=op.f("fk_attempt_question_id_question")
        ),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_attempt_idempotency_key")),
        sa.CheckConstraint("score >= 0 AND score <= 100", name=op.f("ck_attempt_score_range")),
        sa.CheckConstraint("surface IN ('cli', 'slack')", name=op.f("ck_attempt_surface")),
    )
    op.create_index("ix_attempt_person_answered", "attempt", ["person_id", "answered_at"])
    op.create_index("ix_attempt_answered_at", "attempt", ["answered_at"])
    op.create_index(op.f("ix_attempt_question_id"), "attempt", ["question_id"])
    op.create_table(
        "card",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(128), nullable=False),
        sa.Column("due", _TS, nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("reps", sa.Integer(), nullable=False),
        sa.Column("lapses", sa.Integer(), nullable=False),
        sa.Column("last_review", _TS, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("person_id", "question_id", name=op.f("pk_card")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_card_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["question.id"], name=op.f("fk_card_question_id_question")
        ),
    )
    op.create_index("ix_card_person_due", "card", ["person_id", "due"])
    op.create_table(
        "interview_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("started_at", _TS, nullable=False),
        sa.Column("finished_at", _TS, nullable=True),
        sa.Column("turns", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_session")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_interview_session_person_id_person")
        ),
    )
    op.create_index(op.f("ix_interview_session_person_id"), "interview_session", ["person_id"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("rating", sa.String(8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_feedback_person_id_person")
        ),
        sa.CheckConstraint("rating IN ('up', 'down')", name=op.f("ck_feedback_rating")),
    )
    op.create_index(op.f("ix_feedback_person_id"), "feedback", ["person_id"])
    op.create_table(
        "daily_claim",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("claimed_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("person_id", "local_date", name=op.f("pk_daily_claim")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_daily_claim_person_id_person")
        ),
    )


def downgrade() -> None:
    """Drop every table."""
    for table in ("daily_claim", "feedback", "interview_session", "card", "attempt"):
        op.drop_table(table)
    op.drop_index("ix_question_area_status", table_name="question")
    op.drop_table("question")
    op.drop_table("person")
