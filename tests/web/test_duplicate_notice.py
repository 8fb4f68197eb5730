"""The new-case form when the child may already have a case: drawn again with what was typed,
naming the agency that holds the match (and the case only to a reader who may see it), and
opened anyway only once the lawyer ticks that it is another child."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from playwright.sync_api import Page, expect
from sqlalchemy import update

from tests.audit.helpers import events
from tests.factories import Api
from tests.web.conftest import sign_in
from tests.web.helpers import answer, body
from tests.web.test_particulars import THREE_SCRIPTS
from workflow import transactions
from workflow.models import Agency

# The form's child, Aliya Nurgalieva born in 2016, as another hand wrote her in Kazakh.
HELD_CHILD = {
    "names": [{"script": "Cyrl", "given": "Алия", "family": "Нургалиева"}],
    "sex": "female",
    "birth_date": {"value": "2016-05-04", "precision": "exact"},
}
NOTICE = "This child may already have a case, held by %s."
CHECKBOX = 'name="confirm_distinct" value="yes"'


def hold(api: Api, username: str) -> dict[str, Any]:
    """Open the child's case through the API, as another lawyer already has."""
    response = api.post(username, "/api/v1/cases", {"child": HELD_CHILD})
    assert response.status_code == 201
    return dict(answer(response))


def cases_of(api: Api, username: str) -> int:
    return int(answer(api.get(username, "/api/v1/cases"))["total"])


def post(client: FlaskClient, token: str, **more: str) -> Any:
    return client.post("/cases/new", data={"csrf_token": token, **THREE_SCRIPTS, **more})


def test_another_agencys_child_names_only_the_agency(
    api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    held = hold(api, "lawyer3")

    response = post(client, token)

    assert response.status_code == 409
    html = body(response)
    assert NOTICE % "Safe Return Lawyers" in html
    assert held["reference"] not in html and held["id"] not in html
    assert CHECKBOX in html and f"{CHECKBOX} checked" not in html
    assert 'name="child.Cyrl.family" value="Нұрғалиева"' in html  # what was typed is kept
    assert 'name="people.0.Cyrl.given" value="Гүлнар"' in html
    assert cases_of(api, "lawyer") == 0


def test_a_case_the_lawyer_may_see_is_linked(api: Api, as_lawyer: tuple[FlaskClient, str]) -> None:
    client, token = as_lawyer
    held = hold(api, "lawyer")

    html = body(post(client, token))

    assert NOTICE % "Hope Legal Aid" in html
    assert f'<a href="/cases/{held["id"]}">See case {held["reference"]}</a>' in html


def test_ticking_another_child_opens_the_case_and_the_trail_says_so(
    app: Any, api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    held = hold(api, "lawyer3")

    response = post(client, token, confirm_distinct="yes")

    assert response.status_code == 303
    assert cases_of(api, "lawyer") == 1
    created = [e for e in events(app) if e.action == "case.create" and e.outcome == "success"]
    assert created[-1].detail == {"possible_duplicates": [held["id"]], "confirm_distinct": True}


def test_the_refusal_is_in_the_trail(
    app: Any, api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    hold(api, "lawyer3")

    post(client, token)

    assert events(app)[-1].outcome == "possible_duplicate"


@pytest.mark.parametrize("value", ["true", "on", "1", "YES", "yes\u200b", "да", "x" * 10_000])
def test_only_the_boxs_own_value_confirms(
    api: Api, as_lawyer: tuple[FlaskClient, str], value: str
) -> None:
    client, token = as_lawyer
    hold(api, "lawyer3")

    response = post(client, token, confirm_distinct=value)

    assert response.status_code == 409
    assert cases_of(api, "lawyer") == 0


def test_a_form_with_other_problems_keeps_the_box_ticked(
    api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    hold(api, "lawyer3")

    response = post(client, token, confirm_distinct="yes", **{"child.birth_date.value": "x"})

    assert response.status_code == 422
    assert f"{CHECKBOX} checked" in body(response)


def test_a_child_with_no_match_is_not_asked_about(as_lawyer: tuple[FlaskClient, str]) -> None:
    client, token = as_lawyer

    response = post(client, token, **{"child.birth_date.value": "x"})

    assert CHECKBOX not in body(response)


def test_an_agencys_name_is_shown_as_text(
    app: Any, api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    hold(api, "lawyer3")
    with app.app_context(), transactions.unit_of_work() as session:
        session.execute(
            update(Agency)
            .where(Agency.name == "Safe Return Lawyers")
            .values(name='<script>alert("x")</script> & Қорғау')
        )

    html = body(post(client, token))

    assert NOTICE % "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Қорғау" in html
    assert "<script>alert" not in html


@pytest.mark.parametrize(
    ("language", "notice", "checkbox"),
    [
        ("ru", "Возможно, у этого ребёнка уже есть дело", "Это другой ребёнок"),
        ("kk", "Бұл баланың ісі бұрыннан ашылған болуы мүмкін", "Бұл басқа бала"),
    ],
)
def test_the_notice_in_russian_and_kazakh(
    api: Api, as_lawyer: tuple[FlaskClient, str], language: str, notice: str, checkbox: str
) -> None:
    client, token = as_lawyer
    hold(api, "lawyer3")
    form = {"csrf_token": token, "language": language, "next": "/cases/new"}
    assert client.post("/language", data=form).status_code == 303

    html = body(post(client, token))

    assert notice in html and "Safe Return Lawyers" in html
    assert checkbox in html


def test_in_a_browser_the_lawyer_ticks_another_child_and_opens_it(
    api: Api, served: str, page: Page
) -> None:
    hold(api, "lawyer3")
    sign_in(page, served, "lawyer")
    page.goto(f"{served}/cases/new")
    page.locator("#f-child-Latn-given").fill("Aliya")
    page.locator("#f-child-Latn-family").fill("Nurgalieva")
    page.locator("#f-child-sex").select_option(label="female")
    page.locator("#f-child-birth-date-value").fill("2016-01-01")
    page.locator("#f-child-birth-date-precision").select_option(label="year known")

    with page.expect_response(re.compile(r"/cases/new$")) as answered:
        page.get_by_role("button", name="Open the case").click()

    assert answered.value.status == 409
    notice = page.get_by_role("alert")
    expect(notice).to_contain_text(NOTICE % "Safe Return Lawyers")
    expect(notice.get_by_role("link")).to_have_count(0)
    expect(page.locator("#f-child-Latn-given")).to_have_value("Aliya")
    page.get_by_label("It is another child: open the case anyway").check()
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"Case HW-\S+ is open\."))
    assert cases_of(api, "lawyer") == 1
