"""month tallies: stays and completions by the month they ended, and when each case completed

The dashboard draws the last twelve months: cases completed in each, the median time to complete
them and the median stay in each stage. The operations now keep `month_stay_tallies` in the
transaction of each step, and a case records the moment it first met the completion rule.

Cases already complete, or closed when complete, are taken as completed at their last step on a
track (closing and reopening are not steps on a track); the month tallies are then derived from
the history, as migration 0009 derived the others.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime
from workflow.tallies import MonthKey, Step, completion_keys, dated_stays, month_keys

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

cases = sa.table(
    "cases",
    sa.column("id", sa.Uuid()),
    sa.column("status", sa.String()),
    sa.column("created_at", UTCDateTime()),
    sa.column("completed_at", UTCDateTime()),
)
history = sa.table(
    "transition_history",
    sa.column("id", sa.Integer()),
    sa.column("case_id", sa.Uuid()),
    sa.column("track", sa.String()),
    sa.column("action", sa.String()),
    sa.column("from_state", sa.String()),
    sa.column("at", UTCDateTime()),
)
CASE_TRACK = "case"  # closing and reopening are recorded on this track, not on a procedure's


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("completed_at", UTCDateTime(), nullable=True))
    tally = op.create_table(
        "month_stay_tallies",
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("track", sa.String(40), nullable=False),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("stays", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("level", "month", "track", "state", "bucket",
                                name=op.f("pk_month_stay_tallies")),
    )  # fmt: skip
    connection = op.get_bind()
    _record_completions(connection)
    counts = Counter(_months(connection))
    rows = [
        dict(zip(("level", "month", "track", "state", "bucket"), key, strict=True), stays=n)
        for key, n in counts.items()
    ]
    if rows:
        op.bulk_insert(tally, rows)


def downgrade() -> None:
    op.drop_table("month_stay_tallies")
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("completed_at")


def _record_completions(connection: sa.Connection) -> None:
    """Date each complete case, and each closed when complete, by its last step on a track."""
    was_complete = sa.select(history.c.case_id).where(
        history.c.track == CASE_TRACK,
        history.c.action == "close",
        history.c.from_state == "complete",
    )
    last_step = (
        sa.select(sa.func.max(history.c.at))
        .where(history.c.case_id == cases.c.id, history.c.track != CASE_TRACK)
        .scalar_subquery()
    )
    completed = sa.or_(cases.c.status == "complete", cases.c.id.in_(was_complete))
    connection.execute(cases.update().where(completed).values(completed_at=last_step))


def _months(connection: sa.Connection) -> Iterator[MonthKey]:
    """Every stay the history records and every completion, by the month it ended."""
    steps = (
        sa.select(history.c.case_id, history.c.track, history.c.from_state, history.c.at,
                  cases.c.created_at)
        .join_from(history, cases, cases.c.id == history.c.case_id)
        .order_by(history.c.case_id, history.c.track, history.c.at, history.c.id)
        .execution_options(yield_per=5_000)
    )  # fmt: skip
    for at, track, state, seconds in dated_stays(Step(*row) for row in connection.execute(steps)):
        yield from month_keys(at, track, state, seconds)
    completed = sa.select(cases.c.created_at, cases.c.completed_at).where(
        cases.c.completed_at.is_not(None)
    )
    for opened, at in connection.execute(completed):
        yield from completion_keys(opened, at)
