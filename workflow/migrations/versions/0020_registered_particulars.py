"""registered particulars: the child's name and birth date as registered, each with its basis

One row per version (current, proposed by an amendment, superseded, refused), the names, the
date and the bases' references sealed as the other personal fields are.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

TABLE = "registered_particulars"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("standing", sa.String(length=20), nullable=False),
        sa.Column("given_name", sa.Text(), nullable=True),
        sa.Column("family_name", sa.Text(), nullable=True),
        sa.Column("patronymic", sa.Text(), nullable=True),
        sa.Column("name_basis", sa.String(length=20), nullable=True),
        sa.Column("name_basis_reference", sa.Text(), nullable=True),
        sa.Column("birth_date", sa.Text(), nullable=True),
        sa.Column("birth_date_basis", sa.String(length=20), nullable=True),
        sa.Column("birth_date_basis_reference", sa.Text(), nullable=True),
        sa.Column("father_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_registered_particulars_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["father_id"],
            ["people.id"],
            name=op.f("fk_registered_particulars_father_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_registered_particulars_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registered_particulars")),
    )
    op.create_index("ix_registered_particulars_case_id_standing", TABLE, ["case_id", "standing"])


def downgrade() -> None:
    op.drop_index("ix_registered_particulars_case_id_standing", table_name=TABLE)
    op.drop_table(TABLE)
