"""Password guessing slows to a crawl, yet no one can lock a user out for good; new passwords
must be long and not among those breaches made public; hashing stays above OWASP's floor."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.audit.helpers import last_event
from tests.conftest import FAST_HASHING as FAST
from tests.conftest import PASSWORD
from workflow import create_app, transactions
from workflow.config import ConfigError
from workflow.db import utcnow
from workflow.identity.throttle import count_failure, throttle_keys
from workflow.models import LoginThrottle


def sign_in(
    client: FlaskClient, username: str = "lawyer", password: str = "wrong password 1", **env: str
) -> Any:
    return client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": env.get("address", "192.0.2.10")},
    )


WRONG = (401, "not_authenticated")
WAIT = (429, "too_many_attempts")  # once waits begin, a guess is turned away unchecked


def fail(client: FlaskClient, times: int, **kwargs: Any) -> list[tuple[int, str]]:
    """Guess wrong `times` times; return each answer's status and error code."""
    answers = (sign_in(client, **kwargs) for _ in range(times))
    return [(answer.status_code, answer.json["error"]["code"]) for answer in answers]


def counters(app: Any) -> dict[str, LoginThrottle]:
    with app.app_context():
        session = transactions.session()
        rows = {row.key: row for row in session.scalars(select(LoginThrottle))}
        session.expunge_all()
        return rows


def test_failures_beyond_the_allowance_make_even_the_right_password_wait(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    free = app.config["LOGIN_FREE_FAILURES"]
    assert fail(client, free + 1) == [WRONG] * (free + 1)  # the last one starts the wait

    response = sign_in(client, password=PASSWORD)

    assert response.status_code == 429
    assert response.json["error"]["code"] == "too_many_attempts"
    assert 1 <= int(response.headers["Retry-After"]) <= 15 * 60
    assert last_event(app).outcome == "too_many_attempts"


def test_failures_are_counted_although_the_sign_in_was_refused(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    assert fail(client, 3) == [WRONG] * 3

    rows = counters(app)

    assert rows["pair:lawyer|192.0.2.10"].count == 3
    assert rows["account:lawyer"].count == 3
    assert rows["address:192.0.2.10"].count == 3


def test_the_wait_doubles_but_never_exceeds_the_cap(app: Any, accounts: Any) -> None:
    with app.app_context(), transactions.unit_of_work() as session:
        keys = throttle_keys("lawyer", "192.0.2.10")
        now = utcnow()
        for _ in range(200):
            count_failure(session, keys, now)
    cap = timedelta(minutes=app.config["LOGIN_MAX_WAIT_MINUTES"])

    rows = counters(app)

    assert all(row.locked_until <= now + cap for row in rows.values())
    assert rows["account:lawyer"].locked_until == now + cap


def test_after_the_wait_the_right_password_works_and_clears_the_count(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    free = app.config["LOGIN_FREE_FAILURES"]
    assert fail(client, free + 2) == [WRONG] * (free + 1) + [WAIT]
    with app.app_context(), transactions.unit_of_work() as session:
        for row in session.scalars(select(LoginThrottle)):
            row.locked_until = utcnow() - timedelta(seconds=1)

    assert sign_in(client, password=PASSWORD).status_code == 200

    assert set(counters(app)) == {"address:192.0.2.10"}  # an address is not vouched for


def test_a_guesser_elsewhere_does_not_lock_the_user_out_at_their_own_desk(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    account_allowance = 4 * app.config["LOGIN_FREE_FAILURES"]
    for n in range(account_allowance + 2):  # the account itself is now waiting
        assert fail(client, 1, address=f"203.0.113.{n}") == [WRONG]
    assert counters(app)["account:lawyer"].locked_until > utcnow()

    assert sign_in(client, password=PASSWORD, address="198.51.100.7").status_code == 200


def test_guesses_spread_over_addresses_get_one_try_each_while_the_account_waits(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    for n in range(4 * app.config["LOGIN_FREE_FAILURES"] + 2):
        assert fail(client, 1, address=f"203.0.113.{n}") == [WRONG]

    first, second = (sign_in(client, address="203.0.113.250").status_code for _ in range(2))

    assert (first, second) == (401, 429)


def test_unknown_accounts_are_slowed_the_same_way(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    free = app.config["LOGIN_FREE_FAILURES"]
    assert fail(client, free + 1, username="no-such-user") == [WRONG] * (free + 1)

    assert sign_in(client, username="no-such-user").status_code == 429


def fail_at(app: Any, username: str, address: str, times: list[datetime]) -> None:
    """Count failed sign-ins of `username` from `address` as if made at `times`."""
    with app.app_context(), transactions.unit_of_work() as session:
        for moment in times:
            count_failure(session, throttle_keys(username, address), moment)


def test_a_colleague_who_never_failed_signs_in_after_someone_mistyped_all_morning(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    now = utcnow()
    fail_at(
        app, "someone", "192.0.2.10", [now - timedelta(seconds=50 * n) for n in range(61, 0, -1)]
    )

    assert sign_in(client, password=PASSWORD).status_code == 200


def test_a_guesser_trying_many_accounts_keeps_colleagues_out_a_minute_at_most(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    over = 10 * app.config["LOGIN_FREE_FAILURES"] + 10  # without a cap, a 15-minute wait
    for n in range(over):
        fail_at(app, f"guess{n}", "192.0.2.10", [utcnow()])

    response = sign_in(client, password=PASSWORD)

    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) <= 61


def test_an_office_network_allows_more_failures_before_anyone_waits(
    app: Any, client: FlaskClient, accounts: Any
) -> None:
    app.config["LOGIN_OFFICE_NETWORKS"] = "198.51.100.0/24"
    for n in range(10 * app.config["LOGIN_FREE_FAILURES"] + 10):
        fail_at(app, f"clerk{n}", "198.51.100.7", [utcnow()])
        fail_at(app, f"clerk{n}", "192.0.2.10", [utcnow()])

    assert sign_in(client, password=PASSWORD, address="198.51.100.7").status_code == 200
    assert sign_in(client, password=PASSWORD).status_code == 429  # not an office


def test_failures_leak_away_one_every_few_minutes(app: Any, accounts: Any) -> None:
    start = utcnow() - timedelta(minutes=30)
    fail_at(app, "lawyer", "192.0.2.10", [start] * 5)

    fail_at(app, "lawyer", "192.0.2.10", [start + timedelta(minutes=11)])

    rows = counters(app)
    assert rows["pair:lawyer|192.0.2.10"].count == 4  # 5, less two leaked, plus this one
    assert rows["address:192.0.2.10"].count == 1  # an address forgets one a minute


def test_a_quiet_hour_forgets_old_failures(app: Any, client: FlaskClient, accounts: Any) -> None:
    free = app.config["LOGIN_FREE_FAILURES"]
    assert fail(client, free) == [WRONG] * free
    with app.app_context(), transactions.unit_of_work() as session:
        for row in session.scalars(select(LoginThrottle)):
            row.counted_at = utcnow() - timedelta(hours=2)

    assert fail(client, 1) == [WRONG]

    assert counters(app)["pair:lawyer|192.0.2.10"].count == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass", "12 to 256 characters"),
        ("x" * 257, "12 to 256 characters"),
        ("Q1w2e3r4t5y6", "too easy"),  # among the passwords most often found in breaches
        ("1QAZ2WSX3EDC", "too easy"),  # whatever its case
        ("newclerk-is-my-password", "too easy"),  # holds the username
    ],
)
def test_a_weak_new_password_is_refused(
    app: Any, runner: Any, accounts: Any, password: str, message: str
) -> None:
    result = runner.invoke(
        args=["users", "create", "newclerk", "--role", "lawyer", "--agency", "Hope Legal Aid"],
        env={"HOMEWARD_NEW_PASSWORD": password},
    )

    assert result.exit_code == 2
    assert message in result.output
    assert password not in result.output


def test_a_long_unlisted_password_is_accepted(app: Any, runner: Any, accounts: Any) -> None:
    result = runner.invoke(
        args=["users", "create", "newclerk", "--role", "lawyer", "--agency", "Hope Legal Aid"],
        env={"HOMEWARD_NEW_PASSWORD": "Қасқыр тау бұлақ 2026"},
    )

    assert result.exit_code == 0, result.output


def test_the_default_hashing_is_at_or_above_owasps_argon2id_minimum(
    tmp_path: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("HOMEWARD_INSTANCE_PATH", str(tmp_path))
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"})

    hasher = app.extensions["homeward.hasher"]

    assert hasher.type.name == "ID"
    assert hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2
    app.extensions["homeward.engine"].dispose()


def test_production_refuses_to_start_with_weak_hashing(tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("HOMEWARD_INSTANCE_PATH", str(tmp_path))

    with pytest.raises(ConfigError, match="OWASP"):
        create_app({"ENV": "production", "ARGON2_MEMORY_KIB": 1024, "ARGON2_TIME_COST": 1})


@pytest.fixture
def app_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings a test asks for by parametrising this fixture; none by default."""
    return dict(getattr(request, "param", {}))


@pytest.mark.parametrize(
    ("app_config", "counted"),
    [({}, "192.0.2.10"), ({"TRUSTED_PROXY_HOPS": "1"}, "203.0.113.5")],
    indirect=["app_config"],
    ids=["no proxy trusted: a forged header is ignored", "one proxy trusted"],
)
def test_the_address_counted_is_the_clients_only_behind_a_trusted_proxy(
    app: Any, client: FlaskClient, accounts: Any, counted: str
) -> None:
    client.post(
        "/api/v1/auth/login",
        json={"username": "lawyer", "password": "wrong password 1"},
        headers={"X-Forwarded-For": "203.0.113.5"},
        environ_base={"REMOTE_ADDR": "192.0.2.10"},
    )

    assert f"address:{counted}" in counters(app)


@pytest.mark.parametrize("hops", ["-1", "two", "9"])
def test_a_malformed_proxy_setting_stops_the_service(
    tmp_path: Any, monkeypatch: Any, hops: str
) -> None:
    monkeypatch.setenv("HOMEWARD_INSTANCE_PATH", str(tmp_path))

    with pytest.raises(ConfigError, match="TRUSTED_PROXY_HOPS"):
        create_app({"TRUSTED_PROXY_HOPS": hops, **FAST})
