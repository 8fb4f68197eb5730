"""Signing in and out of the web pages: each role lands where its work is, a wrong password or a
forged form signs no one in, guessing slows down, a session ends on the server when asked or when
idle, and `next` never leads to another site."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from werkzeug.test import TestResponse

from tests.conftest import PASSWORD
from tests.factories import Api
from tests.web.helpers import body, csrf_token, sign_in
from workflow import transactions
from workflow.db import utcnow
from workflow.models import AuthSession, User

COOKIE = "homeward_session"
WRONG = "The username or password is wrong."


def post_sign_in(
    client: FlaskClient, username: str, password: str = PASSWORD, query: str = ""
) -> TestResponse:
    token = csrf_token(body(client.get("/sign-in")))
    form = {"csrf_token": token, "username": username, "password": password}
    return client.post(f"/sign-in{query}", data=form)


def signed_in(client: FlaskClient) -> bool:
    """Whether this browser may open a page that needs a sign-in."""
    response = client.get("/cases/new")
    return response.status_code != 302


def live_sessions(app: Flask, username: str) -> list[AuthSession]:
    with app.app_context():
        session = transactions.session()
        user = session.scalar(select(User).filter_by(username=username))
        assert user is not None
        found = list(session.scalars(select(AuthSession).filter_by(user_id=user.id, ended_at=None)))
        session.expunge_all()
        return found


def browser_with_cookie_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """A second browser holding a copy of this browser's session cookie."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    other = app.test_client()
    other.set_cookie(COOKIE, cookie.value)
    return other


@pytest.mark.parametrize(
    ("username", "start_page"),
    [("lawyer", "/cases"), ("registrar", "/queue"), ("auditor", "/audit"), ("admin", "/dashboard")],
)
def test_the_right_password_lands_on_the_roles_start_page(
    client: FlaskClient, accounts: Any, username: str, start_page: str
) -> None:
    response = post_sign_in(client, username)

    assert response.status_code == 303
    landed = client.get(response.headers["Location"], follow_redirects=True)
    assert landed.status_code == 200
    assert landed.request.path == start_page
    assert f"<span>{username} · " in body(landed)  # the header names who is signed in


@pytest.mark.parametrize(
    ("username", "password"),
    [("lawyer", "wrong password 1"), ("nobody-here", PASSWORD), ("lawyer", ""), ("", PASSWORD)],
    ids=["wrong password", "unknown user", "no password", "no username"],
)
def test_a_wrong_sign_in_gives_401_and_no_session(
    app: Flask, client: FlaskClient, accounts: Any, username: str, password: str
) -> None:
    response = post_sign_in(client, username, password)

    assert response.status_code == 401
    assert response.mimetype == "text/html"
    assert WRONG in body(response)  # the same words whether or not the account exists
    assert not signed_in(client)
    assert live_sessions(app, "lawyer") == []


@pytest.mark.parametrize(
    "token", [None, "", "forged-token", "from another browser"], ids=lambda t: repr(t)
)
def test_a_sign_in_without_this_pages_csrf_token_is_refused(
    app: Flask, client: FlaskClient, accounts: Any, token: str | None
) -> None:
    client.get("/sign-in")
    form = {"username": "lawyer", "password": PASSWORD}
    if token == "from another browser":
        form["csrf_token"] = csrf_token(body(app.test_client().get("/sign-in")))
    elif token is not None:
        form["csrf_token"] = token

    response = client.post("/sign-in", data=form)

    assert response.status_code == 400
    assert "This form has expired or did not come from this site" in body(response)
    assert not signed_in(client)
    assert live_sessions(app, "lawyer") == []


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Two free failures, so that a test reaches the wait quickly."""
    return {"LOGIN_FREE_FAILURES": 2}


def test_repeated_failures_make_even_the_right_password_wait(
    app: Flask, client: FlaskClient, accounts: Any
) -> None:
    for _ in range(app.config["LOGIN_FREE_FAILURES"] + 1):
        assert post_sign_in(client, "lawyer", "wrong password 1").status_code == 401

    response = post_sign_in(client, "lawyer")

    assert response.status_code == 429
    text = body(response)
    assert "Too many failed sign-ins. Wait" in text and "then try again" in text
    assert WRONG not in text
    assert not signed_in(client)


def test_signing_out_ends_the_session_on_the_server(
    app: Flask, client: FlaskClient, accounts: Any
) -> None:
    token = sign_in(client, "lawyer")
    copy = browser_with_cookie_of(app, client)
    assert signed_in(copy)  # the copy works while the session lives

    response = client.post("/sign-out", data={"csrf_token": token})

    assert response.status_code == 303 and response.headers["Location"] == "/sign-in"
    assert not signed_in(client)
    assert not signed_in(copy)  # a stolen copy of the cookie is worthless now
    assert live_sessions(app, "lawyer") == []


def test_signing_out_needs_the_pages_csrf_token(
    app: Flask, client: FlaskClient, accounts: Any
) -> None:
    sign_in(client, "lawyer")

    response = client.post("/sign-out", data={})  # another site cannot sign the user out

    assert response.status_code == 400
    assert signed_in(client)
    assert len(live_sessions(app, "lawyer")) == 1


def test_signing_in_again_replaces_the_cookie_of_before(
    app: Flask, client: FlaskClient, accounts: Any
) -> None:
    """A cookie planted before sign-in (session fixation) never becomes a signed-in one."""
    client.get("/sign-in")
    planted = browser_with_cookie_of(app, client)

    sign_in(client, "lawyer")

    assert signed_in(client)
    assert not signed_in(planted)


def test_an_idle_session_sends_the_user_to_sign_in_saying_why(
    app: Flask, client: FlaskClient, accounts: Any
) -> None:
    sign_in(client, "lawyer")
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    with app.app_context(), transactions.unit_of_work() as session:
        session.execute(update(AuthSession).values(last_seen_at=utcnow() - idle))

    response = client.get("/cases", follow_redirects=True)

    assert response.request.path == "/sign-in"
    assert "Your session has ended" in body(response)
    assert not signed_in(client)


def test_a_session_in_use_does_not_idle_out(app: Flask, client: FlaskClient, accounts: Any) -> None:
    sign_in(client, "lawyer")
    nearly = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 1)
    with app.app_context(), transactions.unit_of_work() as session:
        session.execute(update(AuthSession).values(last_seen_at=utcnow() - nearly))

    assert client.get("/cases").status_code == 200

    (live,) = live_sessions(app, "lawyer")
    assert live.last_seen_at is not None
    assert utcnow() - live.last_seen_at.replace(tzinfo=utcnow().tzinfo) < timedelta(minutes=1)


HOSTILE_NEXT = [
    "//evil.example",
    "//evil.example/cases",
    "https://evil.example",
    "http:evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",  # browsers drop tabs and newlines: this becomes //evil.example
    "/\n/evil.example",
    "/%09/evil.example",  # stays a path on this site, which is harmless
    "///evil.example",
    "javascript:alert(1)",
]


def is_this_site(location: str) -> bool:
    """Whether a browser following `location` stays on this site: it drops tabs and newlines
    and reads a backslash as a slash before it resolves the address."""
    seen_as = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    parts = urlsplit(seen_as)
    return seen_as.startswith("/") and not parts.scheme and not parts.netloc


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_sign_in_never_sends_the_user_to_another_site(
    client: FlaskClient, accounts: Any, target: str
) -> None:
    response = post_sign_in(client, "lawyer", query=f"?next={quote(target, safe='')}")

    assert response.status_code == 303
    assert is_this_site(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_choosing_a_language_never_sends_the_user_to_another_site(
    client: FlaskClient, accounts: Any, target: str
) -> None:
    token = csrf_token(body(client.get("/sign-in")))

    response = client.post(
        "/language", data={"csrf_token": token, "language": "en", "next": target}
    )

    assert response.status_code == 303
    assert is_this_site(response.headers["Location"]), response.headers["Location"]


def test_sign_in_returns_to_the_page_asked_for_on_this_site(api: Api, client: FlaskClient) -> None:
    case = api.create_case()
    asked = client.get(f"/cases/{case['id']}")
    assert asked.status_code == 302

    form_page = client.get(asked.headers["Location"])
    action = re.search(r'action="(/sign-in[^"]*)"', body(form_page))
    assert action is not None
    token = csrf_token(body(form_page))
    form = {"csrf_token": token, "username": "lawyer", "password": PASSWORD}
    response = client.post(action.group(1).replace("&amp;", "&"), data=form)

    assert response.status_code == 303
    assert response.headers["Location"] == f"/cases/{case['id']}"


@pytest.mark.parametrize(
    "username",
    [
        quote("x" * 10_000),
        quote("lawyer\x00"),
        quote("\x00"),
        quote("\u202eremmargor"),  # right-to-left override
        quote("lawyer\u202e"),
        quote("👶🏽👩‍👧"),
        quote("' OR '1'='1' --"),
        quote("lawyer\r\nSet-Cookie: evil=1"),
        "%FF%FE%ED%A0%80",  # not even UTF-8
    ],
    ids=[
        "10 kB",
        "NUL after",
        "NUL alone",
        "RTL override",
        "RTL after",
        "emoji",
        "SQL",
        "CRLF",
        "bad UTF-8",
    ],
)
def test_a_hostile_username_gets_a_clean_401_page(
    client: FlaskClient, accounts: Any, username: str
) -> None:
    token = csrf_token(body(client.get("/sign-in")))
    form = f"csrf_token={quote(token)}&username={username}&password=wrong+password+1"

    response = client.post("/sign-in", data=form, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 401
    assert response.mimetype == "text/html"
    text = body(response)
    assert WRONG in text
    assert "Traceback" not in text and "x" * 100 not in text
    assert "evil" not in response.headers.get("Set-Cookie", "")
    assert not signed_in(client)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/cases",
        "/cases/new",
        "/cases/5f0b2c1e-8d3a-4e6f-9b7c-1a2d3e4f5a6b",
        "/queue",
        "/audit",
    ],
)
def test_a_page_without_sign_in_redirects_to_sign_in(
    client: FlaskClient, accounts: Any, path: str
) -> None:
    response = client.get(path)

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/sign-in"
    assert parse_qs(location.query).get("next", ["/"]) == [path]  # back here after sign-in


def test_a_form_posted_without_sign_in_changes_nothing(api: Api, client: FlaskClient) -> None:
    token = csrf_token(body(client.get("/sign-in")))

    response = client.post("/cases/new", data={"csrf_token": token, "child.Latn.given": "Aliya"})

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    listed = api.get("lawyer", "/api/v1/cases").json
    assert listed is not None and listed["total"] == 0


def test_pages_carry_a_strict_content_security_policy(api: Api, client: FlaskClient) -> None:
    case = api.create_case()
    anonymous = client.get("/sign-in")
    sign_in(client, "lawyer")

    for response in (anonymous, client.get("/cases"), client.get(f"/cases/{case['id']}")):
        assert response.status_code == 200
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "form-action 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy


def test_case_pages_are_never_cached(api: Api, client: FlaskClient) -> None:
    case = api.create_case()
    sign_in(client, "lawyer")

    for path in ("/cases", f"/cases/{case['id']}", "/cases/new"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_the_session_cookie_is_http_only_and_same_site_lax(
    client: FlaskClient, accounts: Any
) -> None:
    response = post_sign_in(client, "lawyer")

    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{COOKIE}=")]
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    stored = client.get_cookie(COOKIE)
    assert stored is not None and stored.http_only and stored.same_site == "Lax"


def test_choosing_russian_shows_the_pages_in_russian(api: Api, client: FlaskClient) -> None:
    api.create_case()
    token = sign_in(client, "lawyer")

    response = client.post(
        "/language", data={"csrf_token": token, "language": "ru", "next": "/cases?q=ab"}
    )

    assert response.status_code == 303 and response.headers["Location"] == "/cases?q=ab"
    text = body(client.get("/cases"))
    assert '<html lang="ru"' in text
    assert '<option value="ru" selected lang="ru">' in text
    assert '<option value="en" selected' not in text
    assert "<h1>Мои дела</h1>" in text and ">Выйти</button>" in text  # the page's own words
    # The domain's words from the label sets, the alternatives joined as CLDR joins them.
    assert "ДНК-экспертиза родства или Установление происхождения (вы)" in text
    assert "My cases" not in text and "DNA kinship" not in text


def test_the_chosen_language_outlives_sign_in_and_sign_out(
    client: FlaskClient, accounts: Any
) -> None:
    token = csrf_token(body(client.get("/sign-in")))
    client.post("/language", data={"csrf_token": token, "language": "ru", "next": "/sign-in"})
    assert '<html lang="ru"' in body(client.get("/sign-in"))

    token = sign_in(client, "lawyer")
    assert '<html lang="ru"' in body(client.get("/cases"))
    client.post("/sign-out", data={"csrf_token": token})

    assert '<html lang="ru"' in body(client.get("/sign-in"))


def test_an_unknown_language_is_ignored(client: FlaskClient, accounts: Any) -> None:
    token = sign_in(client, "lawyer")

    client.post("/language", data={"csrf_token": token, "language": "xx", "next": "/cases"})

    assert '<html lang="en"' in body(client.get("/cases"))


def test_the_browsers_preferred_language_is_used_until_one_is_chosen(
    client: FlaskClient, accounts: Any
) -> None:
    response = client.get("/sign-in", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})

    assert '<html lang="ru"' in body(response)


def test_where_the_demo_was_loaded_the_sign_in_page_names_its_accounts_but_no_password(
    app: Flask, client: FlaskClient, accounts: Any
) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Demonstration accounts" not in page  # the same users, but no `demo load` here
    (Path(app.instance_path) / "demo-loaded").touch()
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Demonstration accounts" in page
    for username, agency in (("lawyer", "Hope Legal Aid"), ("registrar", "Civil Registry Office")):
        assert f"<code>{username}</code>" in page
        assert agency in page
    assert PASSWORD not in page


def test_without_demo_accounts_the_sign_in_page_lists_nobody(client: FlaskClient) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Demonstration accounts" not in page
