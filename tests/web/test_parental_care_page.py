"""An orphan's guardianship in a real browser: the petition page says why no consent is asked,
the court appoints a children's home for a time, and the case shows when to review it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from playwright.sync_api import Page, expect

from tests.factories import Api
from tests.web import helpers
from tests.web.conftest import screenshot, sign_out
from tests.web.test_end_to_end import as_user, step_form, take_step, track_state
from tests.workflow.helpers import set_states
from tests.workflow.test_parental_care import open_orphan_case

TODAY = datetime.now(UTC).date()
IN_A_MONTH = (TODAY + timedelta(days=30)).isoformat()
IN_HALF_A_YEAR = TODAY + timedelta(days=182)


def test_an_orphans_guardian_is_appointed_through_the_pages(
    api: Api, served: str, page: Page, app: Any
) -> None:
    reference = open_orphan_case(api)["reference"]

    as_user(page, served, "lawyer", reference)
    petition = step_form(page, "guardianship", "file_petition")
    expect(petition.get_by_role("note")).to_contain_text("No consent is asked for this step")
    expect(petition.get_by_text("Documents to attach")).to_have_count(0)
    screenshot(page, "orphan-petition-without-consent")
    take_step(
        page,
        "guardianship",
        "file_petition",
        "File the petition",
        texts={"Relationship of the guardian to the child": "grandmother"},
        choices={"Proposed guardian": "Сәуле"},
    )
    timeline = page.locator("section[aria-labelledby=timeline-heading]")
    expect(timeline).to_contain_text("nobody whose consent it needs is alive and reachable")
    sign_out(page)

    as_user(page, served, "guardianship", reference)
    take_step(
        page,
        "guardianship",
        "assess_suitable",
        "Find the guardian suitable",
        texts={"Report reference": "GA-2026-17"},
    )
    sign_out(page)

    as_user(page, served, "judge", reference)
    take_step(
        page,
        "guardianship",
        "schedule_hearing",
        "Schedule the hearing",
        texts={"Hearing date": IN_A_MONTH},
    )
    court_order = api.upload("judge", api.case("judge", reference)["id"], "court_order")
    assert court_order.status_code == 201, court_order.json
    page.reload()
    grant = step_form(page, "guardianship", "grant_temporarily")
    grant.get_by_label("Name of the institution").fill("Детский дом № 2, Алматы")
    grant.get_by_label("Kind of institution").select_option(label="children's home")
    grant.get_by_label("Country").select_option(label="Kazakhstan")
    take_step(
        page,
        "guardianship",
        "grant_temporarily",
        "Grant temporarily",
        texts={
            "Court order number": "2-3021/2026",
            "Review due on": IN_HALF_A_YEAR.isoformat(),
        },
        choices={"Kind of guardianship": "temporary"},
        evidence=("court order",),
    )
    expect(track_state(page, "Guardianship")).to_contain_text("granted temporarily")
    review = page.locator("#review-guardianship")
    expect(review).to_contain_text("review due on")
    expect(review).not_to_contain_text("Overdue")
    expect(timeline).to_contain_text("Детский дом № 2, Алматы (children's home, Kazakhstan)")
    screenshot(page, "orphan-guardianship-granted-to-a-childrens-home")


HOSTILE_PARTS = [
    ({"name": "x" * 201}, "name", "This is too long."),
    ({"name": "Home\x07"}, "name", "This holds characters that cannot be used here."),
    ({"kind": "prison"}, "kind", "Choose one of the options."),
    ({"country": "kz"}, "country", "Use the form shown in the hint."),
]


@pytest.mark.parametrize(("change", "part", "message"), HOSTILE_PARTS)
def test_a_hostile_institution_part_is_shown_beside_its_field_and_nothing_is_saved(
    api: Api, app: Any, client: FlaskClient, change: dict[str, str], part: str, message: str
) -> None:
    case = open_orphan_case(api)
    set_states(app, case["id"], {"guardianship": "hearing_scheduled"})
    case = api.case("judge", case["id"])
    token = helpers.sign_in(client, "judge")
    parts = {"name": "Children's Home No. 2", "kind": "childrens_home", "country": "KZ", **change}
    form = helpers.step_form(
        case,
        token,
        "guardianship",
        "grant_temporarily",
        order_number="2-1/2026",
        order_type="temporary",
        review_on=IN_HALF_A_YEAR.isoformat(),
        **{f"institution.{key}": value for key, value in parts.items()},
    )

    form["evidence_ids"] = helpers.answer(api.upload("judge", case["id"], "court_order"))["id"]
    response = client.post(f"/cases/{case['id']}/steps", data=form)

    assert response.status_code == 422
    html = helpers.body(response)
    name = f"guardianship-grant_temporarily-data.institution.{part}"
    assert helpers.field_error(html, name) == message
    assert api.case("judge", case["id"])["version"] == case["version"]


def test_a_grant_naming_a_person_and_an_institution_says_to_choose_one(
    api: Api, app: Any, client: FlaskClient
) -> None:
    case = open_orphan_case(api)
    set_states(app, case["id"], {"guardianship": "hearing_scheduled"})
    case = api.case("judge", case["id"])
    token = helpers.sign_in(client, "judge")
    form = helpers.step_form(
        case,
        token,
        "guardianship",
        "grant",
        order_number="2-1/2026",
        order_type="permanent",
        guardian=api.person(case, "grandmother"),
        **{"institution.name": "Дом ребёнка", "institution.kind": "infant_home"},
        **{"institution.country": "KZ"},
    )

    form["evidence_ids"] = helpers.answer(api.upload("judge", case["id"], "court_order"))["id"]
    response = client.post(f"/cases/{case['id']}/steps", data=form)

    assert response.status_code == 422
    html = helpers.body(response)
    expected = "Name either a person on the case or an institution, not both."
    assert helpers.field_error(html, "guardianship-grant-data.guardian") == expected
    assert api.case("judge", case["id"])["tracks"]["guardianship"]["state"] == "hearing_scheduled"
