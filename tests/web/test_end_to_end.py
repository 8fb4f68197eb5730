"""The web pages in a real browser: each demo user does their part of a case through the pages
alone, as a newcomer would, and the auditor finds every access in the trail."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.factories import Api, sample_pdf
from tests.web.conftest import screenshot, sign_in, sign_out

TODAY = datetime.now(UTC).date()
LAST_WEEK = (TODAY - timedelta(days=7)).isoformat()
YESTERDAY = (TODAY - timedelta(days=1)).isoformat()
NEXT_MONTH = (TODAY + timedelta(days=30)).isoformat()
IN_TEN_YEARS = (TODAY + timedelta(days=3650)).isoformat()
REFERENCE = re.compile(r"HW-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")

CHILD = {
    "child.Latn.given": "Aliya",
    "child.Latn.family": "Nurgalieva",
    "child.Cyrl.given": "Әлия",
    "child.Cyrl.family": "Нұрғалиева",
    "child.Arab.given": "عالية",
    "child.Arab.family": "نورغالييفا",
    "child.birth_date.value": "2016-01-01",
    "child.birth_place.locality": "Raqqa",
    "child.languages": "kk, ar",
}
CHILD_CHOICES = {
    "child.sex": "female",
    "child.birth_date.precision": "year known",
    "child.birth_place.country": "Syria",  # countries are chosen by name, never typed
}


def field(page: Page, name: str) -> Locator:
    """A form field by its name on the page, through the id the pages derive from it."""
    return page.locator("#f-" + name.replace(".", "-").replace("_", "-"))


def relative(
    slot: int, relation: str, given: str, family: str, alive: str, whereabouts: str
) -> tuple[dict[str, str], dict[str, str]]:
    """The new-case form's text fields and choices for one relative, named in Cyrillic."""
    prefix = f"people.{slot}"
    texts = {f"{prefix}.Cyrl.given": given, f"{prefix}.Cyrl.family": family}
    choices = {
        f"{prefix}.citizenship": "Kazakhstan",
        f"{prefix}.relation": relation,
        f"{prefix}.alive": alive,
        f"{prefix}.whereabouts": whereabouts,
    }
    return texts, choices


MOTHER_HERE = relative(0, "mother", "Гүлнар", "Нұрғалиева", "yes", "in the country")
MOTHER_ABROAD = relative(0, "mother", "Гүлнар", "Нұрғалиева", "yes", "detained abroad")
GRANDMOTHER = relative(1, "grandmother", "Сәуле", "Нұрғалиева", "yes", "in the country")


def open_case(page: Page, base: str, *relatives: tuple[dict[str, str], dict[str, str]]) -> str:
    """Open a case through the new-case form; return its reference (the page is the case's)."""
    page.goto(f"{base}/cases/new")
    # The labels are wired to their inputs: the child's first field is found by its label.
    expect(page.get_by_label("Given name (Latin)").first).to_have_id("f-child-Latn-given")
    texts, choices = dict(CHILD), dict(CHILD_CHOICES)
    for more_texts, more_choices in relatives:
        texts |= more_texts
        choices |= more_choices
    for name, value in texts.items():
        field(page, name).fill(value)
    for name, shown in choices.items():
        field(page, name).select_option(label=shown)
    screenshot(page, "lawyer-new-case-form")
    page.get_by_role("button", name="Open the case").click()
    notice = page.get_by_role("status").filter(has_text=re.compile(r"Case HW-\S+ is open\."))
    expect(notice).to_be_visible()
    found = REFERENCE.search(notice.inner_text())
    assert found is not None
    expect(page.get_by_role("heading", level=1)).to_contain_text(found.group())
    return found.group()


def step_form(page: Page, track: str, action: str) -> Locator:
    return page.locator(f"#step-{track}-{action}")


def choose(select: Locator, containing: str) -> None:
    """Pick the option whose text contains `containing` (people's options carry their names)."""
    value = select.locator("option", has_text=containing).first.get_attribute("value")
    assert value, f"no option with {containing!r}"
    select.select_option(value=value)


def take_step(
    page: Page,
    track: str,
    action: str,
    button: str,
    *,
    texts: dict[str, str] | None = None,
    choices: dict[str, str] | None = None,
    evidence: tuple[str, ...] = (),
) -> None:
    """Fill the step's form by its labels, attach the documents named, press its button."""
    form = step_form(page, track, action)
    expect(form).to_be_visible()
    for label, value in (texts or {}).items():
        form.get_by_label(label).fill(value)
    for label, value in (choices or {}).items():
        choose(form.get_by_label(label), value)
    for kind in evidence:
        form.get_by_role("checkbox", name=re.compile(f"^{re.escape(kind)}")).first.check()
    form.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_role("status").filter(has_text=f", {button}.")).to_be_visible()


def track_state(page: Page, track_title: str) -> Locator:
    """The state cell of a track in the case page's "Where each track stands" table."""
    row = page.locator("section[aria-labelledby=tracks-heading] tbody tr").filter(
        has=page.get_by_role("rowheader", name=track_title, exact=True)
    )
    return row.locator("td").first


def upload(page: Page, kind: str, path: Path) -> None:
    form = page.locator("#upload")
    form.get_by_label("Kind of document").select_option(label=kind)
    form.get_by_label("File").set_input_files(path)
    form.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status").filter(has_text="The document is uploaded.")).to_be_visible()


def open_from_queue(page: Page, reference: str) -> None:
    """An official's way to a case: from the queue of steps waiting on their agency."""
    expect(page).to_have_url(re.compile(r"/queue$"))
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)


def as_user(page: Page, base: str, username: str, reference: str) -> None:
    """Sign in as `username` and open the case: officials from their queue, lawyers by name."""
    sign_in(page, base, username)
    if username.startswith("lawyer"):
        page.get_by_role("link", name=reference).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    else:
        open_from_queue(page, reference)


def confirm_dna_through_the_api(api: Api, reference: str) -> None:
    """Others' steps, taken through the JSON API: request, authorise, collect, confirm."""
    case = api.case("lawyer", reference)
    api.request_dna(case)
    api.step("judge", case["id"], "dna", "authorize", {"ruling_number": "2-1187/2026"})
    samples = {"sample_ids": ["S-0412", "S-0413"], "collected_on": LAST_WEEK}
    api.step("lab", case["id"], "dna", "collect_samples", samples)
    report = {"report_number": "FL-2026-0932", "probability": 0.9999}
    api.step("lab", case["id"], "dna", "confirm", report)


def audit_rows(page: Page, username: str, action: str) -> Locator:
    """Rows of the access log that name both the user and the action."""
    return (
        page.locator("table tbody tr")
        .filter(has_text=re.compile(rf"\b{re.escape(username)}\b"))
        .filter(has_text=action)
    )


def test_lawyer_files_a_step_official_approves_and_auditor_sees_both(
    served: str, page: Page, api: Api
) -> None:
    page.goto(f"{served}/sign-in")
    screenshot(page, "sign-in")
    sign_in(page, served, "lawyer")
    expect(page).to_have_url(re.compile(r"/cases$"))
    screenshot(page, "lawyer-case-list")

    reference = open_case(page, served, MOTHER_HERE)
    expect(track_state(page, "Guardianship")).to_contain_text("not required")
    take_step(page, "birth_registration", "file", "File")
    timeline = page.locator("section[aria-labelledby=timeline-heading]")
    expect(timeline).to_contain_text("Birth registration: File")
    expect(timeline).to_contain_text("lawyer")
    expect(track_state(page, "Birth registration")).to_have_text("filed")
    screenshot(page, "lawyer-case-page")
    sign_out(page)

    confirm_dna_through_the_api(api, reference)

    sign_in(page, served, "registrar")
    screenshot(page, "registrar-queue")
    open_from_queue(page, reference)
    take_step(page, "birth_registration", "take_review", "Take for review")
    take_step(
        page,
        "birth_registration",
        "register",
        "Register",
        texts={"Birth certificate number": "I-АЛ 0048213", "Registered on": YESTERDAY},
    )
    expect(track_state(page, "Birth registration")).to_have_text("registered")
    screenshot(page, "registrar-case-page")
    sign_out(page)

    sign_in(page, served, "auditor")
    expect(page).to_have_url(re.compile(r"/audit$"))
    page.get_by_role("search").get_by_label("Case id or reference").fill(reference)
    page.get_by_role("search").get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(rf"/audit\?.*case={reference}"))
    screenshot(page, "auditor-access-log")
    expect(audit_rows(page, "lawyer", "Read a case").first).to_be_visible()
    expect(audit_rows(page, "lawyer", "Took a step").first).to_be_visible()
    expect(audit_rows(page, "registrar", "Read a case").first).to_be_visible()
    expect(audit_rows(page, "registrar", "Took a step").first).to_be_visible()

    page.get_by_role("link", name=reference).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(audit_rows(page, "lawyer", "Took a step").first).to_be_visible()
    expect(audit_rows(page, "registrar", "Took a step").first).to_be_visible()
    screenshot(page, "auditor-case-accesses")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Chain").click()
    expect(page).to_have_url(re.compile(r"/audit/chain$"))
    expect(page.get_by_text("The chain is intact")).to_be_visible()
    screenshot(page, "auditor-chain")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    screenshot(page, "auditor-dashboard")


def test_validation_errors_show_beside_their_fields(served: str, page: Page) -> None:
    sign_in(page, served, "lawyer")
    page.goto(f"{served}/cases/new")
    with page.expect_response(re.compile(r"/cases/new$")) as answer:
        page.get_by_role("button", name="Open the case").click()
    assert answer.value.status == 422

    # No name in any script: the problem is named once, on the names as a whole.
    names_error = page.locator("#f-child-names-error")
    expect(names_error).to_have_text("Give at least a given or a family name, in any script.")
    assert names_error.evaluate("p => p.closest('fieldset').id") == "f-child-names"
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The case was not opened")
    expect(summary.get_by_role("link", name=re.compile("The child"))).to_have_attribute(
        "href", "#f-child-names"
    )

    # A date in the future: the message sits between the field's label and the field itself.
    field(page, "child.Latn.given").fill("Aliya")
    birth = field(page, "child.birth_date.value")
    birth.fill("2999-01-01")
    with page.expect_response(re.compile(r"/cases/new$")) as answer:
        page.get_by_role("button", name="Open the case").click()
    assert answer.value.status == 422
    birth = field(page, "child.birth_date.value")
    expect(birth).to_have_attribute("aria-invalid", "true")
    expect(birth).to_have_attribute("aria-describedby", "f-child-birth-date-value-error")
    error = page.locator("#f-child-birth-date-value-error")
    expect(error).to_have_text("The date must not be in the future.")
    assert birth.evaluate("input => input.previousElementSibling.id") == error.get_attribute("id")
    assert birth.evaluate("input => input.labels[0].nextElementSibling.id") == error.get_attribute(
        "id"
    )
    expect(field(page, "child.Latn.given")).to_have_value("Aliya")  # what was typed is kept
    link = page.get_by_role("alert").get_by_role("link", name=re.compile("Date of birth"))
    expect(link).to_have_attribute("href", "#f-child-birth-date-value")
    link.click()
    expect(birth).to_be_focused()
    screenshot(page, "lawyer-new-case-errors")

    page.goto(f"{served}/cases")
    expect(page.get_by_text("0 cases")).to_be_visible()


def test_stale_page_tells_what_changed(served: str, page: Page, api: Api) -> None:
    case = api.create_case()
    api.request_dna(case)
    sign_in(page, served, "lawyer")
    page.get_by_role("link", name=case["reference"]).click()
    expect(step_form(page, "birth_registration", "file")).to_be_visible()

    # Meanwhile, the judge authorises the DNA test through the API.
    api.step("judge", case["id"], "dna", "authorize", {"ruling_number": "2-1187/2026"})

    with page.expect_response(re.compile(r"/steps$")) as answer:
        step_form(page, "birth_registration", "file").get_by_role("button", name="File").click()
    assert answer.value.status == 409
    stale = page.locator("#stale")
    expect(stale).to_have_attribute("role", "alert")
    expect(stale).to_contain_text("Someone else changed this case")
    expect(stale.get_by_role("listitem")).to_have_count(1)
    expect(stale.get_by_role("listitem")).to_contain_text(
        re.compile(r"DNA kinship: Authorise \(requested → authorised\), judge")
    )
    expect(track_state(page, "DNA kinship")).to_have_text("authorised")
    expect(track_state(page, "Birth registration")).to_have_text("not started")
    screenshot(page, "lawyer-stale-case-page")
    # The user must see that nothing was saved where they are looking, not only atop the page.
    warnings = page.get_by_role("alert").filter(has_text="changed this case")
    assert any(_in_viewport(warnings.nth(i)) for i in range(warnings.count())), (
        "the browser shows the failed form; no word that nothing was saved is in view"
    )


def _in_viewport(element: Locator) -> bool:
    return bool(
        element.evaluate(
            "e => { const r = e.getBoundingClientRect();"
            " return r.bottom > 0 && r.top < window.innerHeight; }"
        )
    )


def test_carry_a_case_to_granted_citizenship(served: str, page: Page, tmp_path: Path) -> None:
    """The acceptance path: every demo user signs in and does their part, in the browser only."""
    scans = {}
    for name in ("consent-letter", "lab-report", "court-order"):
        scans[name] = tmp_path / f"{name}.pdf"
        scans[name].write_bytes(sample_pdf(name))

    sign_in(page, served, "lawyer")
    reference = open_case(page, served, MOTHER_ABROAD, GRANDMOTHER)
    expect(track_state(page, "Guardianship")).to_have_text("required")
    upload(page, "signed consent", scans["consent-letter"])
    consent = page.locator("#consent")
    choose(consent.get_by_label("Who consents"), "mother")
    consent.get_by_label("To what").select_option(label="DNA testing")
    consent.get_by_label("Signed on").fill(LAST_WEEK)
    choose(consent.get_by_label("Signed document"), "signed consent")
    consent.get_by_role("button", name="Record the consent").click()
    expect(page.get_by_role("status").filter(has_text="The consent is recorded.")).to_be_visible()
    take_step(
        page,
        "dna",
        "request",
        "Request",
        choices={"Relative tested": "mother", "Relationship tested": "maternity"},
        evidence=("signed consent",),
    )
    sign_out(page)

    as_user(page, served, "judge", reference)
    take_step(page, "dna", "authorize", "Authorise", texts={"Court ruling number": "2-1187/2026"})
    sign_out(page)

    as_user(page, served, "lab", reference)
    samples = {"Sample numbers": "S-0412\nS-0413", "Samples collected on": LAST_WEEK}
    take_step(page, "dna", "collect_samples", "Record samples collected", texts=samples)
    upload(page, "laboratory report", scans["lab-report"])
    report = {"Laboratory report number": "FL-2026-0932", "Probability of kinship": "0.9999"}
    take_step(page, "dna", "confirm", "Confirm", texts=report, evidence=("laboratory report",))
    expect(track_state(page, "DNA kinship")).to_have_text("confirmed")
    sign_out(page)

    as_user(page, served, "lawyer", reference)
    take_step(page, "birth_registration", "file", "File")
    sign_out(page)
    as_user(page, served, "registrar", reference)
    take_step(page, "birth_registration", "take_review", "Take for review")
    certificate = {"Birth certificate number": "I-АЛ 0048213", "Registered on": YESTERDAY}
    take_step(page, "birth_registration", "register", "Register", texts=certificate)
    sign_out(page)

    as_user(page, served, "lawyer", reference)
    take_step(
        page,
        "guardianship",
        "file_petition",
        "File the petition",
        texts={"Relationship of the guardian to the child": "maternal grandmother"},
        choices={"Proposed guardian": "grandmother"},
        evidence=("signed consent",),
    )
    sign_out(page)
    as_user(page, served, "guardianship", reference)
    take_step(
        page,
        "guardianship",
        "assess_suitable",
        "Find the guardian suitable",
        texts={"Report reference": "GA-2026-311"},
    )
    sign_out(page)
    as_user(page, served, "judge", reference)
    hearing = {"Hearing date": NEXT_MONTH}
    take_step(page, "guardianship", "schedule_hearing", "Schedule the hearing", texts=hearing)
    upload(page, "court order", scans["court-order"])
    take_step(
        page,
        "guardianship",
        "grant",
        "Grant",
        texts={"Court order number": "2-3021/2026"},
        choices={"Kind of guardianship": "permanent", "Guardian appointed": "grandmother"},
        evidence=("court order",),
    )
    expect(track_state(page, "Guardianship")).to_have_text("granted")
    sign_out(page)

    as_user(page, served, "lawyer", reference)
    take_step(page, "citizenship", "file", "File")
    sign_out(page)
    as_user(page, served, "citizenship", reference)
    take_step(page, "citizenship", "take_review", "Take for review")
    take_step(
        page,
        "citizenship",
        "grant",
        "Grant",
        texts={"Citizenship certificate or personal number": "160304650123"},
        choices={"Kind of identifier": "personal identification number"},
    )
    expect(track_state(page, "Citizenship")).to_have_text("granted")
    sign_out(page)

    as_user(page, served, "lawyer", reference)
    take_step(page, "identity_document", "apply", "Apply")
    sign_out(page)
    as_user(page, served, "citizenship", reference)
    document = {"Document number": "N12345678", "Valid until": IN_TEN_YEARS}
    take_step(page, "identity_document", "issue", "Issue", texts=document)
    sign_out(page)

    as_user(page, served, "lawyer", reference)
    expect(page.get_by_role("heading", level=1)).to_contain_text("complete")
    for track, state in _FINAL_STATES.items():
        expect(track_state(page, track)).to_have_text(state)
    screenshot(page, "lawyer-case-complete")
    _download_citizenship_application(page, tmp_path)


_FINAL_STATES = {
    "DNA kinship": "confirmed",
    "Birth registration": "registered",
    "Guardianship": "granted",
    "Citizenship": "granted",
    "Identity document": "issued",
}


def _download_citizenship_application(page: Page, tmp_path: Path) -> None:
    forms = page.locator("section[aria-labelledby=forms-heading] li").filter(
        has_text="Application for recognition of citizenship"
    )
    with page.expect_download() as download:
        forms.get_by_role("button", name="Download PDF").click()
    saved: Any = tmp_path / "citizenship-application.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
