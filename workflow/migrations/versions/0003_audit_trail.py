"""audit trail: hash-chained events, the head row that serialises appends, checkpoints

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.migrations.append_only import allow_changes, refuse_changes

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("username", sa.String(64), nullable=True),
        sa.Column("role", sa.String(20), nullable=True),
        sa.Column("agency_id", sa.Uuid(), nullable=True),
        sa.Column("agency_kind", sa.String(40), nullable=True),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("object_type", sa.String(40), nullable=True),
        sa.Column("object_id", sa.String(64), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("case_reference", sa.String(20), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("client_address", sa.String(64), nullable=True),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.Column("outcome", sa.String(40), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_events_hash")),
    )
    with op.batch_alter_table("audit_events") as batch_op:
        for column in ("at", "actor_id", "username", "action", "case_id", "case_reference",
                       "outcome"):
            batch_op.create_index(batch_op.f(f"ix_audit_events_{column}"), [column])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": "0" * 64}])
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
    )
    with op.batch_alter_table("audit_checkpoints") as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_checkpoints_seq"), ["seq"])
    refuse_changes("audit_events")
    refuse_changes("audit_checkpoints")


def downgrade() -> None:
    allow_changes("audit_checkpoints")
    allow_changes("audit_events")
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_head")
    op.drop_table("audit_events")
