"""Event claims: a delivery (a Slack event id) is handled once across bot replicas.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the ``event_claim`` table."""
    op.create_table(
        "event_claim",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_event_claim")),
    )
    op.create_index(op.f("ix_event_claim_claimed_at"), "event_claim", ["claimed_at"])


def downgrade() -> None:
    """Drop it."""
    op.drop_index(op.f("ix_event_claim_claimed_at"), table_name="event_claim")
    op.drop_table("event_claim")
