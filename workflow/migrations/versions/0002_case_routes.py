"""case routes: which agency of each kind works a case

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

AGENCY_KINDS = (
    "ngo", "civil_registry", "court", "forensic_lab", "guardianship_authority",
    "citizenship_authority", "ombudsman", "prosecutor", "operator",
)


def upgrade() -> None:
    op.create_table(
        "case_routes",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("agency_kind", sa.Enum(*AGENCY_KINDS, name="agencykind", native_enum=False,
                                         length=40), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"],
                                name=op.f("fk_case_routes_agency_id_agencies")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_routes_case_id_cases"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id", "agency_kind", name=op.f("pk_case_routes")),
    )
    with op.batch_alter_table("case_routes") as batch_op:
        batch_op.create_index(batch_op.f("ix_case_routes_agency_id"), ["agency_id"], unique=False)


def downgrade() -> None:
    op.drop_table("case_routes")
