"""A session lives minutes per token, ends at once when asked or when stolen, and never outlives
the rights it was opened with."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import inspect, select

from tests.audit.helpers import events
from tests.conftest import PASSWORD
from workflow import transactions
from workflow.db import utcnow
from workflow.identity.operations import live_session_user
from workflow.models import Agency, AuthSession, User


def sign_in(client: FlaskClient, username: str = "lawyer") -> dict[str, Any]:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return dict(response.json)


def trade(client: FlaskClient, refresh_token: str) -> Any:
    return client.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})


def me(client: FlaskClient, pair: dict[str, Any]) -> int:
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    return int(client.get("/api/v1/me", headers=headers).status_code)


def sessions_of(app: Any, username: str) -> list[AuthSession]:
    with app.app_context():
        session = transactions.session()
        user = session.scalar(select(User).filter_by(username=username))
        found = list(session.scalars(select(AuthSession).filter_by(user_id=user.id)))
        session.expunge_all()
        return found


def change_session(app: Any, username: str, **values: Any) -> None:
    with app.app_context(), transactions.unit_of_work() as session:
        user = session.scalar(select(User).filter_by(username=username))
        for row in session.scalars(select(AuthSession).filter_by(user_id=user.id)):
            for name, value in values.items():
                setattr(row, name, value)


def test_access_tokens_live_minutes(client: FlaskClient, accounts: Any) -> None:
    assert sign_in(client)["expires_in"] == 600


def test_reusing_a_spent_refresh_token_ends_the_whole_session(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    first = sign_in(client)
    second = trade(client, first["refresh_token"]).json  # the thief or the user: one of them

    replay = trade(client, first["refresh_token"])

    assert replay.status_code == 401
    assert trade(client, second["refresh_token"]).status_code == 401  # the family is dead
    assert me(client, second) == 401  # and so is its access token, at once
    (ended,) = sessions_of(app, "lawyer")
    assert ended.end_reason == "refresh_reuse" and ended.ended_at is not None
    assert events(app)[-3].detail == {"refused": "refresh_token_reused", "session_ended": True}


def test_reuse_ends_only_the_session_it_belongs_to(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    stolen, other = sign_in(client), sign_in(client)
    trade(client, stolen["refresh_token"])

    trade(client, stolen["refresh_token"])

    assert me(client, other) == 200


def test_an_unknown_refresh_token_ends_nothing(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    pair = sign_in(client)

    assert trade(client, "made-up-" + uuid.uuid4().hex).status_code == 401

    assert me(client, pair) == 200


def test_logout_ends_both_tokens_at_once_and_says_why(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    pair = sign_in(client)
    headers = {"Authorization": f"Bearer {pair['access_token']}"}

    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204

    assert me(client, pair) == 401
    assert trade(client, pair["refresh_token"]).status_code == 401
    assert sessions_of(app, "lawyer")[0].end_reason == "logout"


def test_an_idle_session_ends(app: Any, client: FlaskClient, accounts: Any) -> None:
    pair = sign_in(client)
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    change_session(app, "lawyer", last_seen_at=utcnow() - idle)

    assert me(client, pair) == 401
    assert trade(client, pair["refresh_token"]).status_code == 401


def test_use_keeps_a_session_from_idling(app: Any, client: FlaskClient, accounts: Any) -> None:
    pair = sign_in(client)
    change_session(app, "lawyer", last_seen_at=utcnow() - timedelta(minutes=20))

    assert me(client, pair) == 200

    (session,) = sessions_of(app, "lawyer")
    assert utcnow() - session.last_seen_at < timedelta(minutes=1)


def test_a_session_ends_at_its_absolute_limit_however_busy(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    pair = sign_in(client)
    change_session(app, "lawyer", expires_at=utcnow() - timedelta(seconds=1))

    assert me(client, pair) == 401
    assert trade(client, pair["refresh_token"]).status_code == 401


def test_refreshing_does_not_extend_the_absolute_limit(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    pair = sign_in(client)
    (before,) = sessions_of(app, "lawyer")

    trade(client, pair["refresh_token"])

    (after,) = sessions_of(app, "lawyer")
    assert after.expires_at == before.expires_at


@pytest.mark.parametrize(
    "change",
    [
        ["--disable"],
        ["--role", "auditor", "--agency", "Office of the Ombudsman"],
        ["--agency", "Supreme Court"],
    ],
    ids=["disabled", "role changed", "agency changed"],
)
def test_changing_a_user_ends_their_sessions_at_once(
    app: Any, client: FlaskClient, accounts: Any, runner: Any, change: list[str]
) -> None:
    username = "judge"
    pairs = [sign_in(client, username), sign_in(client, username)]
    if "Supreme Court" in change:
        runner.invoke(args=["agencies", "create", "Supreme Court", "--kind", "court"])

    result = runner.invoke(args=["users", "update", username, *change])

    assert result.exit_code == 0, result.output
    assert "2 session(s) ended" in result.output
    assert all(me(client, pair) == 401 for pair in pairs)
    assert all(s.end_reason == "account_changed" for s in sessions_of(app, username))
    (event,) = [e for e in events(app) if e.action == "admin.user_update"]
    assert event.detail["sessions_ended"] == 2


def test_an_update_that_changes_nothing_ends_nothing(
    app: Any, client: FlaskClient, accounts: Any, runner: Any
) -> None:
    pair = sign_in(client, "judge")

    result = runner.invoke(args=["users", "update", "judge", "--enable"])

    assert result.exit_code == 0 and "0 session(s) ended" in result.output
    assert me(client, pair) == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "update", "nobody"], "no user"),
        (["users", "update", "judge", "--agency", "Nowhere"], "no agency"),
        (["users", "update", "judge", "--role", "lawyer"], "cannot belong"),
        (["users", "update", "judge", "--role", "emperor"], "emperor"),
    ],
)
def test_a_bad_update_changes_nothing(
    app: Any, client: FlaskClient, accounts: Any, runner: Any, args: list[str], message: str
) -> None:
    pair = sign_in(client, "judge")

    result = runner.invoke(args=args)

    assert result.exit_code == 2
    assert message in result.output
    assert me(client, pair) == 200


def test_the_session_check_gives_the_user_a_session_already_holds(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    """The check reads the user and agency as rows and puts them in the session as loaded;
    where the session holds them already, those are the ones it gives, with their changes."""
    pair = sign_in(client)
    with app.app_context(), transactions.unit_of_work() as session:
        held = session.get(User, accounts["lawyer"])
        held.reminders = not held.reminders  # a change not yet flushed
        session_id = uuid.UUID(
            str(session.scalar(select(AuthSession.id).filter_by(user_id=held.id)))
        )
        found = live_session_user(session, session_id, held.id)
        assert found is held
        assert found.agency is session.get(Agency, held.agency_id)
        session.rollback()
    assert me(client, pair) == 200


def test_the_session_check_leaves_the_password_hash_and_email_unread(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    """Neither is needed to answer a request: the hash stays in the database, and the email
    (sealed) is unsealed only when something asks for it, as the reminders page does."""
    sign_in(client)
    with app.app_context(), transactions.unit_of_work() as session:
        user = session.get(User, accounts["lawyer"])
        user.email = "lawyer@example.org"
        session_id = session.scalar(select(AuthSession.id).filter_by(user_id=user.id))
    with app.app_context():
        session = transactions.session()
        found = live_session_user(session, uuid.UUID(str(session_id)), accounts["lawyer"])
        assert found is not None
        assert {"password_hash", "email"} <= inspect(found).unloaded
        assert found.username == "lawyer"
        assert found.email == "lawyer@example.org"  # loaded on asking, and unsealed
