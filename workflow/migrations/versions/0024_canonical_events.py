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

from audit import chain, encoding, stored
from workflow.migrations.append_only import allow_changes, refuse_changes

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

OLD = "audit_events_legacy"
CHUNK = 1 << 16
AT_ONCE = 500  # sequence numbers in one IN list
# The plain columns as migration 0003 made them, for a downgrade; the others are String(64).
PLAIN: dict[str, Any] = {
    "at": sa.DateTime(timezone=True),
    "actor_id": sa.Uuid(),
    "agency_id": sa.Uuid(),
    "case_id": sa.Uuid(),
    "detail": sa.JSON(),
    "role": sa.String(20),
    "agency_kind": sa.String(40),
    "action": sa.String(60),
    "object_type": sa.String(40),
    "case_reference": sa.String(20),
    "outcome": sa.String(40),
    "purpose": sa.String(40),
}


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    _set_aside(dialect)
    op.execute(stored.create_table(dialect))
    try:
        op.execute(
            f"INSERT INTO {stored.TABLE} (seq, canonical, hash)"  # noqa: S608
            f" SELECT seq, {_rebuilt_text(dialect)}, hash FROM {OLD}"
        )
    except sa.exc.DBAPIError:
        if dialect == "postgresql":
            raise
        _encode_in_python(bind, None)  # SQLite refuses to quote a value stored as a BLOB
    else:
        _encode_in_python(bind, _unmatched(bind))
    op.drop_table(OLD)
    _index_and_freeze()


def _set_aside(dialect: str) -> None:
    """Move the old table out of the way, its triggers, indexes and constraint names with it."""
    allow_changes(stored.TABLE)
    for column in stored.INDEXED:
        op.drop_index(f"ix_{stored.TABLE}_{column}", table_name=stored.TABLE)
    if dialect == "postgresql":
        for constraint in ("pk_audit_events", "uq_audit_events_hash"):
            op.execute(
                f"ALTER TABLE {stored.TABLE} RENAME CONSTRAINT {constraint} TO {constraint}_old"
            )
    op.rename_table(stored.TABLE, OLD)


def _rebuilt_text(dialect: str) -> str:
    built = encoding.canonical_bytes(dialect)
    return f"convert_from({built}, 'UTF8')" if dialect == "postgresql" else f"CAST({built} AS TEXT)"


def _unmatched(bind: sa.Connection) -> list[Any]:
    """The events whose rebuilt text does not hash to their hash."""
    found, last = [], -(1 << 62)  # below any sequence number, even one a hand set below one
    query = sa.text(
        f"SELECT seq, canonical, hash FROM {stored.TABLE}"  # noqa: S608
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
    return sa.table(stored.TABLE, sa.column("seq"), sa.column("canonical"), sa.column("hash"))


def _old_table() -> sa.Table:
    """The old table with the model's types, so that its rows read as the recorder wrote them."""
    from audit.models import AuditEvent

    model = AuditEvent.__table__
    return sa.Table(
        OLD,
        sa.MetaData(),
        *(sa.Column(c.name, c.type) for c in model.c if c.name != "canonical"),
    )


def _index_and_freeze() -> None:
    for column in stored.INDEXED:
        op.create_index(f"ix_{stored.TABLE}_{column}", stored.TABLE, [column])
    refuse_changes(stored.TABLE)


def downgrade() -> None:
    """Back to plain columns, copied from the derived ones."""
    bind = op.get_bind()
    _set_aside(bind.dialect.name)
    op.create_table(
        stored.TABLE,
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        *(
            sa.Column(name, PLAIN.get(name, sa.String(64)), nullable=not required)
            for name, _lite, _pg, required in stored.COLUMNS
        ),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_events"),
        sa.UniqueConstraint("hash", name="uq_audit_events_hash"),
    )
    names = ", ".join(["seq", *stored.DERIVED, "hash"])
    op.execute(f"INSERT INTO {stored.TABLE} ({names}) SELECT {names} FROM {OLD}")  # noqa: S608
    op.drop_table(OLD)
    _index_and_freeze()
