"""case handlers: the agencies that acted on a case, one row each, not read from its history

Need-to-know asks, on every read of a case, which agencies took steps on it and on which
tracks; a step asks it again, and the case's listings too. Each asked the case's whole history
(every step, read from the table), so a case cost more to read with every step taken on it: a
case closed and reopened 800 times took 0.6 ms for that question alone, a hundredth of that when
new. `case_handlers` holds one row per agency and track, added by the engine with the agency's
first step there, and is filled here from the history as it stands.

The history's index on (case_id, agency_id) served only that question; it becomes one on
(case_id, track, at), from which a step finds when the stay it ends began by reading one entry,
where it read the track's every step.

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

HISTORY = "transition_history"


def upgrade() -> None:
    op.create_table(
        "case_handlers",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("track", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_case_handlers_case_id_cases", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name="fk_case_handlers_agency_id_agencies"
        ),
        sa.PrimaryKeyConstraint("case_id", "agency_id", "track", name="pk_case_handlers"),
    )
    op.execute(
        "INSERT INTO case_handlers (case_id, agency_id, track)"
        f" SELECT DISTINCT case_id, agency_id, track FROM {HISTORY}"  # noqa: S608
    )
    op.create_index(f"ix_{HISTORY}_case_track_at", HISTORY, ["case_id", "track", "at"])
    op.drop_index(f"ix_{HISTORY}_case_id_agency_id", table_name=HISTORY)


def downgrade() -> None:
    op.create_index(f"ix_{HISTORY}_case_id_agency_id", HISTORY, ["case_id", "agency_id"])
    op.drop_index(f"ix_{HISTORY}_case_track_at", table_name=HISTORY)
    op.drop_table("case_handlers")
