"""audit events: SQLite derives their columns at each read (VIRTUAL); filters read in order

Since migration 0024 every hashed field but the text is a column SQLite derives from the text,
but STORED: whoever could write the database file could write a stored value and leave the
schema as it was, so verification checked every column against the text (0.08× the speed of
hashing). A VIRTUAL column keeps nothing in the file; SQLite derives it from the text whenever it
is read. Verification then checks every column only when the schema in the file is not the
table `audit.stored` describes, and otherwise hashes the text alone, as on PostgreSQL.

The table is rebuilt on SQLite, its text and hashes copied as they are; PostgreSQL (15 has no
virtual columns) keeps its stored columns.

On both, the columns the auditor's lists filter on are indexed with the sequence number, and
`object_id` is indexed too: a filtered page was every matching event read and sorted (a million
for the events of one busy user), and a case's events a read of the whole trail.

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

from alembic import op

from workflow.migrations.append_only import allow_changes, refuse_changes

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

TABLE = "audit_events"
OLD = "audit_events_stored"
INDEXED = ("at", "actor_id", "username", "action", "case_id", "case_reference", "outcome")
WITH_SEQ = ("actor_id", "username", "action", "outcome", "case_id", "case_reference", "object_id")
# name, type, NOT NULL, the expression that derives it from the text: as migration 0024 made
# them, written out so that later changes to `audit.stored` leave this migration as it was.
AT = "json_extract(canonical, '$.at')"
COLUMNS = (
    ("at", "DATETIME", True, f"substr({AT}, 1, 10) || ' ' || substr({AT}, 12, 15)"),
    ("actor_id", "CHAR(32)", False, "replace(json_extract(canonical, '$.actor_id'), '-', '')"),
    ("username", "VARCHAR(64)", False, "json_extract(canonical, '$.username')"),
    ("role", "VARCHAR(20)", False, "json_extract(canonical, '$.role')"),
    ("agency_id", "CHAR(32)", False, "replace(json_extract(canonical, '$.agency_id'), '-', '')"),
    ("agency_kind", "VARCHAR(40)", False, "json_extract(canonical, '$.agency_kind')"),
    ("action", "VARCHAR(60)", True, "json_extract(canonical, '$.action')"),
    ("object_type", "VARCHAR(40)", False, "json_extract(canonical, '$.object_type')"),
    ("object_id", "VARCHAR(64)", False, "json_extract(canonical, '$.object_id')"),
    ("case_id", "CHAR(32)", False, "replace(json_extract(canonical, '$.case_id'), '-', '')"),
    ("case_reference", "VARCHAR(20)", False, "json_extract(canonical, '$.case_reference')"),
    ("detail", "JSON", True, "canonical -> '$.detail'"),
    ("client_address", "VARCHAR(64)", False, "json_extract(canonical, '$.client_address')"),
    ("request_id", "VARCHAR(64)", False, "json_extract(canonical, '$.request_id')"),
    ("outcome", "VARCHAR(40)", True, "json_extract(canonical, '$.outcome')"),
    ("purpose", "VARCHAR(40)", False, "json_extract(canonical, '$.purpose')"),
    ("prev_hash", "VARCHAR(64)", True, "json_extract(canonical, '$.prev_hash')"),
)


def sqlite_table(kept: str) -> str:
    """The CREATE TABLE of the events with their derived columns kept as `kept`."""
    lines = [
        "seq BIGINT NOT NULL",
        "canonical TEXT NOT NULL",
        *(
            f"{name} {kind} GENERATED ALWAYS AS ({derived}) {kept}{' NOT NULL' if required else ''}"
            for name, kind, required, derived in COLUMNS
        ),
        "hash VARCHAR(64) NOT NULL",
        f"CONSTRAINT pk_{TABLE} PRIMARY KEY (seq)",
        f"CONSTRAINT uq_{TABLE}_hash UNIQUE (hash)",
    ]
    return f"CREATE TABLE {TABLE} (\n    " + ",\n    ".join(lines) + "\n)"


def upgrade() -> None:
    _drop_indexes(INDEXED)
    if op.get_bind().dialect.name == "sqlite":
        _rebuild("VIRTUAL")
    _create_indexes(WITH_SEQ)


def downgrade() -> None:
    _drop_indexes(("at", *WITH_SEQ))
    if op.get_bind().dialect.name == "sqlite":
        _rebuild("STORED")
    _create_indexes(())


def _rebuild(kept: str) -> None:
    """The SQLite table again with its columns kept as `kept`, its rows copied as they are."""
    allow_changes(TABLE)
    op.rename_table(TABLE, OLD)
    op.execute(sqlite_table(kept))
    op.execute(f"INSERT INTO {TABLE} (seq, canonical, hash) SELECT seq, canonical, hash FROM {OLD}")  # noqa: S608
    op.drop_table(OLD)
    refuse_changes(TABLE)


def _drop_indexes(columns: tuple[str, ...]) -> None:
    for column in columns:
        op.drop_index(f"ix_{TABLE}_{column}", table_name=TABLE)


def _create_indexes(with_seq: tuple[str, ...]) -> None:
    """Each of `with_seq` with the sequence number, and the rest of INDEXED alone."""
    for column in with_seq:
        op.create_index(f"ix_{TABLE}_{column}", TABLE, [column, "seq"])
    for column in INDEXED:
        if column not in with_seq:
            op.create_index(f"ix_{TABLE}_{column}", TABLE, [column])
