"""account setup links: an administrator creates an account or resets its password without
ever knowing the password; the user chooses it through a one-time link

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "account_setup_links",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=False),
        sa.Column("used_at", UTC_TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_account_setup_links_user_id_users")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_account_setup_links")),
    )
    op.create_index(op.f("ix_account_setup_links_user_id"), "account_setup_links", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_account_setup_links_user_id"), table_name="account_setup_links")
    op.drop_table("account_setup_links")
