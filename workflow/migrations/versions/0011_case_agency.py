"""the NGO that holds each case: a lawyer works a case only while in it

A lawyer moved to another NGO kept every case they were assigned to. Need-to-know now asks that
a lawyer be assigned to the case and belong to the NGO that holds it, so the case records its
NGO. Cases already stored are held by the NGO of the lawyer who opened them, which is what
opening a case records from now on. The lists' rows are derived anew: a lawyer's rows now
depend on the case's NGO.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

from workflow import listings

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

cases = sa.table("cases", sa.column("agency_id", sa.Uuid()), sa.column("opened_by_id", sa.Uuid()))
users = sa.table("users", sa.column("id", sa.Uuid()), sa.column("agency_id", sa.Uuid()))


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("agency_id", sa.Uuid(), nullable=True))
    opener_agency = (
        sa.select(users.c.agency_id).where(users.c.id == cases.c.opened_by_id).scalar_subquery()
    )
    op.execute(cases.update().values(agency_id=opener_agency))
    with op.batch_alter_table("cases") as batch_op:
        batch_op.alter_column("agency_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_foreign_key(
            op.f("fk_cases_agency_id_agencies"), "agencies", ["agency_id"], ["id"]
        )
        batch_op.create_index(op.f("ix_cases_agency_id"), ["agency_id"])
    with _handlers_from_history():
        listings.rebuild(op.get_bind())


@contextmanager
def _handlers_from_history() -> Iterator[None]:
    """The lists as this release derives them read `case_handlers`, which migration 0026 adds
    and fills from the history: until then, the history's rows stand in for it."""
    op.execute(
        "CREATE TEMPORARY VIEW case_handlers AS"
        " SELECT DISTINCT case_id, agency_id, track FROM transition_history"
    )
    yield
    op.execute("DROP VIEW case_handlers")


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_index(op.f("ix_cases_agency_id"))
        batch_op.drop_constraint(op.f("fk_cases_agency_id_agencies"), type_="foreignkey")
        batch_op.drop_column("agency_id")
