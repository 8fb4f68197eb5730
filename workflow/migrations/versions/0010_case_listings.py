"""lists by index: each case's viewers with its sort keys, and a text index of names' tokens

Every list and queue reads `case_listings` by viewer through an index in the list's own order,
instead of testing every case against need-to-know; the rows of the cases already present are
derived from their status, tracks, routes, assignments and history (`workflow.listings`) by
revision 0011, whose column that derivation now reads, and from then on kept by each
transaction that changes a case. Names are searched through a text index of their blind
tokens: FTS5 on SQLite (an external-content table kept by triggers: a later migration that
copies `person_names` in batch mode must create them again), GIN on PostgreSQL.

Revision ID: 0010
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.name_index import FTS_TABLE, GIN_INDEX

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)
INDEXES = {
    "ix_case_listings_changed": ["viewer", "updated_at", "case_id"],
    "ix_case_listings_waiting": ["viewer", "waiting_since", "case_id"],
    "ix_case_listings_due": ["viewer", "due", "case_id"],
}
# The FTS5 table follows `person_names` through these triggers (its external content).
FTS_TRIGGERS = {
    "person_names_fts_insert": (
        "AFTER INSERT ON person_names BEGIN "
        f"INSERT INTO {FTS_TABLE} (rowid, search_key) VALUES (new.id, new.search_key); END"
    ),
    "person_names_fts_delete": (
        "AFTER DELETE ON person_names BEGIN "
        f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, search_key) "
        "VALUES ('delete', old.id, old.search_key); END"
    ),
    "person_names_fts_update": (
        "AFTER UPDATE OF search_key ON person_names BEGIN "
        f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, search_key) "
        "VALUES ('delete', old.id, old.search_key); "
        f"INSERT INTO {FTS_TABLE} (rowid, search_key) VALUES (new.id, new.search_key); END"
    ),
}


def upgrade() -> None:
    op.create_table(
        "case_listings",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("viewer", sa.String(48), nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.Column("waiting_since", UTC_TIME, nullable=True),
        sa.Column("due", UTC_TIME, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_case_listings_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", "viewer", name=op.f("pk_case_listings")),
    )
    for name, columns in INDEXES.items():
        op.create_index(name, "case_listings", columns)
    # The rows are derived by 0011, once cases name their NGO, on which a lawyer's rows depend.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX {GIN_INDEX} ON person_names "
            "USING gin (string_to_array(btrim(search_key), ' '))"
        )
        return
    # Tokens are hexadecimal digests: no positions are needed, only which names hold each one.
    op.execute(
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_key, content='person_names', "
        "content_rowid='id', detail='none')"
    )
    for name, body in FTS_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX {GIN_INDEX}")
    else:
        for name in FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
        op.execute(f"DROP TABLE {FTS_TABLE}")
    for name in INDEXES:
        op.drop_index(name, table_name="case_listings")
    op.drop_table("case_listings")
