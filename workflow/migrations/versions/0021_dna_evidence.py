"""dna evidence: a relative's reference sample, held once for her

A mother shared by siblings gives one DNA reference sample; it is recorded at person level, with
the laboratory that took it and the case it was taken on, and counts on each sibling's case.

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reference_samples",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("sample_id", sa.String(length=100), nullable=False),
        sa.Column("collected_on", sa.Date(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_reference_samples_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_reference_samples_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_reference_samples_case_id_cases"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_samples")),
    )
    op.create_index(op.f("ix_reference_samples_person_id"), "reference_samples", ["person_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_reference_samples_person_id"), table_name="reference_samples")
    op.drop_table("reference_samples")
