"""People may have the workforce-management role (``wfm``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_WITH_WFM = "role IN ('agent', 'team_lead', 'manager', 'quality', 'wfm', 'admin')"
_WITHOUT_WFM = "role IN ('agent', 'team_lead', 'manager', 'quality', 'admin')"


def _replace_role_check(condition: str) -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_constraint(op.f("ck_person_role"), type_="check")
        batch.create_check_constraint(op.f("ck_person_role"), condition)


def upgrade() -> None:
    """Widen the person role check to admit ``wfm``."""
    _replace_role_check(_WITH_WFM)


def downgrade() -> None:
    """Narrow it again (fails while any person has the ``wfm`` role)."""
    _replace_role_check(_WITHOUT_WFM)
