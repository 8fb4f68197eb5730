"""Migration 0008 keeps the Merkle tree's complete subtrees of the events already written, and
gives checkpoints a place for their mark; taken back, it leaves the trail as it found it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError

from audit import merkle, tree
from audit.models import AuditEvent
from tests.audit.helpers import fill
from tests.audit.test_incremental_verification import verify_since
from tests.audit.test_tampering import tampering, verify_by_cli
from tests.factories import Api
from workflow import migrations, transactions


def _before_0008(app: Any, events: int) -> list[bytes]:
    """A trail written under schema 0007, with a checkpoint stored as 0007 kept them."""
    engine = app.extensions["homeward.engine"]
    migrations.downgrade(engine, "0007")
    fill(app, events)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO audit_checkpoints (seq, body) VALUES (3, :body)"),
            {"body": '{"seq": 3}'},
        )
        hashes = connection.scalars(text("SELECT hash FROM audit_events ORDER BY seq"))
        return [bytes.fromhex(value) for value in hashes]


def _kept(app: Any) -> dict[tuple[int, int], str]:
    with app.extensions["homeward.engine"].connect() as connection:
        rows = connection.execute(text("SELECT level, position, hash FROM audit_tree"))
        return {(level, at): value for level, at, value in rows}


def test_the_subtrees_of_the_events_written_before_are_kept(
    app: Any, api: Api, runner: Any
) -> None:
    leaves = _before_0008(app, 100)
    migrations.upgrade(app.extensions["homeward.engine"])

    assert _kept(app) == {
        (level, at): merkle.root(leaves[at << level : (at + 1) << level]).hex()
        for level in range(tree.LEVEL, 7)
        for at in range(100 >> level)
    }
    with app.app_context():
        mark = transactions.session().scalar(text("SELECT mark FROM audit_checkpoints"))
    assert mark is None
    for seq, size in ((1, 100), (37, 64), (100, 100), (50, 81)):
        body = api.get("auditor", f"/api/v1/audit/proofs/inclusion?seq={seq}&size={size}").json
        assert body["path"] == [n.hex() for n in merkle.inclusion_proof(seq - 1, leaves[:size])]


def test_the_subtrees_stop_at_the_first_gap(app: Any, api: Api) -> None:
    leaves = _before_0008(app, 70)
    with tampering(api) as connection:
        connection.execute(text("DELETE FROM audit_events WHERE seq = 40"))
    migrations.upgrade(app.extensions["homeward.engine"])
    assert set(_kept(app)) == {(4, 0), (4, 1), (5, 0)}
    assert _kept(app)[(5, 0)] == merkle.root(leaves[:32]).hex()


def test_a_migrated_trail_verifies_in_full_and_then_from_its_next_checkpoint(
    app: Any, runner: Any, tmp_path: Any
) -> None:
    _before_0008(app, 50)
    migrations.upgrade(app.extensions["homeward.engine"])
    assert verify_since(runner)[1]["verified_from"] == 0
    result = runner.invoke(args=["audit", "checkpoint", "--out", str(tmp_path / "cp.json")])
    assert result.exit_code == 0, result.output
    fill(app, 3)
    exit_code, result = verify_since(runner)
    assert exit_code == 0 and result["verified_from"] == 50 and result["events"] == 54
    assert verify_by_cli(runner)[1]["events"] == 54


def test_taking_it_back_leaves_the_checkpoints_append_only(app: Any) -> None:
    engine = app.extensions["homeward.engine"]
    fill(app, 20)
    migrations.downgrade(engine, "0007")
    with engine.connect() as connection:
        assert "audit_tree" not in inspect(connection).get_table_names()
        columns = {
            column["name"] for column in inspect(connection).get_columns("audit_checkpoints")
        }
        assert "mark" not in columns
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO audit_checkpoints (seq, body) VALUES (1, '{}')"))
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE audit_checkpoints SET seq = 2"))
    migrations.upgrade(engine)
    with app.app_context():
        assert (
            transactions.session().scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()))
            == 20
        )
