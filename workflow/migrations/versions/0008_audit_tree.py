"""audit tree: the Merkle tree's complete subtrees kept for proofs; a mark beside checkpoints

A proof read every leaf of the tree; it now reads the roots of the complete subtrees of 16 leaves
and more, kept in `audit_tree` (append-only, like the rest of the trail). The subtrees of the
events already written are kept here, over their stored hashes, as far as the trail runs without
a gap. A checkpoint may now carry a signed mark saying the chain was verified up to it; those
signed before have none.

Revision ID: 0008_audit_tree
Revises: 0007
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from audit import merkle
from workflow.migrations.append_only import allow_changes, refuse_changes

revision = "0008_audit_tree"
down_revision = "0007"
branch_labels = None
depends_on = None

LOWEST_KEPT_LEVEL = 4  # subtrees of 16 leaves and more
CHUNK = 1 << 16


def upgrade() -> None:
    tree = op.create_table(
        "audit_tree",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("level", "position", name=op.f("pk_audit_tree")),
    )
    op.add_column("audit_checkpoints", sa.Column("mark", sa.JSON(), nullable=True))
    _keep_subtrees(tree)
    refuse_changes("audit_tree")


def _keep_subtrees(tree: sa.Table) -> None:
    """Build the tree over the stored hashes, in sequence order, up to the first gap."""
    built = merkle.CompactRange(keep_from=LOWEST_KEPT_LEVEL)
    rows = op.get_bind().execute(sa.text("SELECT seq, hash FROM audit_events ORDER BY seq"))
    while chunk := rows.fetchmany(CHUNK):
        leaves = _contiguous(chunk, built.size + 1)
        built.append(leaves)
        if len(leaves) < len(chunk):
            break
    kept: list[dict[str, Any]] = [
        {"level": level, "position": at, "hash": node.hex()} for level, at, node in built.kept
    ]
    for start in range(0, len(kept), CHUNK):
        op.bulk_insert(tree, kept[start : start + CHUNK])


def _contiguous(chunk: Any, first: int) -> list[bytes]:
    leaves = []
    for expected, (seq, value) in enumerate(chunk, start=first):
        try:
            if seq != expected:
                break
            leaves.append(bytes.fromhex(value))
        except ValueError:  # a hash that is not one: the tree stops before it, as at a gap
            break
    return leaves


def downgrade() -> None:
    allow_changes("audit_tree")
    op.drop_table("audit_tree")
    allow_changes("audit_checkpoints")  # SQLite drops a column by copying the table
    with op.batch_alter_table("audit_checkpoints") as batch_op:
        batch_op.drop_column("mark")
    refuse_changes("audit_checkpoints")
