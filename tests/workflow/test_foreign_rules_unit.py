"""The rules behind foreign documents and the IIN, without a database: language tags and
country codes as CLDR knows them, the IIN's check digit, the translation check, and a definition
asking for translations into a language that does not exist."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import yaml

from workflow.rules.catalogue import BUILT_IN, DefinitionError, read_file
from workflow.rules.iin import check_digit, checked_iin
from workflow.rules.languages import country_code, language_tag
from workflow.rules.translations import untranslated

ORIGINAL, TRANSLATION, KAZAKH = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
LANGUAGES = {ORIGINAL: "ar", TRANSLATION: "ru-RU", KAZAKH: "kk-Cyrl"}
ORIGINALS = {ORIGINAL: None, TRANSLATION: ORIGINAL, KAZAKH: None}


@pytest.mark.parametrize(
    ("given", "canonical"),
    [("kk", "kk"), ("KK-cyrl-kz", "kk-Cyrl-KZ"), ("ar-001", "ar-001"), ("ckb", "ckb")],
)
def test_a_language_tag_is_kept_in_its_canonical_case(given: str, canonical: str) -> None:
    assert language_tag(given) == canonical


@pytest.mark.parametrize("given", ["xx", "und", "en_US", "kk-Qqqq", "ar-QQ", "ru-", "русский"])
def test_a_language_cldr_does_not_know_is_refused(given: str) -> None:
    with pytest.raises(ValueError):
        language_tag(given)


def test_a_country_is_two_letters_of_a_country_not_a_grouping() -> None:
    assert country_code("sy") == "SY"
    for given in ("EU", "ZZ", "SYR", "QQ", "С"):
        with pytest.raises(ValueError):
            country_code(given)


def test_an_iin_check_digit_uses_the_second_weights_when_the_first_give_ten() -> None:
    first = sum(int(d) * w for d, w in zip("00010150020", range(1, 12), strict=True)) % 11
    assert first == 10  # so the second weights decide
    assert check_digit("00010150020") == 6
    assert checked_iin("000101500206") == "000101500206"


def test_a_foreign_document_named_beside_its_translation_passes() -> None:
    assert untranslated([ORIGINAL, TRANSLATION], LANGUAGES, ORIGINALS, ["kk", "ru"]) == []
    assert untranslated([KAZAKH], LANGUAGES, ORIGINALS, ["kk", "ru"]) == []
    (problem,) = untranslated([KAZAKH, ORIGINAL], LANGUAGES, ORIGINALS, ["kk", "ru"])
    assert (problem["field"], problem["document"]) == ("evidence_ids.1", str(ORIGINAL))
    # A translation into Russian does not count where only Kazakh will do.
    problems = untranslated([ORIGINAL, TRANSLATION], LANGUAGES, ORIGINALS, ["kk"])
    assert {p["document"] for p in problems} == {str(ORIGINAL), str(TRANSLATION)}


def test_a_definition_asking_for_translations_into_no_language_is_refused(tmp_path: Path) -> None:
    body = yaml.safe_load((BUILT_IN / "kazakhstan.yaml").read_text(encoding="utf-8"))
    body["tracks"][1]["transitions"][0]["evidence_translated_into"] = ["klingon"]
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DefinitionError, match="evidence_translated_into"):
        read_file(path)
