"""Each form prints the case's names exactly, in every script, and only what its recipient needs."""

from __future__ import annotations

import io
import unicodedata

import PIL.Image
import pytest

from tests.factories import ALL_SCRIPTS_CHILD, MOTHER_ABROAD, Api
from tests.forms.helpers import (
    FORMS,
    KAZAKH_CHILD,
    KAZAKH_LETTERS,
    arabic_lines,
    drawn_lines,
    folded,
    full_name,
    generate,
    issued,
    logical_text,
    pages,
    text_boxes,
)

CYRILLIC, ARABIC, LATIN = (full_name(n) for n in KAZAKH_CHILD["names"])


@pytest.fixture
def kazakh_case(api: Api) -> dict:
    case = api.create_case(child=KAZAKH_CHILD)
    api.request_dna(case)
    return case


@pytest.mark.parametrize("form", FORMS)
def test_every_form_prints_the_child_in_each_script(api: Api, kazakh_case: dict, form: str) -> None:
    pdf = issued(generate(api, kazakh_case["id"], form))

    text = logical_text(pdf)
    assert CYRILLIC in text  # Kazakh letters exact
    assert LATIN in text
    assert ARABIC in folded(text)  # in reading order once its joined forms are folded back
    assert kazakh_case["reference"] in text


@pytest.mark.parametrize("form", FORMS)
def test_arabic_is_joined_and_drawn_right_to_left(api: Api, kazakh_case: dict, form: str) -> None:
    pdf = issued(generate(api, kazakh_case["id"], form))

    # Drawn left to right, the glyphs of a right-to-left name come last letter first.
    drawn = [line for line in arabic_lines(pdf) if folded(line) == folded(ARABIC)[::-1]]
    assert drawn, arabic_lines(pdf)
    # Joined: letters take their initial, medial and final forms, as a reader writes them.
    forms = {unicodedata.name(char).rsplit(" ", 2)[-2] for char in drawn[0] if char != " "}
    assert {"INITIAL", "MEDIAL", "FINAL"} <= forms


@pytest.mark.parametrize("form", FORMS)
def test_every_page_renders_to_an_image(api: Api, kazakh_case: dict, form: str) -> None:
    pdf = issued(generate(api, kazakh_case["id"], form))

    for image in pages(pdf, scale=1.0):
        png = io.BytesIO()
        image.save(png, "PNG")
        reread = PIL.Image.open(io.BytesIO(png.getvalue()))
        assert reread.format == "PNG"
        assert (round(reread.width / 10), round(reread.height / 10)) == (60, 84)  # A4 at 72 dpi
        assert reread.convert("L").getextrema()[0] < 64  # something dark was drawn


def test_all_nine_kazakh_letters_print_exactly(api: Api) -> None:
    child = {**KAZAKH_CHILD, "names": [{"script": "Cyrl", "given": KAZAKH_LETTERS}]}
    case = api.create_case(child=child)

    text = logical_text(issued(generate(api, case["id"], "case-summary")))

    assert KAZAKH_LETTERS in text


@pytest.mark.parametrize(
    "hostile",
    [
        "<b>Aliya</b>",
        "Ali & Co &amp; <i>",
        "<para><font name='Courier'>x</font></para>",
        "(Aliya) \\ ) ( %PDF-1.4 endobj",
        "Aliya \u202eayilA",  # a right-to-left override inside a Latin name
        "Ａｌｉｙａ Zalgo̸̢͓",
        "A" * 200,
    ],
)
def test_a_hostile_name_prints_as_typed(api: Api, hostile: str) -> None:
    child = {**ALL_SCRIPTS_CHILD, "names": [{"script": "Latn", "given": hostile}]}
    case = api.create_case(child=child)

    pdf = issued(generate(api, case["id"], "case-summary"))

    # Wrapped where it is too long; a full-width letter prints as its plain form.
    assert _unwrapped(folded(hostile)) in _unwrapped(logical_text(pdf))
    for left, bottom, right, top, width, height in text_boxes(pdf):
        assert left >= 0 and right <= width and bottom >= 0 and top <= height  # nothing runs off


def test_brackets_and_markup_in_an_arabic_name_are_mirrored_as_a_reader_expects(api: Api) -> None:
    child = {**ALL_SCRIPTS_CHILD, "names": [{"script": "Arab", "given": "(عالية) <b>"}]}
    case = api.create_case(child=child)

    drawn = arabic_lines(issued(generate(api, case["id"], "case-summary")))

    # Left to right as drawn: the markup first, then the name last letter first, in brackets
    # that still open towards it.
    assert "<b> (ةيلاع)" in [folded(line) for line in drawn]


def test_a_character_the_font_lacks_shows_as_missing_rather_than_vanishing(api: Api) -> None:
    child = {**ALL_SCRIPTS_CHILD, "names": [{"script": "Latn", "given": "Aliya 🙂 Nur"}]}
    case = api.create_case(child=child)

    text = logical_text(issued(generate(api, case["id"], "case-summary")))

    assert "Aliya \ufffd Nur" in text


def test_the_labels_are_in_russian_and_english(api: Api, kazakh_case: dict) -> None:
    text = logical_text(issued(generate(api, kazakh_case["id"], "birth-registration")))

    assert "Заявление о государственной регистрации рождения" in text
    assert "Application for state registration of birth" in text
    assert "Дата рождения" in text and "Date of birth" in text
    assert "2017-05 (известен месяц / month known)" in text


def test_the_redacted_summary_leaves_out_where_the_child_lives(api: Api, kazakh_case: dict) -> None:
    full = logical_text(issued(generate(api, kazakh_case["id"], "case-summary")))
    redacted = logical_text(
        issued(generate(api, kazakh_case["id"], "case-summary", variant="redacted"))
    )

    assert KAZAKH_CHILD["residence"] in full
    assert "detained abroad" in full  # the mother's whereabouts
    assert KAZAKH_CHILD["residence"] not in redacted
    assert "detained abroad" not in redacted and "Where the child lives" not in redacted
    assert CYRILLIC in redacted
    assert "without the child's whereabouts" in redacted


def test_the_birth_registration_follows_the_place_of_birth_policy(api: Api) -> None:
    mother = {**MOTHER_ABROAD, "birth_place": {"country": "KZ", "locality": "Шымкент"}}
    case = api.create_case(child=KAZAKH_CHILD, people=[mother])

    text = logical_text(issued(generate(api, case["id"], "birth-registration")))

    assert "the parents' places of birth, not the child's" in text
    assert "Шымкент, KZ" in text  # the mother's place of birth, for the certificate
    assert KAZAKH_CHILD["birth_place"]["locality"] not in text  # not the conflict zone


def test_a_form_shows_only_its_recipients_fields(api: Api, kazakh_case: dict) -> None:
    registry = logical_text(issued(generate(api, kazakh_case["id"], "birth-registration")))
    court = logical_text(issued(generate(api, kazakh_case["id"], "guardianship-petition")))

    assert KAZAKH_CHILD["residence"] not in registry  # the registry does not need it
    assert KAZAKH_CHILD["residence"] in court  # the guardianship court does
    assert "Chain of custody" not in registry


def test_the_dna_request_carries_the_consent_and_custody_sheet(api: Api, kazakh_case: dict) -> None:
    text = logical_text(issued(generate(api, kazakh_case["id"], "dna-request")))

    assert "Нұрғалиева Гүлнар" in text  # the mother, the relative to be tested
    assert "maternity" in text
    assert "DNA testing: mother / мать" in text or "DNA testing: мать / mother" in text
    assert "2026-01-15" in text and "in force" in text
    assert "Chain of custody of the samples" in text
    assert "Received by (name, signature)" in text


def test_steps_taken_print_their_numbers(api: Api, kazakh_case: dict) -> None:
    case_id = kazakh_case["id"]
    api.step("judge", case_id, "dna", "authorize", {"ruling_number": "2-417/2026"})
    api.step(
        "lab",
        case_id,
        "dna",
        "collect_samples",
        {"sample_ids": ["S-1001", "S-1002"], "collected_on": "2026-02-01"},
    )

    pdf = issued(generate(api, case_id, "dna-request"))
    text = logical_text(pdf)

    assert "2-417/2026" in text
    assert "S-1001, S-1002" in text
    assert any(line.startswith("S-1002") for line in drawn_lines(pdf))  # a custody row each


def test_a_long_history_continues_on_further_pages(api: Api, kazakh_case: dict) -> None:
    case_id = kazakh_case["id"]
    for _ in range(30):
        api.step("judge", case_id, "dna", "refuse", {"reason": "Needs the consent letter"})
        api.request_dna(kazakh_case)

    pdf = issued(generate(api, case_id, "case-summary"))

    rendered = pages(pdf, scale=0.5)
    assert len(rendered) >= 2
    assert logical_text(pdf).count("→") >= 61


def _unwrapped(text: str) -> str:
    """The text without spaces or the invisible override mark, whatever the line breaks."""
    return "".join(text.replace("\u202e", "").split())
