"""Tampering with the trail straight in the database is detected and located, by API and CLI.

Each test builds a trail of real events through the API, then changes the database the way an
intruder holding the database password would: raw SQL with the append-only triggers out of the way.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Connection, bindparam, delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from audit import stored, verification, walk
from audit.chain import GENESIS, event_hash
from audit.models import AuditCheckpoint, AuditEvent, AuditHead
from tests.audit.helpers import change_event, plain_columns
from tests.factories import Api
from workflow import transactions

EVENTS = AuditEvent.__table__
HEAD = AuditHead.__table__
CHECKPOINTS = AuditCheckpoint.__table__
APPEND_ONLY = ("audit_events", "audit_checkpoints")


# --- building a trail and tampering with it -------------------------------------------------------


def build_trail(api: Api, client: FlaskClient) -> int:
    """About twenty real events: sign-ins, a failed one, cases opened, read, listed, refused."""
    api.token("lawyer")
    api.token("auditor")  # signed in now, so that verifying later adds no sign-in event
    refused = client.post(
        "/api/v1/auth/login", json={"username": "lawyer", "password": "not the password"}
    )
    assert refused.status_code == 401
    for _ in range(3):
        case = api.create_case()
        api.case("lawyer", case["id"])
        api.get("lawyer", f"/api/v1/cases/{case['id']}/history")
        api.get("registrar", f"/api/v1/cases/{case['id']}")
    api.get("lawyer", "/api/v1/cases")
    api.get("lawyer", "/api/v1/me")
    api.get("lawyer", "/api/v1/workflow")
    size = head(api)[0]
    assert 18 <= size <= 25
    return size


def head(api: Api) -> tuple[int, str]:
    with engine(api).connect() as connection:
        row = connection.execute(select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.id == 1)).one()
    return int(row.seq), str(row.hash)


def engine(api: Api) -> Any:
    return api.client.application.extensions["homeward.engine"]


def failed_sign_in(api: Api) -> int:
    """The sequence number of the refused sign-in: the event an intruder would most like gone."""
    with engine(api).connect() as connection:
        return int(
            connection.execute(
                select(EVENTS.c.seq).where(
                    EVENTS.c.action == "auth.login", EVENTS.c.outcome != "success"
                )
            ).scalar_one()
        )


@contextmanager
def tampering(api: Api) -> Iterator[Connection]:
    """One transaction that the append-only triggers do not stop; they are back after it."""
    with engine(api).begin() as connection:
        if connection.dialect.name == "postgresql":
            # Triggers do not fire for a replica session; only a superuser may ask for it.
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            yield connection
            return
        triggers = connection.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN :t"
            ).bindparams(bindparam("t", expanding=True)),
            {"t": list(APPEND_ONLY)},
        ).all()
        assert sorted(name for name, _sql in triggers) == [
            "audit_checkpoints_no_delete",
            "audit_checkpoints_no_update",
            "audit_events_no_delete",
            "audit_events_no_update",
        ]
        for name, _sql in triggers:
            connection.execute(text(f"DROP TRIGGER {name}"))
        yield connection
        for _name, sql in triggers:
            connection.execute(text(sql))


def rows(connection: Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in connection.execute(select(EVENTS).order_by(EVENTS.c.seq)).mappings()]


def rewrite_chain(connection: Connection, seq: int, **changes: Any) -> None:
    """Change event `seq`, recompute every hash from the first event on, move the head to match."""
    previous = GENESIS
    for row in rows(connection):
        own = changes if row["seq"] == seq else {}
        row.update(own, prev_hash=previous)
        row["hash"] = previous = event_hash(row)
        change_event(connection, row["seq"], **own, prev_hash=row["prev_hash"], hash=row["hash"])
    connection.execute(update(HEAD).where(HEAD.c.id == 1).values(hash=previous))


# --- verifying, both ways -------------------------------------------------------------------------


def verify_by_cli(runner: Any, *held: Path) -> tuple[int, dict[str, Any]]:
    args = ["audit", "verify", "--json"]
    for path in held:
        args += ["--checkpoint", str(path)]
    result = runner.invoke(args=args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def verify_by_api(api: Api) -> dict[str, Any]:
    response = api.get("auditor", "/api/v1/audit/verify")
    assert response.status_code == 200, response.json
    return dict(response.json)


def assert_broken_at(api: Api, runner: Any, seq: int, problem: str) -> None:
    """Both the CLI and the API name the same first broken event; the CLI exits 1."""
    # The CLI first: the API's own verify request leaves an event after the one it checks.
    exit_code, by_cli = verify_by_cli(runner)
    by_api = verify_by_api(api)
    for result in (by_cli, by_api):
        assert result["ok"] is False
        assert result["first_broken"] == {"seq": seq, "problem": problem}
    assert exit_code == 1


def assert_intact(api: Api, runner: Any, size: int) -> None:
    exit_code, by_cli = verify_by_cli(runner)
    by_api = verify_by_api(api)
    for result in (by_cli, by_api):
        assert result["ok"] is True and result["first_broken"] is None
        assert result["events"] == size and result["head"]["seq"] == size
    assert exit_code == 0


def checkpoint_by_api(api: Api) -> dict[str, Any]:
    response = api.post("auditor", "/api/v1/audit/checkpoints")
    assert response.status_code == 201, response.json
    return dict(response.json)


def checkpoint_by_cli(runner: Any, out: Path) -> dict[str, Any]:
    result = runner.invoke(args=["audit", "checkpoint", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return dict(json.loads(out.read_text(encoding="utf-8")))


def forged(checkpoint: dict[str, Any], how: str) -> dict[str, Any]:
    """The checkpoint with its signature altered, or with its statement changed under it."""
    if how == "signature altered":
        raw = bytearray(base64.b64decode(checkpoint["signature"]))
        raw[0] ^= 0x01
        return {**checkpoint, "signature": base64.b64encode(bytes(raw)).decode()}
    return {**checkpoint, "head_hash": "ab" * 32}


# --- the untouched trail --------------------------------------------------------------------------


def test_an_untouched_trail_verifies_with_its_head(
    api: Api, client: FlaskClient, runner: Any
) -> None:
    size = build_trail(api, client)
    exit_code, result = verify_by_cli(runner)
    assert exit_code == 0
    assert result["head"] == {"seq": size, "hash": head(api)[1]}
    assert_intact(api, runner, size)


# --- single events changed, removed or moved ------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("outcome", "success", "altered_event"),
        ("username", "lawyer2", "altered_event"),
        ("client_address", "10.9.8.7", "altered_event"),
        ("action", "auth.me", "altered_event"),
        ("hash", "f" * 64, "altered_event"),
        ("prev_hash", "e" * 64, "broken_link"),
    ],
)
def test_a_changed_field_is_found_at_its_event(
    api: Api, client: FlaskClient, runner: Any, column: str, value: str, problem: str
) -> None:
    build_trail(api, client)
    victim = failed_sign_in(api)
    with tampering(api) as connection:
        change_event(connection, victim, **{column: value})
    assert_broken_at(api, runner, victim, problem)


def test_a_derived_column_cannot_be_written_even_past_the_triggers(
    api: Api, client: FlaskClient
) -> None:
    build_trail(api, client)
    victim = failed_sign_in(api)
    refused = "generated column|can only be updated to DEFAULT"
    with pytest.raises(DBAPIError, match=refused), tampering(api) as connection:
        connection.execute(update(EVENTS).where(EVENTS.c.seq == victim).values(outcome="success"))


def test_a_table_rebuilt_with_plain_columns_is_checked_column_by_column(
    api: Api, client: FlaskClient, runner: Any
) -> None:
    """With plain columns a column could differ from the text its hash covers: the catalogue
    shows it, and verification rebuilds each event's bytes from its columns instead. (By the
    CLI alone: Homeward itself no longer writes to such a table.)"""
    build_trail(api, client)
    victim = failed_sign_in(api)
    with tampering(api) as connection:
        assert stored.vouched_for(connection)
        plain_columns(connection)
        connection.execute(update(EVENTS).where(EVENTS.c.seq == victim).values(outcome="success"))
        assert not stored.vouched_for(connection)
    exit_code, result = verify_by_cli(runner)
    assert (exit_code, result["first_broken"]) == (1, {"seq": victim, "problem": "altered_event"})


def _disguised_change(connection: Connection, seq: int) -> None:
    """Change a derived column the way only the catalogue's owner could on PostgreSQL: make it
    plain in the catalogue itself, change it, and make the catalogue say it is derived again."""
    flag = text(
        "UPDATE pg_attribute SET attgenerated = :flag"
        " WHERE attrelid = 'audit_events'::regclass AND attname = 'outcome'"
    )
    connection.execute(flag, {"flag": ""})
    connection.execute(update(EVENTS).where(EVENTS.c.seq == seq).values(outcome="success"))
    connection.execute(flag, {"flag": "s"})


def _schema_in_the_file(connection: Connection, schema: str) -> None:
    """Write the events table's schema into a SQLite file, as whoever can write the file can."""
    connection.exec_driver_sql("PRAGMA writable_schema = ON")
    connection.execute(
        text("UPDATE sqlite_master SET sql = :sql WHERE name = 'audit_events'"), {"sql": schema}
    )
    connection.exec_driver_sql("PRAGMA writable_schema = RESET")  # read the schema anew


def test_a_column_changed_behind_the_catalogue_is_found_by_checking_every_column(
    api: Api, client: FlaskClient, runner: Any
) -> None:
    """On PostgreSQL verification trusts the catalogue to say the columns are derived; one who
    can edit the catalogue itself can make it lie, and `--every-column` still finds the change.
    SQLite stores no derived value to change: the file's schema must say otherwise, which
    verification sees, so it checks every column even unasked."""
    build_trail(api, client)
    victim = failed_sign_in(api)
    with tampering(api) as connection:
        postgresql = connection.dialect.name == "postgresql"
        if postgresql:
            _disguised_change(connection, victim)
        else:  # every sign-in a success
            derived = stored.expression("sqlite", "outcome")
            lie = f"CASE {stored.expression('sqlite', 'action')} WHEN 'auth.login' THEN 'success'"
            _schema_in_the_file(
                connection,
                stored.create_table("sqlite").replace(
                    f"AS ({derived}) VIRTUAL", f"AS ({lie} ELSE {derived} END) VIRTUAL"
                ),
            )
        assert stored.vouched_for(connection) is postgresql
        changed = connection.scalar(select(EVENTS.c.outcome).where(EVENTS.c.seq == victim))
        assert changed == "success"
    assert verify_by_cli(runner)[1]["ok"] is postgresql
    result = runner.invoke(args=["audit", "verify", "--json", "--every-column"])
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["first_broken"] == {"seq": victim, "problem": "altered_event"}


def test_a_change_to_a_later_event_is_found_there(
    api: Api, client: FlaskClient, runner: Any
) -> None:
    size = build_trail(api, client)
    with tampering(api) as connection:
        change_event(connection, size, username="registrar")
    assert_broken_at(api, runner, size, "altered_event")


@pytest.mark.parametrize("where", ["first", "failed sign-in", "middle"])
def test_a_deleted_event_is_found_at_its_place(
    api: Api, client: FlaskClient, runner: Any, where: str
) -> None:
    size = build_trail(api, client)
    victim = {"first": 1, "failed sign-in": failed_sign_in(api), "middle": size // 2}[where]
    with tampering(api) as connection:
        connection.execute(delete(EVENTS).where(EVENTS.c.seq == victim))
    assert_broken_at(api, runner, victim, "missing_or_reordered_event")


@pytest.mark.parametrize(("first", "second"), [(5, 9), (7, 8), (1, 2)])
def test_two_swapped_events_are_found_at_the_earlier(
    api: Api, client: FlaskClient, runner: Any, first: int, second: int
) -> None:
    build_trail(api, client)
    with tampering(api) as connection:
        for old, new in ((first, -1), (second, first), (-1, second)):
            connection.execute(update(EVENTS).where(EVENTS.c.seq == old).values(seq=new))
    assert_broken_at(api, runner, first, "broken_link")


# --- the tail cut off -----------------------------------------------------------------------------


def test_a_tail_cut_without_moving_the_head_is_found(
    api: Api, client: FlaskClient, runner: Any
) -> None:
    size = build_trail(api, client)
    with tampering(api) as connection:
        connection.execute(delete(EVENTS).where(EVENTS.c.seq > size - 3))
    assert_broken_at(api, runner, size - 2, "missing_tail")


def test_a_tail_cut_behind_a_checkpoint_is_found_even_with_the_head_moved_back(
    api: Api, client: FlaskClient, runner: Any
) -> None:
    build_trail(api, client)
    checkpoint = checkpoint_by_api(api)
    kept = checkpoint["seq"] - 4
    with tampering(api) as connection:
        connection.execute(delete(EVENTS).where(EVENTS.c.seq > kept))
        last = connection.execute(select(EVENTS.c.hash).where(EVENTS.c.seq == kept)).scalar_one()
        connection.execute(update(HEAD).where(HEAD.c.id == 1).values(seq=kept, hash=last))
    assert_broken_at(api, runner, kept + 1, "missing_after_checkpoint")


def test_a_tail_cut_behind_a_held_checkpoint_is_found_with_the_stored_ones_gone(
    api: Api, client: FlaskClient, runner: Any, tmp_path: Path
) -> None:
    build_trail(api, client)
    held = tmp_path / "held.json"
    checkpoint = checkpoint_by_cli(runner, held)
    kept = checkpoint["seq"] - 5
    with tampering(api) as connection:
        connection.execute(delete(EVENTS).where(EVENTS.c.seq > kept))
        connection.execute(delete(CHECKPOINTS))
        last = connection.execute(select(EVENTS.c.hash).where(EVENTS.c.seq == kept)).scalar_one()
        connection.execute(update(HEAD).where(HEAD.c.id == 1).values(seq=kept, hash=last))

    assert verify_by_cli(runner)[0] == 0  # nothing left inside Homeward shows the cut
    exit_code, result = verify_by_cli(runner, held)
    assert exit_code == 1
    assert result["first_broken"] == {"seq": kept + 1, "problem": "missing_after_checkpoint"}


# --- the whole chain rewritten --------------------------------------------------------------------


def test_a_consistently_rewritten_chain_passes_without_checkpoints(
    api: Api, client: FlaskClient, runner: Any
) -> None:
    """Whoever can write the database can recompute every hash: the chain alone cannot tell.

    This is why checkpoints exist: a signed head kept outside the database is the only thing a
    rewrite cannot reproduce.
    """
    size = build_trail(api, client)
    victim = failed_sign_in(api)
    with tampering(api) as connection:
        rewrite_chain(connection, victim, outcome="success")
    assert_intact(api, runner, size)


def test_a_rewritten_chain_is_caught_by_a_checkpoint_held_outside(
    api: Api, client: FlaskClient, runner: Any, tmp_path: Path
) -> None:
    build_trail(api, client)
    held = tmp_path / "held-checkpoint.json"
    checkpoint = checkpoint_by_cli(runner, held)
    victim = failed_sign_in(api)
    with tampering(api) as connection:
        rewrite_chain(connection, victim, outcome="success")
        connection.execute(delete(CHECKPOINTS))

    exit_code, without = verify_by_cli(runner)
    assert exit_code == 0 and without["ok"] is True
    exit_code, result = verify_by_cli(runner, held)
    assert exit_code == 1 and result["ok"] is False
    assert result["first_broken"] == {
        "seq": checkpoint["seq"],
        "problem": "does_not_match_checkpoint",
    }
    assert verify_by_api(api)["ok"] is True  # the server no longer holds anything to compare


def test_a_rewritten_chain_is_caught_by_a_stored_checkpoint(
    api: Api, client: FlaskClient, runner: Any
) -> None:
    build_trail(api, client)
    checkpoint = checkpoint_by_api(api)
    victim = failed_sign_in(api)
    with tampering(api) as connection:
        rewrite_chain(connection, victim, outcome="success")
    assert_broken_at(api, runner, checkpoint["seq"], "does_not_match_checkpoint")


def test_a_rewrite_is_located_by_the_first_checkpoint_it_contradicts(
    api: Api, client: FlaskClient, runner: Any, tmp_path: Path
) -> None:
    build_trail(api, client)
    early = checkpoint_by_cli(runner, tmp_path / "early.json")
    api.create_case()
    api.get("lawyer", "/api/v1/cases")
    late = checkpoint_by_cli(runner, tmp_path / "late.json")
    victim = early["seq"] + 2
    assert victim < late["seq"]
    with tampering(api) as connection:
        rewrite_chain(connection, victim, username="someone_else")
        connection.execute(delete(CHECKPOINTS))

    exit_code, result = verify_by_cli(runner, tmp_path / "early.json", tmp_path / "late.json")
    assert exit_code == 1
    assert result["first_broken"] == {"seq": late["seq"], "problem": "does_not_match_checkpoint"}
    exit_code, result = verify_by_cli(runner, tmp_path / "early.json")
    assert exit_code == 0 and result["ok"] is True


# --- forged checkpoints ---------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["signature altered", "statement changed"])
def test_a_forged_stored_checkpoint_is_refused(
    api: Api, client: FlaskClient, runner: Any, how: str
) -> None:
    build_trail(api, client)
    checkpoint = checkpoint_by_api(api)
    with tampering(api) as connection:
        connection.execute(update(CHECKPOINTS).values(body=forged(checkpoint, how)))
    assert_broken_at(api, runner, checkpoint["seq"], "checkpoint_signature_invalid")


@pytest.mark.parametrize("how", ["signature altered", "statement changed"])
def test_a_forged_held_checkpoint_is_refused(
    api: Api, client: FlaskClient, runner: Any, tmp_path: Path, how: str
) -> None:
    build_trail(api, client)
    held = tmp_path / "held.json"
    checkpoint = checkpoint_by_cli(runner, held)
    held.write_text(json.dumps(forged(checkpoint, how)), encoding="utf-8")
    exit_code, result = verify_by_cli(runner, held)
    assert exit_code == 1
    assert result["first_broken"] == {
        "seq": checkpoint["seq"],
        "problem": "checkpoint_signature_invalid",
    }


# --- append-only, in the database and in the ORM --------------------------------------------------


# Each refused change leaves the trail as it was, so they share one trail; each checks it holds
# every event its head held before (verifying through the API adds events of its own).

REFUSED_STATEMENTS = [
    "UPDATE audit_events SET canonical = replace(canonical, 'denied', 'success') WHERE seq = 3",
    "UPDATE audit_events SET hash = upper(hash) WHERE seq = 3",
    "UPDATE audit_events SET seq = seq + 100",
    "DELETE FROM audit_events WHERE seq = 3",
    "DELETE FROM audit_events",
    "UPDATE audit_checkpoints SET seq = 0",
    "DELETE FROM audit_checkpoints",
]


def test_the_database_refuses_to_change_the_trail(
    api: Api, client: FlaskClient, runner: Any, subtests: pytest.Subtests
) -> None:
    size = build_trail(api, client)
    checkpoint_by_api(api)
    assert head(api)[0] == size + 1
    for statement in REFUSED_STATEMENTS:
        with subtests.test(msg=statement, statement=statement):
            size = head(api)[0]
            with pytest.raises(DBAPIError, match="append-only"), engine(api).begin() as connection:
                connection.execute(text(statement))
            assert_intact(api, runner, size)
            with engine(api).connect() as connection:
                assert connection.scalar(select(func.count()).select_from(CHECKPOINTS)) == 1


def test_the_orm_refuses_to_change_an_event(
    app: Any, api: Api, client: FlaskClient, runner: Any, subtests: pytest.Subtests
) -> None:
    build_trail(api, client)
    for change in ["modify", "delete"]:
        with subtests.test(msg=change, change=change):
            size = head(api)[0]
            with (
                pytest.raises(RuntimeError, match="append-only"),
                app.app_context(),
                transactions.unit_of_work() as session,
            ):
                event = session.get(AuditEvent, 3)
                assert event is not None
                if change == "modify":
                    event.outcome = "success"
                else:
                    session.delete(event)
                session.flush()
            assert_intact(api, runner, size)


def test_bulk_orm_statements_are_refused_too(
    app: Any, api: Api, client: FlaskClient, runner: Any, subtests: pytest.Subtests
) -> None:
    build_trail(api, client)
    for change in ["bulk update", "bulk delete"]:
        with subtests.test(msg=change, change=change):
            size = head(api)[0]
            statement = (
                update(AuditEvent).values(canonical="{}")
                if change == "bulk update"
                else delete(AuditEvent).where(AuditEvent.seq > 3)
            )
            with (
                pytest.raises(DBAPIError, match="append-only"),
                app.app_context(),
                transactions.unit_of_work() as session,
            ):
                session.execute(statement)
            assert_intact(api, runner, size)


def test_the_orm_refuses_to_change_a_checkpoint(app: Any, api: Api, client: FlaskClient) -> None:
    build_trail(api, client)
    checkpoint_by_api(api)
    with (
        pytest.raises(RuntimeError, match="append-only"),
        app.app_context(),
        transactions.unit_of_work() as session,
    ):
        stored = session.scalars(select(AuditCheckpoint)).one()
        stored.seq = 0
        session.flush()
    with app.app_context():
        assert transactions.session().scalars(select(AuditCheckpoint.seq)).one() > 0


def test_ranges_checked_at_once_name_the_same_first_break(
    api: Api, client: FlaskClient, runner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every column checked, in ranges of three events: on PostgreSQL the database rebuilds
    several ranges at once, each on a connection of its own (on SQLite one at a time), and the
    walk still names the first break, after the ranges before it held."""
    build_trail(api, client)
    victim = failed_sign_in(api)
    with tampering(api) as connection:
        change_event(connection, victim, outcome="success")
        postgresql = connection.dialect.name == "postgresql"
    threads: set[str] = set()
    check = walk.segments.check

    def noted(*arguments: Any) -> Any:
        threads.add(threading.current_thread().name.split("_")[0])
        return check(*arguments)

    monkeypatch.setattr(verification, "BATCH", 3)
    monkeypatch.setattr(walk.segments, "check", noted)
    result = runner.invoke(args=["audit", "verify", "--json", "--every-column"])
    assert json.loads(result.stdout)["first_broken"] == {"seq": victim, "problem": "altered_event"}
    assert threads == ({"audit-verify"} if postgresql else {"MainThread"})


def test_checking_every_column_since_a_checkpoint_is_refused_as_a_usage_error(runner: Any) -> None:
    result = runner.invoke(args=["audit", "verify", "--every-column", "--since-checkpoint"])
    assert result.exit_code == 2
    assert "--every-column verifies the whole trail" in result.output
