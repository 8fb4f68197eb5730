"""DNA evidence on the pages: a lawyer records a result from a laboratory abroad on the step page
and the court accepts it there (in a real browser); the lab's forms tell the threshold of the
relationship tested and a reference sample already held, never the sibling's case it came from."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from playwright.sync_api import Page, expect

from tests.factories import Api
from tests.siblings import open_siblings
from tests.web.conftest import screenshot, sign_in, sign_out
from tests.web.helpers import body, csrf_token, field_errors
from tests.web.helpers import step_form as step_form_data
from tests.web.test_end_to_end import open_from_queue, step_form, take_step, track_state
from tests.web.test_family_page import browser_of
from tests.workflow.hostile import NOBODY
from tests.workflow.test_dna_evidence import YESTERDAY


def test_a_lawyer_records_a_result_from_abroad_and_the_court_accepts_it(
    served: str, page: Page, api: Api
) -> None:
    case = api.create_case()
    mother = api.person(case, "mother")
    assert api.upload("lawyer", case["id"], "foreign_lab_report").status_code == 201
    assert api.record_consent("lawyer", case["id"], mother).status_code == 201

    sign_in(page, served, "lawyer")
    page.goto(f"{served}/cases/{case['id']}")
    form = step_form(page, "dna", "record_foreign_result")
    form.locator(f'select[name="data.relatives_tested.{mother}"]').select_option("maternity")
    form.get_by_label("Country of the laboratory").select_option(label="France")
    lab = "Laboratoire national de police scientifique, Lyon"
    form.get_by_role("textbox", name="Laboratory", exact=True).fill(lab)
    take_step(
        page,
        "dna",
        "record_foreign_result",
        "Record a result from abroad",
        texts={
            "Tested on": "2025-11-03",
            "Laboratory report number": "LNPS-2025-8841",
            "Probability of kinship": "0,9996",
        },
        evidence=("laboratory report from abroad",),
    )
    expect(track_state(page, "DNA kinship")).to_have_text("result from abroad recorded")
    timeline = page.locator("section[aria-labelledby=timeline-heading]")
    expect(timeline).to_contain_text(re.compile(r"mother: .*\(maternity\)"))
    screenshot(page, "lawyer-records-a-result-from-abroad")
    sign_out(page)

    sign_in(page, served, "judge")
    open_from_queue(page, case["reference"])
    expect(step_form(page, "dna", "accept_foreign_result")).to_contain_text(
        "A result proves kinship from 0.999 for maternity."
    )
    take_step(
        page,
        "dna",
        "accept_foreign_result",
        "Accept the result from abroad",
        texts={"Court ruling number": "2-1187/2026"},
    )
    expect(track_state(page, "DNA kinship")).to_have_text("confirmed")
    screenshot(page, "court-accepts-the-result-from-abroad")


def _authorized(api: Api, case: dict[str, Any]) -> None:
    api.request_dna(case)
    api.step("judge", case["id"], "dna", "authorize", {"ruling_number": "R-5"})


def test_the_labs_form_on_a_siblings_case_shows_the_mothers_sample_not_the_other_case(
    app: Flask, api: Api
) -> None:
    first, second = open_siblings(api, 2)
    for case in (first, second):
        _authorized(api, case)
    taken = {"sample_ids": ["C-1"], "reference_sample": "M-77", "collected_on": YESTERDAY}
    api.step("lab", first["id"], "dna", "collect_samples", taken)

    lab = browser_of(app, "lab")
    page = body(lab.get(f"/cases/{second['id']}"))
    form = re.search(r'<form[^>]*id="step-dna-collect_samples".*?</form>', page, re.S)
    assert form is not None
    assert "already held: M-77" in form.group(0)
    assert "Central Forensic Laboratory" in form.group(0)
    # The sample, never the case it was taken on (whose link shows only where the lab may see it).
    assert first["reference"] not in form.group(0) and first["id"] not in form.group(0)


def test_the_labs_confirm_form_names_the_threshold_of_the_relationship_tested(
    app: Flask, api: Api
) -> None:
    case = api.create_case()
    grandmother = api.person(case, "grandmother")
    request = {"reference_person": grandmother, "relationship_tested": "grandmaternity"}
    api.step("lawyer", case["id"], "dna", "request", request)
    api.step("judge", case["id"], "dna", "authorize", {"ruling_number": "R-6"})
    samples = {"sample_ids": ["C-1"], "reference_sample": "G-1", "collected_on": YESTERDAY}
    api.step("lab", case["id"], "dna", "collect_samples", samples)
    page = body(browser_of(app, "lab").get(f"/cases/{case['id']}"))
    assert "A result proves kinship from 0.99 for grandmaternity." in page


def test_a_hostile_result_from_abroad_on_the_page_is_refused_beside_its_fields(
    app: Flask, api: Api
) -> None:
    case = api.create_case()
    report = api.upload("lawyer", case["id"], "foreign_lab_report").json["id"]
    lawyer = browser_of(app, "lawyer")
    token = csrf_token(body(lawyer.get(f"/cases/{case['id']}")))
    form = step_form_data(case, token, "dna", "record_foreign_result")
    form |= {
        "data.laboratory": "Lab " + "x" * 300,
        "data.laboratory_country": "ZZ",
        "data.tested_on": "2025-11-03",
        f"data.relatives_tested.{NOBODY}": "maternity",
        "data.report_number": "R-1",
        "data.probability": "0.9999",
        "evidence_ids": report,
    }
    response = lawyer.post(f"/cases/{case['id']}/steps", data=form)
    assert response.status_code == 422
    shown = set(field_errors(body(response)))
    prefix = "dna-record-foreign-result-data-"
    assert {f"{prefix}laboratory", f"{prefix}laboratory-country"} <= shown
    assert api.case("lawyer", case["id"])["tracks"]["dna"]["state"] == "not_started"

    form |= {"data.laboratory": "ICMP", "data.laboratory_country": "NL"}
    response = lawyer.post(f"/cases/{case['id']}/steps", data=form)
    assert response.status_code == 422
    assert f"{prefix}relatives-tested" in field_errors(body(response))  # nobody on this case
