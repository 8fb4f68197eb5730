"""Countries, languages and scripts are named in the page's language from CLDR, codes never."""

from __future__ import annotations

import pytest
from flask import Flask, render_template_string

from workflow.web.names import country_name, language_name, script_name

NAMES = {
    "en": ("Syria", "Kazakh", "Cyrillic"),
    "ru": ("Сирия", "казахский", "кириллица"),
    "kk": ("Сирия", "қазақ тілі", "кирилл жазуы"),
}


@pytest.mark.parametrize("language", sorted(NAMES))
def test_each_name_is_in_the_pages_language(app: Flask, language: str) -> None:
    with app.test_request_context(headers={"Accept-Language": language}):
        assert (country_name("SY"), language_name("kk"), script_name("Cyrl")) == NAMES[language]


def test_the_templates_name_codes_with_filters(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "kk"}):
        shown = render_template_string(
            "{{ 'KZ'|country }}, {{ 'ar'|language }}, {{ 'Arab'|script }}"
        )

    assert shown == "Қазақстан, араб тілі, араб жазуы"


@pytest.mark.parametrize(
    ("code", "shown"), [("sy", "Syria"), ("KK", "Kazakh"), ("cyrl", "Cyrillic")]
)
def test_a_code_in_another_case_is_still_named(app: Flask, code: str, shown: str) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert shown in (country_name(code), language_name(code), script_name(code))


@pytest.mark.parametrize("code", ["XX", "zz-unknown", "<b>", "қаз", "x" * 5000])
def test_a_code_cldr_does_not_know_is_shown_as_given(app: Flask, code: str) -> None:
    with app.test_request_context(headers={"Accept-Language": "kk"}):
        assert country_name(code) == code and language_name(code) == code


def test_nothing_is_named_as_nothing(app: Flask) -> None:
    with app.test_request_context():
        assert (country_name(None), language_name(""), script_name(None)) == ("", "", "")
