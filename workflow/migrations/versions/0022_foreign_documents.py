"""foreign documents: each document's language, the original a translation translates, who
translated it, and how the document was legalised

The translator's name is sealed as people's names are; every existing document reads as of an
unrecorded language and not legalised.

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=35), nullable=True))
        batch_op.add_column(sa.Column("translation_of_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("translator_name", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("translator_role", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("translator_sworn", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "legalisation", sa.String(length=20), nullable=False, server_default="none"
            )
        )
        batch_op.add_column(sa.Column("legalisation_country", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("legalised_on", sa.Date(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_documents_translation_of_id_documents"),
            "documents",
            ["translation_of_id"],
            ["id"],
        )
        batch_op.create_index(batch_op.f("ix_documents_translation_of_id"), ["translation_of_id"])


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_translation_of_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_documents_translation_of_id_documents"), type_="foreignkey"
        )
        for column in (
            "legalised_on",
            "legalisation_country",
            "legalisation",
            "translator_sworn",
            "translator_role",
            "translator_name",
            "translation_of_id",
            "language",
        ):
            batch_op.drop_column(column)
