"""Changing one's own password: only with the current one, which cannot be guessed through it
faster than at sign-in; the new one follows the rules; every other session ends, this one goes
on; and the trail records the change without a password in it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.audit.helpers import last_event
from tests.conftest import PASSWORD
from tests.factories import can_sign_in
from tests.security.test_sessions import me, sign_in, trade

NEW = "a longer passphrase for spring"
ADDRESS = {"REMOTE_ADDR": "192.0.2.20"}


def change(client: FlaskClient, pair: dict[str, Any], body: Any) -> Any:
    """Ask to change the password with this body, as the holder of this session."""
    return client.post(
        "/api/v1/me/password",
        json=body,
        headers={"Authorization": f"Bearer {pair['access_token']}"},
        environ_base=ADDRESS,
    )


def changed(client: FlaskClient, pair: dict[str, Any], new: str = NEW) -> Any:
    return change(client, pair, {"current_password": PASSWORD, "new_password": new})


@pytest.mark.parametrize("username", ["lawyer", "registrar", "auditor", "admin"])
def test_every_role_changes_its_password_and_only_the_new_one_signs_in(
    client: FlaskClient, accounts: Any, username: str
) -> None:
    response = changed(client, sign_in(client, username))

    assert response.status_code == 200
    assert response.json == {"changed": True, "other_sessions_ended": 0}
    assert can_sign_in(client, NEW, username)
    assert not can_sign_in(client, PASSWORD, username)


def test_the_change_ends_every_other_session_and_keeps_this_one(
    client: FlaskClient, accounts: Any
) -> None:
    here, elsewhere = sign_in(client), sign_in(client)

    response = changed(client, here)

    assert response.json["other_sessions_ended"] == 1
    assert me(client, elsewhere) == 401
    assert trade(client, elsewhere["refresh_token"]).status_code == 401
    assert me(client, here) == 200
    assert trade(client, here["refresh_token"]).status_code == 200


def test_the_trail_records_the_change_and_never_a_password(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    sign_in(client)
    changed(client, sign_in(client))

    event = last_event(app)

    assert (event.action, event.outcome, event.username) == (
        "auth.password_change",
        "success",
        "lawyer",
    )
    assert event.detail == {"other_sessions_ended": 1}
    written = json.dumps(event.detail) + repr(vars(event))
    assert PASSWORD not in written and NEW not in written


def test_a_wrong_current_password_is_refused_as_a_field_and_changes_nothing(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    here, elsewhere = sign_in(client), sign_in(client)

    response = change(client, here, {"current_password": "not it at all", "new_password": NEW})

    # 422, not 401: the token is good, and a 401 tells a client its session is over.
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_input"
    assert response.json["error"]["details"][0]["field"] == "current_password"
    event = last_event(app)
    assert (event.action, event.outcome) == ("auth.password_change", "invalid_input")
    assert event.detail == {"refused": "wrong_password"}
    assert me(client, elsewhere) == 200
    assert can_sign_in(client, PASSWORD)


def test_guessing_the_current_password_waits_like_a_failed_sign_in(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    pair, free = sign_in(client), app.config["LOGIN_FREE_FAILURES"]
    guesses = [
        change(client, pair, {"current_password": f"guess number {n}", "new_password": NEW})
        for n in range(free + 1)
    ]
    assert [guess.status_code for guess in guesses] == [422] * (free + 1)

    response = changed(client, pair)  # even the right one, before argon2 runs

    assert response.status_code == 429
    assert response.json["error"]["code"] == "too_many_attempts"
    assert int(response.headers["Retry-After"]) >= 1
    sign_in_from_there = client.post(
        "/api/v1/auth/login",
        json={"username": "lawyer", "password": PASSWORD},
        environ_base=ADDRESS,
    )
    assert sign_in_from_there.status_code == 429  # the same counters as the sign-in's


@pytest.mark.parametrize(
    ("new", "problem"),
    [
        ("short one", "password_length"),
        ("x" * 257, "password_length"),
        ("Q1w2e3r4t5y6", "password_guessable"),  # among those breaches made public
        ("i-am-lawyer-here", "password_guessable"),  # holds the username
    ],
)
def test_a_weak_new_password_is_refused_and_the_old_one_stays(
    client: FlaskClient, accounts: Any, new: str, problem: str
) -> None:
    response = changed(client, sign_in(client), new)

    assert response.status_code == 422
    detail = response.json["error"]["details"][0]
    assert (detail["field"], detail["problem"]) == ("new_password", problem)
    assert new not in response.get_data(as_text=True)
    assert can_sign_in(client, PASSWORD)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"current_password": PASSWORD},
        {"new_password": NEW},
        {"current_password": PASSWORD, "new_password": 123456789012},
        {"current_password": None, "new_password": NEW},
        {"current_password": [PASSWORD], "new_password": NEW},
        {"current_password": PASSWORD, "new_password": "y" * 10_240},
        {"current_password": PASSWORD, "new_password": "twelve chars\x00and a NUL"},
        {"current_password": PASSWORD, "new_password": "lone surrogate \ud800 here"},
        {"current_password": PASSWORD + "\ud800", "new_password": NEW},
        {"current_password": PASSWORD, "new_password": NEW, "username": "admin"},
        [PASSWORD, NEW],
        "just a string",
    ],
)
def test_malformed_bodies_are_refused_without_echoing_them(
    client: FlaskClient, accounts: Any, body: Any
) -> None:
    response = change(client, sign_in(client), body)

    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_input"
    assert NEW not in response.get_data(as_text=True)
    assert can_sign_in(client, PASSWORD)


@pytest.mark.parametrize(
    "new",
    [
        "كلمة سر طويلة جدا",  # right to left
        "пароль на кириллице",
        "🔐🦊🌍🚀🎈🧭🪁🌵🍉🐢🎹🧩",  # twelve emoji
        "mixed עברית and latin",
    ],
)
def test_unicode_passwords_are_welcome_as_typed(
    client: FlaskClient, accounts: Any, new: str
) -> None:
    assert changed(client, sign_in(client), new).status_code == 200

    assert can_sign_in(client, new)


def test_without_a_token_nothing_is_asked(client: FlaskClient, accounts: Any) -> None:
    body = {"current_password": PASSWORD, "new_password": NEW}

    response = client.post("/api/v1/me/password", json=body)

    assert response.status_code == 401
    assert can_sign_in(client, PASSWORD)
