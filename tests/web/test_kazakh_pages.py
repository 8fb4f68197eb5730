"""A Kazakh-speaking user reads the pages in Kazakh: asked for by the browser or picked, with the
page's own words, the domain's words and the dates all written the Kazakh way (CLDR's)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from babel.dates import format_date
from flask.testing import FlaskClient

from tests.factories import ALL_SCRIPTS_CHILD, Api
from tests.forms.helpers import logical_text
from tests.web.helpers import body, csrf_token, sign_in

# The same consent, signed on 15 January 2026, as each language writes the day (CLDR keeps a
# narrow no-break space, U+202F, between the year and its abbreviation).
SIGNED_ON = {"en": "Jan 15, 2026", "ru": "15 янв. 2026\u202fг.", "kk": "2026\u202fж. 15 қаң."}


def pick(client: FlaskClient, token: str, language: str, next_path: str = "/cases") -> None:
    form = {"csrf_token": token, "language": language, "next": next_path}
    assert client.post("/language", data=form).status_code == 303


def record_consent(api: Api, client: FlaskClient, token: str) -> dict[str, Any]:
    case = api.create_case()
    form = {
        "csrf_token": token,
        "person_id": api.person(case, "grandmother"),
        "purpose": "dna_testing",
        "given_on": "2026-01-15",
        "document_id": "",
    }
    assert client.post(f"/cases/{case['id']}/consents", data=form).status_code == 303
    return case


def test_a_browser_asking_for_kazakh_gets_the_sign_in_page_in_kazakh(
    client: FlaskClient, accounts: Any
) -> None:
    page = body(client.get("/sign-in", headers={"Accept-Language": "kk-KZ,kk;q=0.9,ru;q=0.8"}))

    assert '<html lang="kk"' in page
    assert "Homeward жүйесіне кіру" in page and "Құпиясөз" in page
    assert '<option value="kk" selected lang="kk">Қазақша</option>' in page
    assert "Sign in to Homeward" not in page


def test_the_picker_offers_each_language_named_in_itself(
    client: FlaskClient, accounts: Any
) -> None:
    page = body(client.get("/sign-in"))

    for code, name in (("en", "English"), ("ru", "Русский"), ("kk", "Қазақша")):
        assert f'value="{code}"' in page and f'lang="{code}">{name}</option>' in page


def test_picking_kazakh_shows_the_lawyers_list_in_kazakh(
    api: Api, client: FlaskClient, accounts: Any
) -> None:
    api.create_case()
    token = sign_in(client, "lawyer")

    pick(client, token, "kk")

    page = body(client.get("/cases"))
    assert '<html lang="kk"' in page
    assert "<h1>Менің істерім</h1>" in page and ">Шығу</button>" in page
    assert "ДНҚ бойынша туыстықты сараптау" in page  # the track that waits, from the Kazakh labels
    today = format_date(datetime.now(UTC).date(), "medium", locale="kk")  # CLDR's Kazakh
    assert today in page and "ж." in today
    assert "My cases" not in page and "Мои дела" not in page


def test_picking_kazakh_wins_over_the_browsers_russian(client: FlaskClient, accounts: Any) -> None:
    token = csrf_token(body(client.get("/sign-in")))
    pick(client, token, "kk", "/sign-in")

    page = body(client.get("/sign-in", headers={"Accept-Language": "ru"}))

    assert '<html lang="kk"' in page and "Кіру" in page


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_a_day_is_written_the_way_the_pages_language_writes_it(
    api: Api, client: FlaskClient, accounts: Any, language: str
) -> None:
    token = sign_in(client, "lawyer")
    case = record_consent(api, client, token)
    pick(client, token, language)

    page = body(client.get(f"/cases/{case['id']}"))

    assert SIGNED_ON[language] in page
    assert "2026-01-15" not in page.replace('value="2026-01-15"', "")


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "May 2017 (month known)"), ("ru", "май 2017\u202fг. (известен месяц)"),
     ("kk", "2017\u202fж. мамыр (айы белгілі)")],
)  # fmt: skip
def test_a_birth_month_is_written_as_precisely_as_it_is_known(
    api: Api, client: FlaskClient, accounts: Any, language: str, shown: str
) -> None:
    child = {**ALL_SCRIPTS_CHILD, "birth_date": {"value": "2017-05-01", "precision": "month"}}
    case = api.create_case(child=child)
    token = sign_in(client, "lawyer")
    pick(client, token, language)

    assert shown in body(client.get(f"/cases/{case['id']}"))


def test_a_form_printed_from_a_kazakh_page_has_kazakh_and_russian_labels(
    api: Api, client: FlaskClient, accounts: Any
) -> None:
    case = api.create_case()
    token = sign_in(client, "lawyer")
    pick(client, token, "kk")

    response = client.post(
        f"/cases/{case['id']}/forms/birth-registration",
        data={
            "csrf_token": csrf_token(body(client.get(f"/cases/{case['id']}"))),
            "variant": "full",
        },
    )

    assert response.status_code == 200
    assert "Іс нөмірі / Номер дела" in logical_text(response.data)  # the page's language first
