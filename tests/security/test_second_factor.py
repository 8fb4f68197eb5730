"""The second factor (TOTP, RFC 6238): set up with a real authenticator's code; sign-in then
needs a code, each code and each recovery code works once, guessing waits like a wrong
password, break-glass asks for a fresh code, and HOMEWARD_REQUIRE_SECOND_FACTOR holds officials,
auditors and administrators to setting one up. The trail keeps every refusal, never a code."""

from __future__ import annotations

import json
import time
from typing import Any

import pyotp
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from tests.audit.helpers import events, last_event
from tests.conftest import PASSWORD
from tests.factories import Api
from workflow import transactions
from workflow.models import RecoveryCode, SecondFactor, User

ADDRESS = {"REMOTE_ADDR": "192.0.2.44"}
REASON = "The child's guardian called the hotline; checking the DNA step before replying."
LOGIN = "/api/v1/auth/login"


def bearer(pair: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


def login(client: FlaskClient, username: str = "lawyer", **extra: Any) -> Any:
    body = {"username": username, "password": PASSWORD, **extra}
    return client.post(LOGIN, json=body, environ_base=ADDRESS)


def code_at(totp: pyotp.TOTP, steps_from_now: int) -> str:
    """The code the authenticator shows this many 30-second steps from now."""
    return totp.at(int(time.time()) + 30 * steps_from_now)


def enrol(client: FlaskClient, username: str = "lawyer") -> tuple[pyotp.TOTP, list[str]]:
    """Set up a second factor as an authenticator app would; confirmed with the previous
    step's code (clocks drift), so that the current and the next codes are still unused."""
    pair = login(client, username).json
    started = client.post("/api/v1/me/totp", headers=bearer(pair))
    assert started.status_code == 200, started.json
    totp = pyotp.TOTP(started.json["secret"])
    for _ in range(2):  # once more if a 30-second step ended while the code was on its way
        step = int(time.time()) // 30
        confirmed = client.post(
            "/api/v1/me/totp/confirm", json={"code": code_at(totp, -1)}, headers=bearer(pair)
        )
        if confirmed.status_code == 200 or int(time.time()) // 30 == step:
            break
    assert confirmed.status_code == 200, confirmed.json
    return totp, confirmed.json["recovery_codes"]


def forget_last_code(app: Any, username: str) -> None:
    """As if a minute had passed since the last code: every code of now is unused again."""
    with app.app_context(), transactions.unit_of_work() as session:
        user_id = session.scalar(select(User.id).filter_by(username=username))
        session.execute(update(SecondFactor).filter_by(user_id=user_id).values(last_step=None))


def test_enrolling_answers_a_secret_and_an_otpauth_uri(client: FlaskClient, accounts: Any) -> None:
    pair = login(client).json

    started = client.post("/api/v1/me/totp", headers=bearer(pair))

    assert started.status_code == 200
    secret, uri = started.json["secret"], started.json["otpauth_uri"]
    parsed = pyotp.parse_uri(uri)
    assert (parsed.name, parsed.issuer, parsed.secret) == ("lawyer", "Homeward", secret)
    assert login(client).status_code == 200  # not confirmed yet: nothing changes at sign-in


def test_the_secret_is_sealed_at_rest(app: Any, client: FlaskClient, accounts: Any) -> None:
    pair = login(client).json
    secret = client.post("/api/v1/me/totp", headers=bearer(pair)).json["secret"]

    engine = app.extensions["homeward.engine"]
    with engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT secret FROM second_factors").scalar_one()

    assert secret not in stored and secret.lower() not in stored.lower()


def test_login_needs_the_code_once_enrolled(client: FlaskClient, accounts: Any) -> None:
    totp, _codes = enrol(client)

    without = login(client)
    wrong = login(client, totp=str((int(code_at(totp, 0)) + 1) % 1_000_000).zfill(6))
    right = login(client, totp=code_at(totp, 0))

    assert (without.status_code, without.json["error"]["code"]) == (401, "second_factor_required")
    assert (wrong.status_code, wrong.json["error"]["code"]) == (401, "not_authenticated")
    assert right.status_code == 200 and right.json["token_type"] == "Bearer"


def test_a_wrong_password_with_a_right_code_is_still_refused(
    client: FlaskClient, accounts: Any
) -> None:
    totp, _codes = enrol(client)
    body = {"username": "lawyer", "password": "not the password", "totp": code_at(totp, 0)}

    response = client.post(LOGIN, json=body)

    assert (response.status_code, response.json["error"]["code"]) == (401, "not_authenticated")


def test_a_code_is_accepted_once_and_the_replay_is_audited(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    totp, _codes = enrol(client)
    code = code_at(totp, 0)

    assert login(client, totp=code).status_code == 200
    replayed = login(client, totp=code)

    assert (replayed.status_code, replayed.json["error"]["code"]) == (401, "not_authenticated")
    event = last_event(app)
    assert (event.action, event.outcome, event.username) == (
        "auth.login",
        "not_authenticated",
        "lawyer",
    )
    assert event.detail == {"refused": "second_factor_code_replayed"}


def test_an_older_code_is_refused_after_a_newer_one(client: FlaskClient, accounts: Any) -> None:
    totp, _codes = enrol(client)

    assert login(client, totp=code_at(totp, 1)).status_code == 200
    assert login(client, totp=code_at(totp, 0)).status_code == 401


def test_a_recovery_code_signs_in_once(app: Any, client: FlaskClient, accounts: Any) -> None:
    _totp, codes = enrol(client)

    assert len(codes) == 10 and len(set(codes)) == 10
    first = login(client, totp=codes[0].upper())  # as typed from paper: case does not count
    assert first.status_code == 200
    assert last_event(app).detail == {"recovery_code_used": True, "recovery_codes_left": 9}

    again = login(client, totp=codes[0])

    assert again.status_code == 401
    assert login(client, totp=codes[1]).status_code == 200


def test_recovery_codes_are_kept_only_as_hashes(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    _totp, codes = enrol(client)

    with app.app_context():
        stored = list(transactions.session().scalars(select(RecoveryCode.code_hash)))

    assert len(stored) == 10
    assert not {code.replace("-", "") for code in codes} & set(stored)
    assert all(
        code not in json.dumps([vars(e) for e in events(app)], default=str) for code in codes
    )


def test_guessing_codes_waits_like_guessing_passwords(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    totp, _codes = enrol(client)
    right = code_at(totp, 0)
    wrong = [str(n).zfill(6) for n in range(1000) if str(n).zfill(6) not in totp_window(totp)]
    free = app.config["LOGIN_FREE_FAILURES"]

    guesses = [login(client, totp=guess).status_code for guess in wrong[: free + 1]]
    response = login(client, totp=right)  # even the right code, once the wait has begun

    assert guesses == [401] * (free + 1)
    assert response.status_code == 429
    assert response.json["error"]["code"] == "too_many_attempts"
    assert int(response.headers["Retry-After"]) >= 1


def totp_window(totp: pyotp.TOTP) -> set[str]:
    return {code_at(totp, offset) for offset in (-2, -1, 0, 1, 2)}


def test_enrolling_again_does_not_replace_a_confirmed_factor(
    client: FlaskClient, accounts: Any
) -> None:
    totp, _codes = enrol(client)
    pair = login(client, totp=code_at(totp, 0)).json

    again = client.post("/api/v1/me/totp", headers=bearer(pair))

    assert (again.status_code, again.json["error"]["code"]) == (409, "second_factor_exists")
    assert login(client, totp=code_at(totp, 1)).status_code == 200  # the old secret still works


def test_a_wrong_confirmation_code_is_refused_and_changes_nothing(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    pair = login(client).json
    totp = pyotp.TOTP(client.post("/api/v1/me/totp", headers=bearer(pair)).json["secret"])
    wrong = next(str(n).zfill(6) for n in range(1000) if str(n).zfill(6) not in totp_window(totp))

    response = client.post("/api/v1/me/totp/confirm", json={"code": wrong}, headers=bearer(pair))

    assert response.status_code == 422
    assert response.json["error"]["details"][0]["field"] == "code"
    assert last_event(app).detail == {"refused": "second_factor_wrong_code"}
    assert login(client).status_code == 200


def test_confirming_without_starting_is_a_conflict(client: FlaskClient, accounts: Any) -> None:
    pair = login(client).json

    response = client.post("/api/v1/me/totp/confirm", json={"code": "123456"}, headers=bearer(pair))

    assert response.status_code == 409


def test_the_trail_names_enrolment_and_never_the_secret(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    pair = login(client).json
    started = client.post("/api/v1/me/totp", headers=bearer(pair)).json
    totp = pyotp.TOTP(started["secret"])
    client.post("/api/v1/me/totp/confirm", json={"code": totp.now()}, headers=bearer(pair))

    kept = events(app)[-2:]

    assert [(e.action, e.outcome) for e in kept] == [
        ("auth.second_factor_enrol", "success"),
        ("auth.second_factor_confirm", "success"),
    ]
    assert kept[1].detail == {"second_factor": "confirmed", "recovery_codes": 10}
    written = json.dumps([vars(e) for e in kept], default=str)
    assert started["secret"] not in written and "otpauth" not in written


HOSTILE = [
    "12 345",
    "1" * 10_000,
    "١٢٣٤٥٦",  # Arabic-Indic digits, which int() would read as 123456
    "１２３４５６",  # fullwidth digits
    "123456\n",
    "123456\x00",
    "",
    123456,
    12.5,
    True,
    ["123456"],
    {"code": "123456"},
]


@pytest.mark.parametrize("value", HOSTILE, ids=repr)
def test_hostile_codes_at_sign_in_are_refused_cleanly(
    client: FlaskClient, accounts: Any, value: Any
) -> None:
    enrol(client)

    response = login(client, totp=value)

    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_input"
    assert response.json["error"]["details"][0]["field"].startswith("totp")
    assert "١٢٣" not in response.get_data(as_text=True)


def test_letters_and_digits_are_read_as_a_recovery_code_and_refused(
    client: FlaskClient, accounts: Any
) -> None:
    enrol(client)

    response = login(client, totp="12345a")

    assert (response.status_code, response.json["error"]["code"]) == (401, "not_authenticated")


def test_a_null_code_at_sign_in_is_a_missing_one(client: FlaskClient, accounts: Any) -> None:
    enrol(client)

    response = login(client, totp=None)

    assert (response.status_code, response.json["error"]["code"]) == (401, "second_factor_required")


@pytest.mark.parametrize("value", [*HOSTILE, None, "abcdef"], ids=repr)
def test_hostile_confirmation_codes_are_refused_cleanly(
    client: FlaskClient, accounts: Any, value: Any
) -> None:
    pair = login(client).json
    client.post("/api/v1/me/totp", headers=bearer(pair))

    response = client.post("/api/v1/me/totp/confirm", json={"code": value}, headers=bearer(pair))

    assert response.status_code == 422
    assert response.json["error"]["details"][0]["field"].startswith("code")


def break_glass(api: Api, case_id: str, **extra: Any) -> Any:
    body = {"reason": REASON, **extra}
    return api.post("lawyer3", f"/api/v1/cases/{case_id}/break-glass", body)


@pytest.fixture
def stepping_up(api: Api, client: FlaskClient) -> tuple[pyotp.TOTP, str]:
    """lawyer3, with a second factor, signed in with a code; a case of another NGO's."""
    case = api.create_case("lawyer")
    totp, _codes = enrol(client, "lawyer3")
    pair = login(client, "lawyer3", totp=code_at(totp, 0)).json
    api._tokens["lawyer3"] = pair["access_token"]
    return totp, case["id"]


def test_break_glass_needs_a_fresh_code(
    app: Any, api: Api, stepping_up: tuple[pyotp.TOTP, str]
) -> None:
    totp, case_id = stepping_up

    missing = break_glass(api, case_id)
    assert (missing.status_code, missing.json["error"]["code"]) == (401, "second_factor_required")
    assert last_event(app).detail == {"refused": "step_up_missing"}
    reused = break_glass(api, case_id, totp=code_at(totp, 0))  # the code of the sign-in
    assert (reused.status_code, reused.json["error"]["code"]) == (401, "not_authenticated")
    assert last_event(app).detail == {"refused": "step_up_code_replayed"}

    granted = break_glass(api, case_id, totp=code_at(totp, 1))

    assert granted.status_code == 201
    assert api.get("lawyer3", f"/api/v1/cases/{case_id}").status_code == 200


def test_a_refused_step_up_grants_nothing(api: Api, stepping_up: tuple[pyotp.TOTP, str]) -> None:
    totp, case_id = stepping_up
    wrong = next(c for c in (str(n).zfill(6) for n in range(1000)) if c not in totp_window(totp))

    assert break_glass(api, case_id, totp=wrong).status_code == 401
    assert api.get("lawyer3", f"/api/v1/cases/{case_id}").status_code == 404


@pytest.mark.parametrize("value", HOSTILE, ids=repr)
def test_hostile_step_up_codes_are_refused_cleanly(
    api: Api, stepping_up: tuple[pyotp.TOTP, str], value: Any
) -> None:
    _totp, case_id = stepping_up

    response = break_glass(api, case_id, totp=value)

    assert response.status_code == 422
    assert api.get("lawyer3", f"/api/v1/cases/{case_id}").status_code == 404


def test_a_user_without_a_factor_breaks_the_glass_as_before(api: Api) -> None:
    case = api.create_case("lawyer")

    assert break_glass(api, case["id"]).status_code == 201


class TestRequiredSecondFactor:
    """HOMEWARD_REQUIRE_SECOND_FACTOR=true."""

    @pytest.fixture
    def app_config(self) -> dict[str, Any]:
        return {"REQUIRE_SECOND_FACTOR": True}

    @pytest.mark.parametrize("username", ["registrar", "auditor", "admin"])
    def test_an_official_without_a_factor_may_only_enrol(
        self, client: FlaskClient, accounts: Any, username: str
    ) -> None:
        pair = login(client, username).json  # signing in still works

        refused = client.get("/api/v1/cases", headers=bearer(pair))
        started = client.post("/api/v1/me/totp", headers=bearer(pair))

        assert refused.status_code == 403
        assert refused.json["error"]["code"] == "second_factor_enrolment_required"
        assert started.status_code == 200
        assert client.get("/api/v1/me", headers=bearer(pair)).status_code == 200

    def test_once_enrolled_the_official_works_as_before(
        self, app: Any, client: FlaskClient, accounts: Any
    ) -> None:
        totp, _codes = enrol(client, "registrar")
        pair = login(client, "registrar", totp=code_at(totp, 0)).json

        assert client.get("/api/v1/cases", headers=bearer(pair)).status_code == 200

    def test_a_lawyer_is_not_forced(self, api: Api) -> None:
        assert api.get("lawyer", "/api/v1/cases").status_code == 200
