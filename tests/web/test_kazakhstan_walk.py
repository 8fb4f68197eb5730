"""A case on the Kazakhstan procedure, walked in a real browser by each agency in turn: the
lawyer uploads a Syrian record with its sworn translation and files both with the court, the
registry assigns the IIN, the guardianship authority (not a court) appoints the guardian."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.factories import Api, sample_pdf
from tests.web.conftest import screenshot, sign_in, sign_out
from tests.web.test_end_to_end import (
    GRANDMOTHER,
    IN_TEN_YEARS,
    LAST_WEEK,
    MOTHER_ABROAD,
    YESTERDAY,
    as_user,
    choose,
    field,
    open_case,
    step_form,
    take_step,
    track_state,
)

IIN = "190515500129"


def confirm_dna(api: Api, reference: str) -> None:
    """The lawyer's request and the laboratory's steps, through the JSON API."""
    case = api.case("lawyer", reference)
    api.request_dna(case)
    samples = {"sample_ids": ["S-0412"], "collected_on": LAST_WEEK}
    api.step("lab", case["id"], "dna", "collect_samples", samples)
    report = {"report_number": "FL-2026-0932", "probability": 0.9999}
    api.step("lab", case["id"], "dna", "confirm", report)


def upload_foreign(page: Page, path: Path, texts: dict[str, str], choices: dict[str, str]) -> None:
    """Upload an identity record with what the lawyer knows of its language and provenance."""
    form = page.locator("#upload")
    form.get_by_label("Kind of document").select_option(label="identity record")
    form.get_by_label("File").set_input_files(path)
    form.get_by_text("A foreign document or a translation").click()
    for name, value in texts.items():
        field(page, name).fill(value)
    for name, shown in choices.items():
        if name == "translation_of":  # documents are offered by kind, id and time
            choose(field(page, name), shown)
        else:
            field(page, name).select_option(label=shown)
    form.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status").filter(has_text="The document is uploaded.")).to_be_visible()


def lawyer_files_the_foreign_record_with_the_court(page: Page, scan: Path) -> None:
    legalised = {
        "language": "Arabic",
        "legalisation": "legalised by a consulate",
        "legalisation_country": "Syria",
    }
    upload_foreign(page, scan, {"legalised_on": "2019-08-01"}, legalised)
    translated = {
        "language": "Russian",
        "translation_of": "identity record",
        "translator_sworn": "yes",
    }
    upload_foreign(page, scan, {"translator_name": "Айгерим Сапарова"}, translated)
    section = page.locator("section[aria-labelledby=documents-heading] li")
    documents = section.filter(has_text="identity record")
    expect(documents.first).to_contain_text("in Arabic · legalised by Syria")
    expect(documents.nth(1)).to_contain_text("in Russian · translation of")
    expect(documents.nth(1)).to_contain_text("Айгерим Сапарова")  # isolated, as names are
    expect(documents.nth(1)).to_contain_text("(sworn)")
    screenshot(page, "kazakhstan-foreign-documents")
    petition = step_form(page, "parentage", "file_petition")
    expect(petition).to_contain_text("translation into Kazakh, Russian")
    for box in petition.get_by_role("checkbox", name=re.compile("^identity record")).all():
        box.check()
    take_step(
        page,
        "parentage",
        "file_petition",
        "File the petition",
        texts={"Grounds": "The DNA report confirms the grandmother's kinship."},
    )
    expect(track_state(page, "Parentage")).to_have_text("petition filed")


def test_a_kazakhstan_case_is_walked_to_completion_in_the_browser(
    app: Any, served: str, page: Page, api: Api, tmp_path: Path
) -> None:
    app.config["WORKFLOW"] = "kazakhstan"
    scan = tmp_path / "record.pdf"
    scan.write_bytes(sample_pdf("Syrian birth record"))
    sign_in(page, served, "lawyer")
    reference = open_case(page, served, MOTHER_ABROAD, GRANDMOTHER)
    expect(track_state(page, "Guardianship")).to_have_text("required")
    confirm_dna(api, reference)
    page.reload()
    lawyer_files_the_foreign_record_with_the_court(page, scan)
    take_step(page, "birth_registration", "file", "File")
    take_step(
        page,
        "guardianship",
        "apply",
        "Apply",
        texts={"Relationship of the guardian to the child": "grandmother"},
        choices={"Proposed guardian": "Сәуле"},
    )
    sign_out(page)

    as_user(page, served, "judge", reference)
    take_step(
        page,
        "parentage",
        "establish",
        "Establish",
        texts={"Court ruling number": "2-1187/2026"},
        choices={"Parent": "Гүлнар"},
    )
    sign_out(page)

    as_user(page, served, "registrar", reference)
    take_step(page, "birth_registration", "take_review", "Take for review")
    register = {
        "Birth certificate number": "I-АЛ 0048213",
        "Registered on": YESTERDAY,
        "Personal identification number (IIN)": IIN,
    }
    take_step(page, "birth_registration", "register", "Register", texts=register)
    expect(track_state(page, "Birth registration")).to_have_text("registered")
    sign_out(page)

    as_user(page, served, "guardianship", reference)
    take_step(
        page,
        "guardianship",
        "grant",
        "Grant",
        texts={"Decision number": "ОО-311"},
        choices={"Guardian appointed": "Сәуле"},
    )
    sign_out(page)

    as_user(page, served, "lawyer", reference)
    take_step(page, "citizenship", "file", "File")
    sign_out(page)
    as_user(page, served, "citizenship", reference)
    take_step(page, "citizenship", "take_review", "Take for review")
    take_step(page, "citizenship", "grant", "Grant", texts={"Decision number": "МВД-5521"})
    sign_out(page)
    as_user(page, served, "lawyer", reference)
    take_step(page, "identity_document", "apply", "Apply")
    sign_out(page)
    as_user(page, served, "citizenship", reference)
    issue = {"Document number": "N-0448213", "Valid until": IN_TEN_YEARS}
    take_step(page, "identity_document", "issue", "Issue", texts=issue)
    screenshot(page, "kazakhstan-case-complete")
    assert api.case("lawyer", reference)["status"] == "complete"
