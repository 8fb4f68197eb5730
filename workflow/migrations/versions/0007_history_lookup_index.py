"""history lookup: one index on (case_id, agency_id) instead of case_id alone

An official sees a case their agency has acted on; SQLite, which keeps no statistics here, chose
the agency_id index for that check and scanned every step the agency ever took for each case
(minutes for a registry's queue at 100,000 cases). The pair index answers it in one probe and
serves every lookup by case_id as the old index did.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_transition_history_case_id_agency_id", "transition_history", ["case_id", "agency_id"]
    )
    op.drop_index("ix_transition_history_case_id", table_name="transition_history")


def downgrade() -> None:
    op.create_index("ix_transition_history_case_id", "transition_history", ["case_id"])
    op.drop_index("ix_transition_history_case_id_agency_id", table_name="transition_history")
