"""audit events stored as their canonical text, every other field derived from it

Verification rebuilt each event's canonical bytes from its columns, in the database, and that
rebuild cost ten times the hashing. Each event now keeps the text its hash covers, and every
other hashed field is a generated column the database derives from that text (`audit.stored`):
verification hashes the text once the catalogue shows the columns derived as written.

The table is rebuilt. Each event's text is rebuilt from its columns by the database; an event
whose rebuilt text does not hash to its hash (a `detail` stored before its text was canonical, a
UUID in capitals, a changed row) is read and encoded the way `audit.chain` does, so that the
text is what the old verification would have hashed: an event that did not verify before does
not verify after.

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa
from alembic import op

from audit import chain, encoding
from workflow.db import UTCDateTime
from workflow.migrations.append_only import allow_changes, refuse_changes

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

TABLE = "audit_events"
OLD = "audit_events_legacy"
CHUNK = 1 << 16
AT_ONCE = 500  # sequence numbers in one IN list

# The table as this revision makes it, written out so that later changes to `audit.stored` leave
# this migration as it was (a test checks that the head migration leaves the table `audit.stored`
# describes).
SQLITE_TABLE = """\
CREATE TABLE audit_events (
    seq BIGINT NOT NULL,
    canonical TEXT NOT NULL,
    at DATETIME GENERATED ALWAYS AS (substr(json_extract(canonical, '$.at'), 1, 10) || ' ' || substr(json_extract(canonical, '$.at'), 12, 15)) STORED NOT NULL,
    actor_id CHAR(32) GENERATED ALWAYS AS (replace(json_extract(canonical, '$.actor_id'), '-', '')) STORED,
    username VARCHAR(64) GENERATED ALWAYS AS (json_extract(canonical, '$.username')) STORED,
    role VARCHAR(20) GENERATED ALWAYS AS (json_extract(canonical, '$.role')) STORED,
    agency_id CHAR(32) GENERATED ALWAYS AS (replace(json_extract(canonical, '$.agency_id'), '-', '')) STORED,
    agency_kind VARCHAR(40) GENERATED ALWAYS AS (json_extract(canonical, '$.agency_kind')) STORED,
    action VARCHAR(60) GENERATED ALWAYS AS (json_extract(canonical, '$.action')) STORED NOT NULL,
    object_type VARCHAR(40) GENERATED ALWAYS AS (json_extract(canonical, '$.object_type')) STORED,
    object_id VARCHAR(64) GENERATED ALWAYS AS (json_extract(canonical, '$.object_id')) STORED,
    case_id CHAR(32) GENERATED ALWAYS AS (replace(json_extract(canonical, '$.case_id'), '-', '')) STORED,
    case_reference VARCHAR(20) GENERATED ALWAYS AS (json_extract(canonical, '$.case_reference')) STORED,
    detail JSON GENERATED ALWAYS AS (canonical -> '$.detail') STORED NOT NULL,
    client_address VARCHAR(64) GENERATED ALWAYS AS (json_extract(canonical, '$.client_address')) STORED,
    request_id VARCHAR(64) GENERATED ALWAYS AS (json_extract(canonical, '$.request_id')) STORED,
    outcome VARCHAR(40) GENERATED ALWAYS AS (json_extract(canonical, '$.outcome')) STORED NOT NULL,
    purpose VARCHAR(40) GENERATED ALWAYS AS (json_extract(canonical, '$.purpose')) STORED,
    prev_hash VARCHAR(64) GENERATED ALWAYS AS (json_extract(canonical, '$.prev_hash')) STORED NOT NULL,
    hash VARCHAR(64) NOT NULL,
    CONSTRAINT pk_audit_events PRIMARY KEY (seq),
    CONSTRAINT uq_audit_events_hash UNIQUE (hash)
)"""
POSTGRESQL_TABLE = """\
CREATE TABLE audit_events (
    seq BIGINT NOT NULL,
    canonical TEXT NOT NULL,
    at timestamp with time zone GENERATED ALWAYS AS (timezone('UTC'::text, make_timestamp((substr(((canonical)::json ->> 'at'::text), 1, 4))::integer, (substr(((canonical)::json ->> 'at'::text), 6, 2))::integer, (substr(((canonical)::json ->> 'at'::text), 9, 2))::integer, (substr(((canonical)::json ->> 'at'::text), 12, 2))::integer, (substr(((canonical)::json ->> 'at'::text), 15, 2))::integer, (substr(((canonical)::json ->> 'at'::text), 18, 9))::double precision))) STORED NOT NULL,
    actor_id uuid GENERATED ALWAYS AS ((((canonical)::json ->> 'actor_id'::text))::uuid) STORED,
    username character varying(64) GENERATED ALWAYS AS (((canonical)::json ->> 'username'::text)) STORED,
    role character varying(20) GENERATED ALWAYS AS (((canonical)::json ->> 'role'::text)) STORED,
    agency_id uuid GENERATED ALWAYS AS ((((canonical)::json ->> 'agency_id'::text))::uuid) STORED,
    agency_kind character varying(40) GENERATED ALWAYS AS (((canonical)::json ->> 'agency_kind'::text)) STORED,
    action character varying(60) GENERATED ALWAYS AS (((canonical)::json ->> 'action'::text)) STORED NOT NULL,
    object_type character varying(40) GENERATED ALWAYS AS (((canonical)::json ->> 'object_type'::text)) STORED,
    object_id character varying(64) GENERATED ALWAYS AS (((canonical)::json ->> 'object_id'::text)) STORED,
    case_id uuid GENERATED ALWAYS AS ((((canonical)::json ->> 'case_id'::text))::uuid) STORED,
    case_reference character varying(20) GENERATED ALWAYS AS (((canonical)::json ->> 'case_reference'::text)) STORED,
    detail json GENERATED ALWAYS AS (((canonical)::json -> 'detail'::text)) STORED NOT NULL,
    client_address character varying(64) GENERATED ALWAYS AS (((canonical)::json ->> 'client_address'::text)) STORED,
    request_id character varying(64) GENERATED ALWAYS AS (((canonical)::json ->> 'request_id'::text)) STORED,
    outcome character varying(40) GENERATED ALWAYS AS (((canonical)::json ->> 'outcome'::text)) STORED NOT NULL,
    purpose character varying(40) GENERATED ALWAYS AS (((canonical)::json ->> 'purpose'::text)) STORED,
    prev_hash character varying(64) GENERATED ALWAYS AS (((canonical)::json ->> 'prev_hash'::text)) STORED NOT NULL,
    hash VARCHAR(64) NOT NULL,
    CONSTRAINT pk_audit_events PRIMARY KEY (seq),
    CONSTRAINT uq_audit_events_hash UNIQUE (hash)
)"""
INDEXED = ("at", "actor_id", "username", "action", "case_id", "case_reference", "outcome")
# The hashed fields but `seq` as plain columns, as migration 0003 made them: (name, type, NOT NULL).
PLAIN = (
    ("at", UTCDateTime(), True),
    ("actor_id", sa.Uuid(), False),
    ("username", sa.String(64), False),
    ("role", sa.String(20), False),
    ("agency_id", sa.Uuid(), False),
    ("agency_kind", sa.String(40), False),
    ("action", sa.String(60), True),
    ("object_type", sa.String(40), False),
    ("object_id", sa.String(64), False),
    ("case_id", sa.Uuid(), False),
    ("case_reference", sa.String(20), False),
    ("detail", sa.JSON(), True),
    ("client_address", sa.String(64), False),
    ("request_id", sa.String(64), False),
    ("outcome", sa.String(40), True),
    ("purpose", sa.String(40), False),
    ("prev_hash", sa.String(64), True),
)


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    _set_aside(dialect)
    op.execute(POSTGRESQL_TABLE if dialect == "postgresql" else SQLITE_TABLE)
    try:
        op.execute(
            f"INSERT INTO {TABLE} (seq, canonical, hash)"  # noqa: S608
            f" SELECT seq, {_rebuilt_text(dialect)}, hash FROM {OLD}"
        )
    except sa.exc.DBAPIError as refused:
        if "BLOB" not in str(refused.orig):
            raise
        _encode_in_python(bind, None)  # SQLite refuses to quote a value stored as a BLOB
    else:
        _encode_in_python(bind, _unmatched(bind))
    op.drop_table(OLD)
    _index_and_freeze()


def _set_aside(dialect: str) -> None:
    """Move the old table out of the way, its triggers, indexes and constraint names with it."""
    allow_changes(TABLE)
    for column in INDEXED:
        op.drop_index(f"ix_{TABLE}_{column}", table_name=TABLE)
    if dialect == "postgresql":
        for constraint in ("pk_audit_events", "uq_audit_events_hash"):
            op.execute(
                f"ALTER TABLE {TABLE} RENAME CONSTRAINT {constraint} TO {constraint}_old"
            )
    op.rename_table(TABLE, OLD)


def _rebuilt_text(dialect: str) -> str:
    built = encoding.canonical_bytes(dialect)
    return f"convert_from({built}, 'UTF8')" if dialect == "postgresql" else f"CAST({built} AS TEXT)"


def _unmatched(bind: sa.Connection) -> list[Any]:
    """The events whose rebuilt text does not hash to their hash."""
    found, last = [], -(1 << 62)  # below any sequence number, even one a hand set below one
    query = sa.text(
        f"SELECT seq, canonical, hash FROM {TABLE}"  # noqa: S608
        " WHERE seq > :last ORDER BY seq LIMIT :n"
    )
    while rows := bind.execute(query, {"last": last, "n": CHUNK}).all():
        found += [
            seq for seq, text, digest in rows if hashlib.sha256(text.encode()).hexdigest() != digest
        ]
        last = rows[-1][0]
    return found


def _encode_in_python(bind: sa.Connection, seqs: list[Any] | None) -> None:
    """Write the text of these events (of every event, for None) as `audit.chain` encodes their
    columns: the bytes the walk that decoded every row hashed."""
    old = _old_table()
    if seqs is None:
        _write_encoded(bind, sa.select(old))
        return
    for at in range(0, len(seqs), AT_ONCE):
        some = seqs[at : at + AT_ONCE]
        bind.execute(sa.delete(_new_table()).where(sa.column("seq").in_(some)))
        _write_encoded(bind, sa.select(old).where(old.c.seq.in_(some)))


def _write_encoded(bind: sa.Connection, query: sa.Select[Any]) -> None:
    rows = bind.execute(query.order_by(sa.column("seq"))).mappings()
    while chunk := rows.fetchmany(CHUNK):
        encoded = [
            {
                "seq": row["seq"],
                "canonical": chain.canonical(dict(row)).decode(),
                "hash": row["hash"],
            }
            for row in chunk
        ]
        bind.execute(sa.insert(_new_table()), encoded)


def _new_table() -> sa.TableClause:
    return sa.table(TABLE, sa.column("seq"), sa.column("canonical"), sa.column("hash"))


def _old_table() -> sa.Table:
    """The old table with its types, so that its rows read as the recorder wrote them."""
    return sa.Table(OLD, sa.MetaData(), *_plain_columns())


def _plain_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        *(sa.Column(name, kind, nullable=not required) for name, kind, required in PLAIN),
        sa.Column("hash", sa.String(64), nullable=False),
    ]


def _index_and_freeze() -> None:
    for column in INDEXED:
        op.create_index(f"ix_{TABLE}_{column}", TABLE, [column])
    refuse_changes(TABLE)


def downgrade() -> None:
    """Back to plain columns, copied from the derived ones."""
    bind = op.get_bind()
    _set_aside(bind.dialect.name)
    op.create_table(
        TABLE,
        *_plain_columns(),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_events"),
        sa.UniqueConstraint("hash", name="uq_audit_events_hash"),
    )
    names = ", ".join(column.name for column in _plain_columns())
    op.execute(f"INSERT INTO {TABLE} ({names}) SELECT {names} FROM {OLD}")  # noqa: S608
    op.drop_table(OLD)
    _index_and_freeze()
