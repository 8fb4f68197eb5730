"""name keys: keyed digests of each child's sound-alike name keys, for the duplicate check

Opening a case looks for a child already recorded under another spelling or script. It finds
candidates through `name_keys` by digest (an index, never a scan of the cases), then unseals
only the candidates' names to score them (`workflow.duplicates`). The digests of the children
already present are computed here when the data keys are given (`homeward db upgrade` gives
them); an upgrade without them leaves those children without digests and the check blind to
them, until an upgrade with the keys is run again over revision 0017 (`homeward db downgrade
0016` then `homeward db upgrade`).

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.duplicates.backfill import fill_name_keys

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "name_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("digest", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE",
                                name=op.f("fk_name_keys_person_id_people")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_name_keys_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_name_keys")),
    )
    op.create_index("ix_name_keys_digest", "name_keys", ["digest", "person_id"])
    op.create_index(op.f("ix_name_keys_person_id"), "name_keys", ["person_id"])
    op.create_index(op.f("ix_name_keys_case_id"), "name_keys", ["case_id"])
    config = op.get_context().config
    keys = config.attributes.get("data_keys") if config else None
    if keys is not None:
        fill_name_keys(op.get_bind(), keys)


def downgrade() -> None:
    op.drop_index(op.f("ix_name_keys_case_id"), table_name="name_keys")
    op.drop_index(op.f("ix_name_keys_person_id"), table_name="name_keys")
    op.drop_index("ix_name_keys_digest", table_name="name_keys")
    op.drop_table("name_keys")
