"""the facts an issued form states that name no one, for its public check

A form's check showed only its kind, issuer, date and case reference, so a printout altered
after issue still checked as genuine. Each form issued from now on keeps the facts it states
that name no one (a DNA report's probability, a court order's number); forms issued before keep
none, and their check says so.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issued_forms") as batch_op:
        batch_op.add_column(sa.Column("facts", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("issued_forms") as batch_op:
        batch_op.drop_column("facts")
