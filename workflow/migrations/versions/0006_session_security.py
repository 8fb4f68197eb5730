"""session security: spent refresh tokens, idle sessions, sign-in throttles, break-glass
grants and identities at agencies' own identity providers

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("auth_sessions") as batch_op:
        batch_op.add_column(sa.Column("end_reason", sa.String(30), nullable=True))
        batch_op.add_column(sa.Column("last_seen_at", UTC_TIME, nullable=True))
    op.create_table(
        "spent_refresh_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("spent_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["auth_sessions.id"],
                                name=op.f("fk_spent_refresh_tokens_session_id_auth_sessions")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_spent_refresh_tokens")),
    )
    op.create_index(op.f("ix_spent_refresh_tokens_session_id"), "spent_refresh_tokens",
                    ["session_id"])
    op.create_table(
        "login_throttles",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("counted_at", UTC_TIME, nullable=True),
        sa.Column("locked_until", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttles")),
    )
    op.create_table(
        "break_glass_grants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_at", UTC_TIME, nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_break_glass_grants_user_id_users")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_break_glass_grants_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_glass_grants")),
    )
    op.create_index(op.f("ix_break_glass_grants_user_id"), "break_glass_grants", ["user_id"])
    op.create_index(op.f("ix_break_glass_grants_case_id"), "break_glass_grants", ["case_id"])
    op.create_table(
        "external_identities",
        sa.Column("issuer", sa.String(300), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_external_identities_user_id_users")),
        sa.PrimaryKeyConstraint("issuer", "subject", name=op.f("pk_external_identities")),
    )
    op.create_index(op.f("ix_external_identities_user_id"), "external_identities", ["user_id"])


def downgrade() -> None:
    op.drop_table("external_identities")
    op.drop_table("break_glass_grants")
    op.drop_table("login_throttles")
    op.drop_table("spent_refresh_tokens")
    with op.batch_alter_table("auth_sessions") as batch_op:
        batch_op.drop_column("last_seen_at")
        batch_op.drop_column("end_reason")
