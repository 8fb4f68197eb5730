"""The Merkle tree's complete subtrees kept by checkpoints, and proofs read from them: the same
proofs as over every leaf, reading O(log n) rows whatever the trail's length."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Connection, delete, func, select, text
from sqlalchemy.exc import DBAPIError

from audit import checkpoints, merkle, tree
from audit.models import AuditEvent, AuditTreeNode
from tests.audit.helpers import fill
from tests.audit.test_tampering import engine, tampering
from tests.factories import Api
from tests.workflow.test_list_plans import problems
from workflow import transactions


def _leaves(app: Any) -> list[bytes]:
    with app.app_context():
        hashes = transactions.session().scalars(select(AuditEvent.hash).order_by(AuditEvent.seq))
        return [bytes.fromhex(value) for value in hashes]


def _kept(app: Any) -> dict[tuple[int, int], str]:
    with app.app_context():
        rows = transactions.session().execute(select(AuditTreeNode)).scalars()
        return {(node.level, node.position): node.hash for node in rows}


def _checkpoint(app: Any) -> dict[str, Any]:
    with app.app_context(), transactions.unit_of_work() as session:
        return checkpoints.create(session, checkpoints.signing_key())


@contextmanager
def _tree_unguarded(api: Api) -> Iterator[Connection]:
    """One transaction in which the kept subtrees may be changed, as an intruder could."""
    if engine(api).dialect.name == "postgresql":
        with tampering(api) as connection:
            yield connection
        return
    with engine(api).begin() as connection:
        found = connection.execute(
            text(
                "SELECT name, sql FROM sqlite_master"
                " WHERE tbl_name = 'audit_tree' AND type = 'trigger'"
            ),
        ).all()
        assert len(found) == 2
        for name, _sql in found:
            connection.execute(text(f"DROP TRIGGER {name}"))
        yield connection
        for _name, sql in found:
            connection.execute(text(sql))


def _complete_subtrees(leaves: list[bytes], size: int) -> dict[tuple[int, int], str]:
    return {
        (level, at): merkle.root(leaves[at << level : (at + 1) << level]).hex()
        for level in range(tree.LEVEL, size.bit_length())
        for at in range(size >> level)
    }


class Counting:
    """A session that counts the statements run and the rows they gave back."""

    def __init__(self, session: Any) -> None:
        self.session, self.statements, self.rows = session, 0, 0

    def execute(self, statement: Any, *parameters: Any) -> Any:
        found = self.session.execute(statement, *parameters).all()
        self.statements, self.rows = self.statements + 1, self.rows + len(found)
        return _Rows(found)

    def scalar(self, statement: Any) -> Any:
        self.statements, self.rows = self.statements + 1, self.rows + 1
        return self.session.scalar(statement)


class _Rows(list[Any]):
    def all(self) -> list[Any]:
        return list(self)


def test_a_checkpoint_keeps_every_complete_subtree_of_16_leaves_and_more(app: Any) -> None:
    size = fill(app, 300)
    signed = _checkpoint(app)
    leaves = _leaves(app)
    assert signed["seq"] == size and signed["merkle_root"] == merkle.root(leaves).hex()
    assert _kept(app) == _complete_subtrees(leaves, size)

    fill(app, 40)  # the next checkpoint adds what completed since, and keeps the rest as it was
    _checkpoint(app)
    assert _kept(app) == _complete_subtrees(_leaves(app), size + 40)


@pytest.mark.parametrize("kept", ["kept up to the checkpoint", "none kept"])
def test_proofs_read_from_the_tree_are_the_proofs_over_every_leaf(
    app: Any, api: Api, kept: str
) -> None:
    fill(app, 150)
    _checkpoint(app)
    fill(app, 37)  # written since the checkpoint: read as leaves
    if kept == "none kept":
        with _tree_unguarded(api) as connection:
            connection.execute(delete(AuditTreeNode))
    leaves = _leaves(app)
    for size in (1, 2, 16, 17, 100, 150, 151, 160, len(leaves)):
        for seq in sorted({1, min(2, size), size // 2 + 1, size}):
            body = api.get("auditor", f"/api/v1/audit/proofs/inclusion?seq={seq}&size={size}").json
            path = [bytes.fromhex(node) for node in body["path"]]
            assert path == merkle.inclusion_proof(seq - 1, leaves[:size])
            assert body["root"] == merkle.root(leaves[:size]).hex()
            assert merkle.verify_inclusion(
                seq - 1, size, leaves[seq - 1], path, merkle.root(leaves[:size])
            )
        for old in sorted({1, size // 3 + 1, size}):
            body = api.get("auditor", f"/api/v1/audit/proofs/consistency?old={old}&new={size}").json
            assert [bytes.fromhex(node) for node in body["proof"]] == merkle.consistency_proof(
                old, leaves[:size]
            )
            assert body["old_root"] == merkle.root(leaves[:old]).hex()


@pytest.mark.parametrize("size", [1_000, 4_000])
def test_a_proof_reads_o_log_n_rows(app: Any, size: int) -> None:
    fill(app, size)
    _checkpoint(app)
    bound = 4 * math.ceil(math.log2(size)) + 2 * 2**tree.LEVEL  # nodes, and two blocks of leaves
    with app.app_context():
        for seq in (1, size // 3, size - 5, size):
            counting = Counting(transactions.session())
            checkpoints.inclusion(counting, seq, size)  # type: ignore[arg-type]
            assert counting.statements == 2 and counting.rows <= bound  # the size, the rows
            counting = Counting(transactions.session())
            checkpoints.consistency(counting, seq, size)  # type: ignore[arg-type]
            assert counting.statements == 2 and counting.rows <= bound


def test_a_proof_reads_the_kept_nodes_and_the_events_by_key(app: Any) -> None:
    """No proof reads the whole tree or trail, on either database: SQLite answered the kept
    nodes' keys as a row-value IN by reading every node, milliseconds that grow with the trail."""
    size = fill(app, 300)
    _checkpoint(app)
    fill(app, 20)  # written since the checkpoint: read as leaves
    trail = frozenset({"audit_tree", "audit_events"})
    with app.app_context():
        for proof in (
            lambda session: checkpoints.inclusion(session, 77, size + 20),
            lambda session: checkpoints.consistency(session, 100, size + 20),
            lambda session: tree.root(session, size),
        ):
            assert problems(app, lambda proof=proof: _read(proof), trail) == []


def test_proofs_hold_over_a_long_trail_written_since_the_checkpoint(app: Any, api: Api) -> None:
    """Thousands of 16-leaf blocks not yet kept are asked for at once, one term a level: an OR
    of a term a node outgrew SQLite's limit on an expression's depth."""
    _checkpoint(app)
    size = fill(app, 17_000)
    leaves = _leaves(app)

    body = api.get("auditor", f"/api/v1/audit/proofs/inclusion?seq=5&size={size}").json

    assert [bytes.fromhex(node) for node in body["path"]] == merkle.inclusion_proof(4, leaves)
    assert body["root"] == merkle.root(leaves).hex()


def _read(proof: Any) -> None:
    """Run the proof in a transaction of its own, ended before its plans are read."""
    with transactions.unit_of_work() as session:
        proof(session)


def test_the_kept_subtrees_are_append_only(app: Any, api: Api) -> None:
    fill(app, 40)
    _checkpoint(app)
    for statement in ("UPDATE audit_tree SET hash = 'ab'", "DELETE FROM audit_tree"):
        with pytest.raises(DBAPIError, match="append-only"), engine(api).begin() as connection:
            connection.execute(text(statement))
    with engine(api).connect() as connection:
        assert connection.scalar(select(func.count()).select_from(AuditTreeNode)) == 3  # 32, 16+16
    with (
        pytest.raises(RuntimeError, match="append-only"),
        app.app_context(),
        transactions.unit_of_work() as session,
    ):
        node = session.scalars(select(AuditTreeNode)).first()
        assert node is not None
        node.hash = "ab" * 32
