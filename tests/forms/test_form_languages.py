"""A form prints its labels in the languages the lawyer asks for (`?languages=kk,ru`), else in the
configured ones; a request naming a language with no label set is refused before anything is
issued."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from sqlalchemy import func, select

from forms.models import IssuedForm
from forms.sheet import form_languages
from tests.factories import Api
from tests.forms.helpers import KAZAKH_CHILD, generate, issued, logical_text
from workflow import transactions

LABELS = Path(__file__).parents[2] / "forms" / "labels"
ALIYA = {
    **KAZAKH_CHILD,
    "names": [{"script": "Cyrl", "given": "Әлия", "family": "Нұрғалиева"}],
}
KAZAKH_TITLE = "Баланың тууын мемлекеттік тіркеу туралы өтініш"
RUSSIAN_TITLE = "Заявление о государственной регистрации рождения"
ENGLISH_TITLE = "Application for state registration of birth"


@pytest.fixture
def case(api: Api) -> dict[str, Any]:
    return api.create_case(child=ALIYA)


def issued_forms(app: Any) -> int:
    with app.app_context():
        return int(transactions.session().scalar(select(func.count()).select_from(IssuedForm)) or 0)


def test_every_english_label_has_its_kazakh_one() -> None:
    english, kazakh = (
        yaml.safe_load((LABELS / f"{language}.yaml").read_text(encoding="utf-8"))
        for language in ("en", "kk")
    )

    assert sorted(english.keys() - kazakh.keys()) == []
    assert all(text.strip() for text in kazakh.values())


def test_a_form_asked_for_in_kazakh_and_russian_prints_both(api: Api, case: dict) -> None:
    text = logical_text(issued(generate(api, case["id"], "birth-registration", languages="kk,ru")))

    assert KAZAKH_TITLE in text and RUSSIAN_TITLE in text
    assert "Іс нөмірі / Номер дела" in text  # in the order asked for
    assert "Нұрғалиева Әлия" in text  # the child's Kazakh letters read back intact
    assert ENGLISH_TITLE not in text


def test_kazakh_alone_prints_only_kazakh_labels(api: Api, case: dict) -> None:
    text = logical_text(issued(generate(api, case["id"], "case-summary", languages="kk")))

    assert "Мекемелер арасында беруге арналған іс бойынша анықтама" in text
    assert "Тексеру коды" in text and "Іс нөмірі" in text
    assert "Case summary" not in text and "Сводка по делу" not in text


def test_without_languages_the_form_keeps_russian_and_english(api: Api, case: dict) -> None:
    text = logical_text(issued(generate(api, case["id"], "birth-registration")))

    assert RUSSIAN_TITLE in text and ENGLISH_TITLE in text
    assert KAZAKH_TITLE not in text


def test_kazakh_can_be_the_configured_language_of_every_form(
    app: Any, api: Api, case: dict
) -> None:
    app.config["FORM_LANGUAGES"] = "kk,ru,en"

    text = logical_text(issued(generate(api, case["id"], "birth-registration")))

    assert KAZAKH_TITLE in text and RUSSIAN_TITLE in text and ENGLISH_TITLE in text
    with app.app_context():
        assert form_languages() == ["kk", "ru", "en"]


@pytest.mark.parametrize(
    "languages",
    [
        "xx",
        "kk,xx",
        "kk,kk",
        "kk, ru,kk",
        "",
        ",",
        "kk,,ru",
        "KK",
        ",".join(["kk"] * 1000),
        ",".join(f"k{n}" for n in range(1000)),
        "қазақша",
        "kk\u200b",
        "../en",
        "kk%00",
        "<script>",
    ],
)
def test_an_unknown_or_repeated_language_is_refused(
    app: Any, api: Api, case: dict, languages: str
) -> None:
    response = generate(api, case["id"], "birth-registration", languages=quote(languages))

    assert (response.status_code, response.json["error"]["code"]) == (422, "invalid_input")
    assert issued_forms(app) == 0


@pytest.mark.parametrize("languages", ["<script>alert(1)</script>", "қазақша-тілі"])
def test_the_refusal_names_the_languages_with_labels_not_what_was_sent(
    api: Api, case: dict, languages: str
) -> None:
    response = generate(api, case["id"], "birth-registration", languages=quote(languages))

    assert response.status_code == 422
    assert "en, kk, ru" in response.get_data(as_text=True)
    assert languages not in response.get_data(as_text=True)


def test_the_languages_parameter_is_in_the_openapi_document(client: Any) -> None:
    document = client.get("/api/v1/openapi.json").get_data(as_text=True)

    assert "the label sets to print, in order, such as kk,ru" in document
