"""dashboard tallies: cases per status, open cases per stage and entry day, stays per bucket

The dashboard read every case and every step of the history to count and to find the median
stay per stage. The operations now keep four small tallies in the transaction of each change;
this revision creates them and derives them from the cases, track states and history already
stored.

Revision ID: 0009
Revises: 0007
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime
from workflow.tallies import StageKey, Step, all_days, ended_stays, entry_day, stay_keys

revision = "0009"
down_revision = "0008_audit_tree"
branch_labels = None
depends_on = None

STATUS = sa.Enum("open", "complete", "closed", name="casestatus", native_enum=False, length=20)

cases = sa.table(
    "cases",
    sa.column("id", sa.Uuid()),
    sa.column("workflow_id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("created_at", UTCDateTime()),
)
track_states = sa.table(
    "track_states",
    sa.column("case_id", sa.Uuid()),
    sa.column("track", sa.String()),
    sa.column("state", sa.String()),
    sa.column("since", UTCDateTime()),
)
history = sa.table(
    "transition_history",
    sa.column("id", sa.Integer()),
    sa.column("case_id", sa.Uuid()),
    sa.column("track", sa.String()),
    sa.column("from_state", sa.String()),
    sa.column("at", UTCDateTime()),
)


def upgrade() -> None:
    case_tallies = op.create_table(
        "case_tallies",
        sa.Column("status", STATUS, nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("status", name=op.f("pk_case_tallies")),
    )
    stage_tallies = op.create_table(
        "stage_tallies",
        sa.Column("track", sa.String(40), nullable=False),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("workflow_id", sa.Integer(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["workflow_id"], ["workflow_definitions.id"],
                                name=op.f("fk_stage_tallies_workflow_id_workflow_definitions")),
        sa.PrimaryKeyConstraint("track", "state", "workflow_id", name=op.f("pk_stage_tallies")),
    )  # fmt: skip
    stage_day_tallies = op.create_table(
        "stage_day_tallies",
        sa.Column("track", sa.String(40), nullable=False),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("workflow_id", sa.Integer(), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["workflow_id"], ["workflow_definitions.id"],
                                name=op.f("fk_stage_day_tallies_workflow_id_workflow_definitions")),
        sa.PrimaryKeyConstraint("track", "state", "workflow_id", "entered_on",
                                name=op.f("pk_stage_day_tallies")),
    )  # fmt: skip
    stay_tallies = op.create_table(
        "stay_tallies",
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("track", sa.String(40), nullable=False),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("stays", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("level", "track", "state", "bucket", name=op.f("pk_stay_tallies")),
    )
    connection = op.get_bind()
    _fill(case_tallies, ("status",), "cases", _statuses(connection))
    days = _stage_days(connection)
    _fill(stage_tallies, ("track", "state", "workflow_id"), "cases", all_days(days))
    _fill(stage_day_tallies, ("track", "state", "workflow_id", "entered_on"), "cases", days)
    _fill(stay_tallies, ("level", "track", "state", "bucket"), "stays", _stays(connection))


def downgrade() -> None:
    op.drop_table("stay_tallies")
    op.drop_table("stage_day_tallies")
    op.drop_table("stage_tallies")
    op.drop_table("case_tallies")


def _statuses(connection: sa.Connection) -> Counter[tuple[Any, ...]]:
    counted = sa.select(cases.c.status, sa.func.count()).group_by(cases.c.status)
    return Counter({(status,): count for status, count in connection.execute(counted)})


def _stage_days(connection: sa.Connection) -> Counter[StageKey]:
    """Open cases per track, state, workflow and the day the track entered its state."""
    standing = (
        sa.select(track_states.c.track, track_states.c.state, cases.c.workflow_id,
                  track_states.c.since)
        .join_from(track_states, cases, cases.c.id == track_states.c.case_id)
        .where(cases.c.status == "open")
    )  # fmt: skip
    return Counter(
        (track, state, workflow_id, entry_day(since))
        for track, state, workflow_id, since in connection.execute(standing)
    )


def _stays(connection: sa.Connection) -> Counter[tuple[Any, ...]]:
    """Every stay the history records, walked case by case and track by track, in its buckets."""
    steps = (
        sa.select(history.c.case_id, history.c.track, history.c.from_state, history.c.at,
                  cases.c.created_at)
        .join_from(history, cases, cases.c.id == history.c.case_id)
        .order_by(history.c.case_id, history.c.track, history.c.at, history.c.id)
        .execution_options(yield_per=5_000)
    )  # fmt: skip
    walked = ended_stays(Step(*row) for row in connection.execute(steps))
    return Counter(key for stay in walked for key in stay_keys(*stay))


def _fill(table: sa.Table, keys: tuple[str, ...], count: str, counts: Counter[Any]) -> None:
    rows = [{**dict(zip(keys, key, strict=True)), count: n} for key, n in counts.items()]
    if rows:
        op.bulk_insert(table, rows)
