"""issued forms: the fingerprint and issuer of every form Homeward generated

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issued_forms",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code_digest", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("variant", sa.String(10), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("issued_by_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_issued_forms_case_id_cases")),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"],
                                name=op.f("fk_issued_forms_issued_by_id_users")),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"],
                                name=op.f("fk_issued_forms_agency_id_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_forms")),
        sa.UniqueConstraint("code_digest", name=op.f("uq_issued_forms_code_digest")),
    )
    op.create_index(op.f("ix_issued_forms_sha256"), "issued_forms", ["sha256"])
    op.create_index(op.f("ix_issued_forms_case_id"), "issued_forms", ["case_id"])


def downgrade() -> None:
    op.drop_table("issued_forms")
