"""The administrator's pages: agencies and accounts added, a password chosen by its user through
a one-time link the administrator never sees the password of, passwords reset, accounts disabled
and moved; everyone else refused; hostile forms refused beside their fields, writing nothing;
and every change in the trail under the username it concerns, never a password or a token."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Page, expect
from sqlalchemy import func, select, update
from werkzeug.test import TestResponse

from tests.audit.helpers import event_of
from tests.conftest import PASSWORD
from tests.factories import Api, can_sign_in
from tests.security.test_sessions import me, trade
from tests.security.test_sessions import sign_in as api_sign_in
from tests.web.conftest import screenshot
from tests.web.conftest import sign_in as sign_in_browser
from tests.web.helpers import body, csrf_token, field_error, field_errors, sign_in, table_rows
from workflow import transactions
from workflow.db import utcnow
from workflow.models import Agency, SetupLink, User

CHOSEN = "a quiet harbour in late autumn"
LINK = re.compile(r'id="setup-link" value="https?://[^/"]+(/account/setup/[^"]+)"')
NOT_ADMINS = ("lawyer", "registrar", "auditor")
NO_LINK = "This link does not work"


def agency_id(app: Flask, name: str) -> str:
    with app.app_context():
        found = transactions.session().scalar(select(Agency.id).filter_by(name=name))
    return str(found)


def user_id(app: Flask, username: str) -> str:
    with app.app_context():
        found = transactions.session().scalar(select(User.id).filter_by(username=username))
    return str(found)


def stored(app: Flask) -> tuple[int, int, int]:
    """How many users, agencies and setup links are kept."""
    with app.app_context():
        session = transactions.session()
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model))
            for model in (User, Agency, SetupLink)
        )


def add_account(
    client: FlaskClient, token: str, username: str, role: str = "lawyer", agency: str = ""
) -> TestResponse:
    form = {"csrf_token": token, "username": username, "role": role, "agency": agency}
    return client.post("/admin/users", data=form)


def new_lawyer(app: Flask, client: FlaskClient, token: str, username: str = "n.aliyeva") -> str:
    """Add a lawyer of Hope Legal Aid; return the path of their setup link."""
    response = add_account(client, token, username, agency=agency_id(app, "Hope Legal Aid"))
    assert response.status_code == 200, body(response)
    return link_of(response)


def link_of(response: TestResponse) -> str:
    found = LINK.search(body(response))
    assert found, "the page shows no setup link"
    return found.group(1)


def choose(app: Flask, path: str, new: str = CHOSEN, again: str | None = None) -> TestResponse:
    """Open the link in a browser of its own and choose the password."""
    browser = app.test_client()
    token = csrf_token(body(browser.get(path)))
    form = {"csrf_token": token, "new_password": new, "new_password_again": again or new}
    return browser.post(path, data=form)


def post(client: FlaskClient, token: str, path: str, **form: str) -> TestResponse:
    return client.post(path, data={"csrf_token": token, **form})


@pytest.fixture
def as_admin(client: FlaskClient, accounts: Any) -> tuple[FlaskClient, str]:
    return client, sign_in(client, "admin")


# --- agencies ---------------------------------------------------------------------------------


def test_an_administrator_adds_an_agency_of_a_known_kind(
    app: Flask, as_admin: tuple[FlaskClient, str]
) -> None:
    client, token = as_admin
    response = post(client, token, "/admin/agencies", name="Kostanay Court", kind="court")

    assert response.status_code == 303
    listed = table_rows(body(client.get("/admin/agencies")), "Agencies")
    assert ["Kostanay Court", "court"] in listed
    event = event_of(app, response)
    assert (event.action, event.outcome, event.username) == (
        "admin.agency_create",
        "success",
        "admin",
    )
    assert event.object_id == agency_id(app, "Kostanay Court")
    assert event.detail == {"kind": "court"}


@pytest.mark.parametrize(
    ("name", "kind", "field", "problem"),
    [
        ("x" * 10_000, "court", "name", "This is too long."),
        (
            "Court\x00of\x07bells",
            "court",
            "name",
            "This holds characters that cannot be used here.",
        ),
        ("   ", "court", "name", "Fill this in."),
        ("Almaty City Court", "court", "name", "That is taken already; choose another."),
        ("Kostanay Court", "ministry_of_magic", "kind", "Choose one of the options."),
        ("Kostanay Court", "", "kind", "Choose one of the options."),
    ],
)
def test_a_hostile_agency_form_is_refused_beside_its_field_and_writes_nothing(
    app: Flask, as_admin: tuple[FlaskClient, str], name: str, kind: str, field: str, problem: str
) -> None:
    client, token = as_admin
    before = stored(app)

    response = post(client, token, "/admin/agencies", name=name, kind=kind)

    assert response.status_code in (409, 422)
    assert field_error(body(response), field) == problem
    assert stored(app) == before
    assert event_of(app, response).outcome in ("invalid_input", "conflict")


def test_an_agency_name_in_any_script_is_kept_as_typed(
    app: Flask, as_admin: tuple[FlaskClient, str]
) -> None:
    client, token = as_admin
    name = "Суд города Астаны — ‏محكمة‎"
    assert post(client, token, "/admin/agencies", name=name, kind="court").status_code == 303
    assert agency_id(app, name) != "None"


# --- a new account and its setup link --------------------------------------------------------


def test_a_new_user_chooses_their_password_through_the_link_then_signs_in(
    app: Flask, as_admin: tuple[FlaskClient, str]
) -> None:
    client, token = as_admin
    response = add_account(client, token, "n.aliyeva", agency=agency_id(app, "Hope Legal Aid"))
    path = link_of(response)
    secret = path.rsplit("/", 1)[1]

    assert not can_sign_in(client, "", "n.aliyeva")
    done = choose(app, path)

    assert done.status_code == 303 and done.location.endswith("/sign-in")
    assert can_sign_in(client, CHOSEN, "n.aliyeva")
    created, chosen = event_of(app, response), event_of(app, done)
    assert (created.action, created.object_id, created.detail["role"]) == (
        "admin.user_create",
        "n.aliyeva",
        "lawyer",
    )
    assert (chosen.action, chosen.outcome, chosen.username) == (
        "auth.password_setup",
        "success",
        "n.aliyeva",
    )
    trail = json.dumps([repr(vars(event)) for event in (created, chosen)])
    assert secret not in trail and CHOSEN not in trail


def test_only_the_hash_of_the_link_is_kept(app: Flask, as_admin: tuple[FlaskClient, str]) -> None:
    client, token = as_admin
    secret = new_lawyer(app, client, token).rsplit("/", 1)[1]
    with app.app_context():
        kept = transactions.session().scalars(select(SetupLink.token_hash)).all()
    assert len(kept) == 1 and secret not in kept[0] and len(kept[0]) == 64


def test_the_link_page_and_the_setup_page_send_no_referrer(
    app: Flask, as_admin: tuple[FlaskClient, str]
) -> None:
    client, token = as_admin
    response = add_account(client, token, "n.aliyeva", agency=agency_id(app, "Hope Legal Aid"))
    page = app.test_client().get(link_of(response))

    for answer in (response, page):
        assert answer.headers["Referrer-Policy"] == "no-referrer"
        assert answer.headers["Cache-Control"] == "no-store"


def test_the_chosen_password_must_follow_the_rules(
    app: Flask, as_admin: tuple[FlaskClient, str]
) -> None:
    client, token = as_admin
    path = new_lawyer(app, client, token)

    short = choose(app, path, "too short")
    named = choose(app, path, "n.aliyeva-and-more")
    differ = choose(app, path, CHOSEN, "something else entirely")

    assert (
        field_error(body(short), "new_password") == "A password must be 12 to 256 characters long."
    )
    assert field_error(body(named), "new_password") == (
        "That password is too easy to guess; choose another."
    )
    assert field_error(body(differ), "new_password_again") == "The two new passwords differ."
    assert choose(app, path).status_code == 303  # a refused try does not spend the link


def main_of(response: TestResponse) -> str:
    return body(response).split("<main", 1)[1].split("</main>", 1)[0]


def test_a_used_expired_or_forged_link_gets_one_and_the_same_page(
    app: Flask, as_admin: tuple[FlaskClient, str]
) -> None:
    client, token = as_admin
    used = new_lawyer(app, client, token, "first.user")
    choose(app, used)
    expired = new_lawyer(app, client, token, "second.user")
    with app.app_context(), transactions.unit_of_work() as session:
        session.execute(
            update(SetupLink)
            .where(SetupLink.user_id == uuid.UUID(user_id(app, "second.user")))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    forged = "/account/setup/" + "A" * 43
    overlong = "/account/setup/" + "A" * 5000

    answers = [app.test_client().get(path) for path in (used, expired, forged, overlong)]
    posted = choose_blind(app, used)

    assert {answer.status_code for answer in [*answers, posted]} == {404}
    assert len({main_of(answer) for answer in [*answers, posted]}) == 1
    assert NO_LINK in main_of(answers[0])
    assert "first.user" not in main_of(answers[0]) and "second.user" not in main_of(answers[1])
    assert not can_sign_in(client, CHOSEN, "second.user")


def choose_blind(app: Flask, path: str) -> TestResponse:
    """Post a password to a link without opening it first (a CSRF token from another page)."""
    browser = app.test_client()
    token = csrf_token(body(browser.get("/sign-in")))
    form = {"csrf_token": token, "new_password": CHOSEN, "new_password_again": CHOSEN}
    return browser.post(path, data=form)


def test_a_new_link_voids_the_one_before(app: Flask, as_admin: tuple[FlaskClient, str]) -> None:
    client, token = as_admin
    first = new_lawyer(app, client, token)
    second = link_of(
        post(client, token, f"/admin/users/{user_id(app, 'n.aliyeva')}/password-reset")
    )

    assert choose(app, first).status_code == 404
    assert choose(app, second).status_code == 303


@pytest.mark.parametrize(
    ("username", "problem"),
    [
        ("x" * 10_000, "This is too long."),
        ("юрист", "Use the form shown in the hint."),
        ("аdmin", "Use the form shown in the hint."),  # a Cyrillic "а"
        ("ad\x00min", "Use the form shown in the hint."),
        ("ad\nmin", "Use the form shown in the hint."),
        ("Admin", "Use the form shown in the hint."),
        ("", "Fill this in."),
        ("lawyer", "That is taken already; choose another."),
    ],
)
def test_a_hostile_username_is_refused_beside_its_field_and_writes_nothing(
    app: Flask, as_admin: tuple[FlaskClient, str], username: str, problem: str
) -> None:
    client, token = as_admin
    before = stored(app)

    response = add_account(client, token, username, agency=agency_id(app, "Hope Legal Aid"))

    assert response.status_code in (409, 422)
    assert field_error(body(response), "username") == problem
    assert stored(app) == before
    assert 'id="setup-link"' not in body(response)


@pytest.mark.parametrize(
    ("role", "agency", "field", "problem"),
    [
        ("auditor", "Hope Legal Aid", "agency", "An agency of this kind cannot hold that role."),
        ("admin", "Almaty City Court", "agency", "An agency of this kind cannot hold that role."),
        ("superuser", "Hope Legal Aid", "role", "Choose one of the options."),
        ("lawyer", None, "agency", "Choose one of the options."),
        ("lawyer", "not-an-id", "agency", "Choose one of the options."),
    ],
)
def test_a_role_or_agency_that_does_not_fit_is_refused_and_writes_nothing(
    app: Flask,
    as_admin: tuple[FlaskClient, str],
    role: str,
    agency: str | None,
    field: str,
    problem: str,
) -> None:
    client, token = as_admin
    before = stored(app)
    chosen = str(uuid.uuid4()) if agency is None else agency
    chosen = agency_id(app, agency) if agency and " " in agency else chosen

    response = add_account(client, token, "n.aliyeva", role=role, agency=chosen)

    assert response.status_code == 422
    assert field_error(body(response), field) == problem
    assert stored(app) == before


# --- resetting, disabling, moving --------------------------------------------------------------


def test_a_reset_ends_the_sessions_and_the_old_password_at_once(
    app: Flask, client: FlaskClient, accounts: Any
) -> None:
    pair = api_sign_in(client, "lawyer")
    lawyers_browser = app.test_client()
    sign_in(lawyers_browser, "lawyer")
    admin = app.test_client()
    token = sign_in(admin, "admin")

    response = post(admin, token, f"/admin/users/{user_id(app, 'lawyer')}/password-reset")

    assert response.status_code == 200
    assert me(client, pair) == 401
    assert trade(client, pair["refresh_token"]).status_code == 401
    assert lawyers_browser.get("/cases").status_code == 302
    assert not can_sign_in(client, PASSWORD, "lawyer")
    assert choose(app, link_of(response)).status_code == 303
    assert can_sign_in(client, CHOSEN, "lawyer")
    event = event_of(app, response)
    assert (event.action, event.object_id, event.detail) == (
        "admin.password_reset",
        "lawyer",
        {"sessions_ended": 2},
    )


def test_a_disabled_account_cannot_sign_in_and_its_tokens_stop(
    app: Flask, client: FlaskClient, accounts: Any
) -> None:
    pair = api_sign_in(client, "lawyer")
    admin = app.test_client()
    token = sign_in(admin, "admin")
    lawyer = user_id(app, "lawyer")

    response = post(admin, token, f"/admin/users/{lawyer}/disable")

    assert response.status_code == 303
    assert me(client, pair) == 401
    assert trade(client, pair["refresh_token"]).status_code == 401
    assert not can_sign_in(client, PASSWORD, "lawyer")
    page = app.test_client()
    form = {"csrf_token": csrf_token(body(page.get("/sign-in"))), "username": "lawyer"}
    assert page.post("/sign-in", data={**form, "password": PASSWORD}).status_code == 401
    event = event_of(app, response)
    assert (event.action, event.object_id, event.detail) == (
        "admin.user_disable",
        "lawyer",
        {"disabled": True, "sessions_ended": 1},
    )
    enabled = post(admin, token, f"/admin/users/{lawyer}/enable")
    assert event_of(app, enabled).action == "admin.user_enable"
    assert can_sign_in(client, PASSWORD, "lawyer")


def test_an_administrator_cannot_disable_or_demote_themselves(
    app: Flask, as_admin: tuple[FlaskClient, str]
) -> None:
    client, token = as_admin
    own = user_id(app, "admin")
    operator = agency_id(app, "Homeward Operations")

    disabled = post(client, token, f"/admin/users/{own}/disable")
    demoted = post(client, token, f"/admin/users/{own}/account", role="auditor", agency=operator)

    assert disabled.status_code == demoted.status_code == 409
    assert "You cannot do this to your own account." in body(disabled)
    assert field_error(body(demoted), "role") == "You cannot do this to your own account."
    assert can_sign_in(client, PASSWORD, "admin")
    assert event_of(app, disabled).detail == {"refused": "own_account"}
    assert event_of(app, disabled).object_id == "admin"


def test_a_lawyer_moved_to_another_ngo_leaves_its_cases(
    app: Flask, client: FlaskClient, api: Api
) -> None:
    case = api.create_case()
    admin = app.test_client()
    token = sign_in(admin, "admin")
    other_ngo = agency_id(app, "Safe Return Lawyers")

    response = post(
        admin,
        token,
        f"/admin/users/{user_id(app, 'lawyer')}/account",
        role="lawyer",
        agency=other_ngo,
    )

    assert response.status_code == 303
    assert api.get("lawyer", f"/api/v1/cases/{case['id']}").status_code == 401  # signed out
    api._tokens.pop("lawyer")
    assert api.get("lawyer", f"/api/v1/cases/{case['id']}").status_code == 404
    event = event_of(app, response)
    assert (event.action, event.object_id) == ("admin.user_update", "lawyer")
    assert event.detail["assignments_ended"] == 1


def test_a_role_the_new_agency_cannot_hold_is_refused(
    app: Flask, as_admin: tuple[FlaskClient, str]
) -> None:
    client, token = as_admin
    court = agency_id(app, "Almaty City Court")

    response = post(
        client, token, f"/admin/users/{user_id(app, 'lawyer')}/account", role="lawyer", agency=court
    )

    assert response.status_code == 422
    assert field_error(body(response), "agency") == "An agency of this kind cannot hold that role."
    assert can_sign_in(client, PASSWORD, "lawyer")


# --- the lists and who may see them ------------------------------------------------------------


def test_the_list_of_accounts_shows_standing_and_last_sign_in_and_no_case(
    app: Flask, api: Api, client: FlaskClient
) -> None:
    api.create_case()
    token = sign_in(client, "admin")
    post(client, token, f"/admin/users/{user_id(app, 'lawyer3')}/disable")

    rows = {row[0]: row for row in table_rows(body(client.get("/admin/users")), "Accounts")}

    assert rows["lawyer3"][1:4] == ["lawyer", "Safe Return Lawyers", "disabled"]
    assert rows["admin"][3] == "enabled" and rows["admin"][4] != "never"
    assert rows["registrar"][4] == "never"
    assert "HW-" not in body(client.get("/admin/users"))


def test_the_menu_shows_the_administration_to_administrators_only(
    client: FlaskClient, accounts: Any
) -> None:
    sign_in(client, "admin")
    assert 'href="/admin/users"' in body(client.get("/dashboard"))
    lawyer = client.application.test_client()
    sign_in(lawyer, "lawyer")
    assert 'href="/admin/users"' not in body(lawyer.get("/cases"))


ADMIN_GETS = ("/admin/users", "/admin/agencies", "/admin/users/{lawyer}")
ADMIN_POSTS = (
    ("/admin/users", {"username": "intruder", "role": "admin", "agency": "{operator}"}),
    ("/admin/agencies", {"name": "Shadow Agency", "kind": "operator"}),
    ("/admin/users/{lawyer}/account", {"role": "lawyer", "agency": "{other_ngo}"}),
    ("/admin/users/{lawyer}/disable", {}),
    ("/admin/users/{lawyer}/enable", {}),
    ("/admin/users/{lawyer}/password-reset", {}),
    ("/admin/users/{lawyer}/second-factor-reset", {}),
)


@pytest.mark.parametrize("who", NOT_ADMINS)
def test_no_one_but_an_administrator_reaches_the_pages_or_changes_anything(
    app: Flask, client: FlaskClient, accounts: Any, who: str
) -> None:
    token = sign_in(client, who)
    names = {
        "lawyer": user_id(app, "lawyer"),
        "operator": agency_id(app, "Homeward Operations"),
        "other_ngo": agency_id(app, "Safe Return Lawyers"),
    }
    before = stored(app)

    for path in ADMIN_GETS:
        assert client.get(path.format(**names)).status_code == 403, path
    for path, form in ADMIN_POSTS:
        filled = {key: value.format(**names) for key, value in form.items()}
        answer = post(client, token, path.format(**names), **filled)
        assert answer.status_code == 403, path
        assert event_of(app, answer).outcome == "not_permitted"

    assert stored(app) == before
    assert can_sign_in(client, PASSWORD, "lawyer")
    assert "intruder" not in body(client.get("/"))


def test_a_form_without_its_csrf_token_is_refused(
    app: Flask, as_admin: tuple[FlaskClient, str]
) -> None:
    client, _token = as_admin
    before = stored(app)
    response = client.post("/admin/agencies", data={"name": "Forged", "kind": "court"})
    assert response.status_code == 400
    assert stored(app) == before


def test_an_unknown_account_is_a_missing_page(as_admin: tuple[FlaskClient, str]) -> None:
    client, token = as_admin
    assert client.get(f"/admin/users/{uuid.uuid4()}").status_code == 404
    assert client.get("/admin/users/not-an-id").status_code == 404
    assert post(client, token, f"/admin/users/{uuid.uuid4()}/disable").status_code == 404


# --- in a browser -------------------------------------------------------------------------------


def test_an_administrator_creates_an_account_and_its_user_sets_a_password_in_chromium(
    page: Page, served: str
) -> None:
    sign_in_browser(page, served, "admin")
    page.get_by_role("link", name="Accounts").click()
    page.locator("#f-username").fill("m.seitova")
    page.locator("#f-role").select_option("official")
    page.locator("#f-agency").select_option(label="Almaty City Court")
    page.get_by_role("button", name="Add the account").click()
    link = page.get_by_label("One-time link").input_value()
    screenshot(page, "admin-setup-link")

    page.context.clear_cookies()
    page.goto(served + "/" + link.split("/", 3)[3])  # the link names the configured public URL
    page.locator("#f-new-password").fill(CHOSEN)
    page.locator("#f-new-password-again").fill(CHOSEN)
    page.get_by_role("button", name="Set the password").click()
    expect(page.get_by_text("Your password is set. Sign in with it.")).to_be_visible()
    page.locator("#username").fill("m.seitova")
    page.locator("#password").fill(CHOSEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("m.seitova ·")).to_be_visible()
    assert field_errors(page.content()) == []
