"""families: siblings' cases share their relatives, recorded once

A relative was a row of one case; the mother of three children was entered three times. A case
may now belong to a family, and a person is on a case through `case_people`: the child and her
relatives each on their own case, and a relative shared by siblings on each of their cases, as
one row. Every person stored is put on the case she was recorded on, where she stood.

Going back, a person on several cases stays on the case she was first recorded on and is copied,
with her names, onto each other case, whose consents of hers then name the copy.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

links = sa.table(
    "case_people",
    sa.column("case_id", sa.Uuid()),
    sa.column("person_id", sa.Uuid()),
    sa.column("position", sa.Integer()),
)


def upgrade() -> None:
    op.create_table(
        "families",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_families")),
    )
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("family_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_cases_family_id_families"), "families", ["family_id"], ["id"]
        )
        batch_op.create_index(op.f("ix_cases_family_id"), ["family_id"])
    op.create_table(
        "case_people",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_people_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_case_people_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "person_id", name=op.f("pk_case_people")),
    )
    op.create_index(op.f("ix_case_people_person_id"), "case_people", ["person_id"])
    people = sa.table(
        "people", sa.column("id", sa.Uuid()), sa.column("case_id", sa.Uuid()), sa.column("position")
    )
    op.execute(
        links.insert().from_select(
            ["case_id", "person_id", "position"],
            sa.select(people.c.case_id, people.c.id, people.c.position),
        )
    )


def downgrade() -> None:
    bind = op.get_bind()
    meta = sa.MetaData()
    people = _reflected(meta, "people", "id", "case_id")
    names = _reflected(meta, "person_names", "person_id", "case_id")
    consents = _reflected(meta, "consents", "case_id", "person_id")
    shared = bind.execute(
        sa.select(people, links.c.case_id.label("on_case"), links.c.position.label("on_position"))
        .select_from(links)
        .join(people, people.c.id == links.c.person_id)
        .where(people.c.case_id != links.c.case_id)
    ).all()
    for row in shared:
        _copy_person(bind, people, names, consents, row._mapping)
    op.drop_index(op.f("ix_case_people_person_id"), table_name="case_people")
    op.drop_table("case_people")
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_index(op.f("ix_cases_family_id"))
        batch_op.drop_constraint(op.f("fk_cases_family_id_families"), type_="foreignkey")
        batch_op.drop_column("family_id")
    op.drop_table("families")


def _reflected(meta: sa.MetaData, name: str, *ids: str) -> sa.Table:
    """A table as stored, its id columns read and written as UUIDs on every backend."""
    columns = [sa.Column(column, sa.Uuid(), primary_key=column == "id") for column in ids]
    return sa.Table(name, meta, *columns, autoload_with=op.get_bind())


def _copy_person(
    bind: sa.Connection, people: sa.Table, names: sa.Table, consents: sa.Table, row: sa.RowMapping
) -> None:
    """Copy a shared person, her names as stored (sealed), onto one more case."""
    case_id, original, copy = row["on_case"], row["id"], uuid.uuid4()
    values = {column.name: row[column.name] for column in people.columns}
    moved = {"id": copy, "case_id": case_id, "position": row["on_position"]}
    bind.execute(people.insert().values({**values, **moved}))
    for name in bind.execute(sa.select(names).where(names.c.person_id == original)).mappings():
        fields = {key: value for key, value in name.items() if key != "id"}
        bind.execute(names.insert().values({**fields, "person_id": copy, "case_id": case_id}))
    bind.execute(
        consents.update()
        .where(consents.c.case_id == case_id, consents.c.person_id == original)
        .values(person_id=copy)
    )
