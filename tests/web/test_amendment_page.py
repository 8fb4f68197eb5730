"""Correcting a registered birth through the pages, in a real browser: the lawyer files the
amendment, the registrar approves it, and the form issued since states the corrected date."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.factories import Api
from tests.forms.helpers import logical_text
from tests.web.conftest import screenshot, sign_in, sign_out
from tests.workflow.helpers import set_states

ESTIMATED = {
    "given_name": "Әлия",
    "family_name": "Нұрғалиева",
    "name_basis": "documents",
    "birth_date": "2016-01-01",
    "birth_date_basis": "age_assessment",
    "birth_date_basis_reference": "Assessment AE-2026-114",
}


def registered_case(app: Any, api: Api) -> dict[str, Any]:
    case = api.create_case()
    set_states(app, case["id"], {"dna": "confirmed"})
    api.step("lawyer", case["id"], "birth_registration", "file", ESTIMATED)
    api.step("registrar", case["id"], "birth_registration", "take_review")
    register = {"certificate_number": "B-77", "registered_on": "2026-10-01"}
    api.step("registrar", case["id"], "birth_registration", "register", register)
    return case


def take(
    page: Page, action: str, button: str, texts: dict[str, str], choices: dict[str, str]
) -> None:
    """Fill the birth registration step's form by its labels' beginnings (an optional field's
    label ends with a hint) and press its button."""
    form = page.locator(f"#step-birth_registration-{action}")
    expect(form).to_be_visible()
    for label, value in texts.items():
        form.get_by_label(re.compile("^" + re.escape(label))).fill(value)
    for label, value in choices.items():
        form.get_by_label(re.compile("^" + re.escape(label))).select_option(label=value)
    form.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_role("status").filter(has_text=f", {button}.")).to_be_visible()


def test_lawyer_files_an_amendment_registrar_approves_and_the_form_is_corrected(
    served: str, page: Page, api: Api, app: Any, tmp_path: Path
) -> None:
    case = registered_case(app, api)
    sign_in(page, served, "lawyer")
    page.goto(f"{served}/cases/{case['id']}")
    registered = page.locator("#registered")
    expect(registered).to_contain_text("Assessment AE-2026-114")
    take(
        page,
        "file_amendment",
        "File an amendment",
        {
            "Date of birth": "2015-03-14",
            "Reference for the date of birth (document or ruling number)": "Ruling 2-1187/2026",
        },
        {"The date of birth rests on": "court ruling"},
    )
    expect(page.locator("#registered")).to_contain_text("Amendment awaiting the civil registry")
    screenshot(page, "lawyer-amendment-filed")
    sign_out(page)

    sign_in(page, served, "registrar")
    page.goto(f"{served}/cases/{case['id']}")
    take(page, "approve_amendment", "Approve the amendment", {"Amendment record number": "A-9"}, {})
    current = page.locator("#registered .registered-current")
    expect(current).to_contain_text("Ruling 2-1187/2026")
    expect(current).to_contain_text("2015")
    expect(page.locator("#registered .registered-earlier")).to_contain_text(
        "Assessment AE-2026-114"
    )
    screenshot(page, "registrar-amendment-approved")
    sign_out(page)

    sign_in(page, served, "lawyer")
    page.goto(f"{served}/cases/{case['id']}")
    forms = page.locator("section[aria-labelledby=forms-heading] li").filter(
        has_text="Application for state registration of birth"
    )
    with page.expect_download() as download:
        forms.get_by_role("button", name="Download PDF").click()
    saved = tmp_path / "birth-registration.pdf"
    download.value.save_as(saved)
    text = logical_text(saved.read_bytes())
    assert "2015-03-14" in text and "Ruling 2-1187/2026" in text
