"""A form's check shows the facts it states that name no one, exactly as the printout states
them, so that a clerk catches a printout altered after issue; it never shows a name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update

from forms.catalogue import FormError, load_definitions, load_labels
from forms.models import IssuedForm
from tests.factories import ALL_SCRIPTS_CHILD, GRANDMOTHER, MOTHER_ABROAD, Api
from tests.forms.helpers import KAZAKH_CHILD, full_name, generate, issued, logical_text
from workflow import transactions

LABELS = Path(__file__).resolve().parents[2] / "forms" / "labels"
PEOPLE = [KAZAKH_CHILD, MOTHER_ABROAD, GRANDMOTHER]
NAMES = [name for person in PEOPLE for name in person["names"]]


@pytest.fixture
def case(api: Api) -> dict[str, Any]:
    """A DNA test confirmed: requested, authorised by the court, samples taken, reported."""
    case = api.create_case(child=KAZAKH_CHILD)
    case_id = case["id"]
    api.request_dna(case)
    api.step("judge", case_id, "dna", "authorize", {"ruling_number": "2-417/2026"})
    samples = {"sample_ids": ["S-1001"], "collected_on": "2026-02-01"}
    api.step("lab", case_id, "dna", "collect_samples", samples)
    report = {"report_number": "ЛАБ-77/2026", "probability": 0.99991}
    api.step("lab", case_id, "dna", "confirm", report)
    return case


def grant_guardianship(api: Api, case: dict[str, Any]) -> None:
    """Petition, assessment, hearing and the court's permanent order, naming the grandmother;
    the relationship is typed with her name in it, as a hurried lawyer might."""
    case_id, grandmother = case["id"], api.person(case, "grandmother")
    petition = {"proposed_guardian": grandmother, "relationship": "бабушка Сәуле"}
    api.step("lawyer", case_id, "guardianship", "file_petition", petition)
    api.step(
        "guardianship", case_id, "guardianship", "assess_suitable", {"report_reference": "G-5"}
    )
    api.step("judge", case_id, "guardianship", "schedule_hearing", {"hearing_date": "2026-03-01"})
    order = {"order_number": "ОП-12/2026", "order_type": "permanent", "guardian": grandmother}
    api.step("judge", case_id, "guardianship", "grant", order)


def check(client: FlaskClient, code: str) -> tuple[Any, str]:
    as_json = client.get(f"/verify/{code}", headers={"Accept": "application/json"})
    as_page = client.get(f"/verify/{code}")
    assert as_json.status_code == as_page.status_code == 200
    return as_json.json, as_page.text


def issue(api: Api, case: dict[str, Any], form: str) -> tuple[bytes, str]:
    response = generate(api, case["id"], form)
    return issued(response), response.headers["X-Verification-Code"]


def test_the_dna_results_a_form_states_are_shown_by_its_check(
    client: FlaskClient, api: Api, case: dict
) -> None:
    pdf, code = issue(api, case, "birth-registration")

    verdict, page = check(client, code)

    assert verdict["facts"] == [
        {"label": "Laboratory report number", "value": "ЛАБ-77/2026"},
        {"label": "Probability of kinship", "value": "0.99991"},
        {"label": "Court ruling number", "value": "not recorded"},
    ]
    assert "Probability of kinship" in page and "Вероятность родства" in page
    assert "0.99991" in page and "ЛАБ-77/2026" in page
    assert_printed(pdf, verdict["facts"])


def test_the_dna_request_shows_what_was_tested_and_authorised(
    client: FlaskClient, api: Api, case: dict
) -> None:
    pdf, code = issue(api, case, "dna-request")

    verdict, page = check(client, code)

    assert verdict["facts"] == [
        {"label": "Relationship tested", "value": "maternity"},
        {"label": "Court ruling number", "value": "2-417/2026"},
        {"label": "Samples collected on", "value": "2026-02-01"},
    ]
    assert "материнство" in page  # the choice in Russian words too, as the form prints it
    assert "S-1001" not in page  # a sample's identifier points at a person's sample
    assert_printed(pdf, verdict["facts"])


def test_the_court_order_a_form_states_is_shown_without_the_guardians_name(
    client: FlaskClient, api: Api, case: dict
) -> None:
    grant_guardianship(api, case)
    pdf, code = issue(api, case, "citizenship-application")

    verdict, page = check(client, code)

    facts = {fact["label"]: fact["value"] for fact in verdict["facts"]}
    assert facts["Court order number"] == "ОП-12/2026"
    assert facts["Kind of guardianship"] == "permanent"
    assert facts["Laboratory report number"] == "ЛАБ-77/2026"
    assert "постоянная" in page
    assert_printed(pdf, verdict["facts"])
    assert_nameless(str(verdict), page)


def test_the_petition_states_nothing_that_can_be_shown_and_says_so(
    client: FlaskClient, api: Api, case: dict
) -> None:
    grant_guardianship(api, case)
    _pdf, code = issue(api, case, "guardianship-petition")

    verdict, page = check(client, code)

    assert verdict["facts"] == []
    assert "states nothing that can be shown" in page
    assert_nameless(str(verdict), page)
    assert "бабушка" not in page  # the relationship is prose, and prose may name


@pytest.mark.parametrize(
    "form", ["birth-registration", "dna-request", "citizenship-application", "case-summary"]
)
def test_no_name_in_any_script_reaches_the_check(
    client: FlaskClient, api: Api, case: dict, form: str
) -> None:
    grant_guardianship(api, case)
    _pdf, code = issue(api, case, form)

    verdict, page = check(client, code)

    assert_nameless(str(verdict), page)
    assert KAZAKH_CHILD["birth_place"]["locality"] not in page + str(verdict)


def test_a_printout_whose_probability_was_changed_differs_from_the_check(
    client: FlaskClient, api: Api, case: dict
) -> None:
    pdf, code = issue(api, case, "birth-registration")
    verdict, _page = check(client, code)
    forged = logical_text(pdf).replace("0.99991", "0.50000")

    stated = {fact["label"]: fact["value"] for fact in verdict["facts"]}

    assert stated["Probability of kinship"] in logical_text(pdf)
    assert stated["Probability of kinship"] not in forged


def test_a_form_issued_before_facts_were_kept_says_so(
    app: Any, client: FlaskClient, api: Api, case: dict
) -> None:
    _pdf, code = issue(api, case, "birth-registration")
    with app.app_context(), transactions.unit_of_work() as session:
        session.execute(update(IssuedForm).values(facts=None))

    verdict, page = check(client, code)

    assert verdict["genuine"] is True and verdict["facts"] is None
    assert "issued before Homeward kept the facts" in page


@pytest.mark.parametrize(
    "fact",
    [
        "child.names",
        "step.guardianship.guardian",
        "step.guardianship.relationship",
        "step.guardianship.institution",
        "step.dna.relatives_tested",
        "step.birth_registration.family_name",
        "step.birth_registration.birth_date_basis_reference",
    ],
)
def test_a_fact_that_may_name_someone_is_refused_on_load(tmp_path: Path, fact: str) -> None:
    definitions = tmp_path / "forms.yaml"
    definitions.write_text(
        "summary:\n  recipient: null\n  sections:\n    - heading: child\n"
        f"      fields: [child.names, {fact}]\n  facts: [{fact}]\n",
        encoding="utf-8",
    )
    labels = {**load_labels(LABELS)["en"], "form.summary": "Summary"}

    with pytest.raises(FormError, match="may name someone"):
        load_definitions(definitions, labels)


def test_a_fact_the_form_does_not_print_is_refused_on_load(tmp_path: Path) -> None:
    definitions = tmp_path / "forms.yaml"
    definitions.write_text(
        "summary:\n  recipient: null\n  sections:\n    - heading: child\n"
        "      fields: [child.sex]\n  facts: [step.dna.probability]\n",
        encoding="utf-8",
    )
    labels = {**load_labels(LABELS)["en"], "form.summary": "Summary"}

    with pytest.raises(FormError, match="does not print"):
        load_definitions(definitions, labels)


def assert_printed(pdf: bytes, facts: list[dict[str, str]]) -> None:
    """Each fact reads on the printout as the check states it: its label, then its value."""
    text = logical_text(pdf)
    for fact in facts:
        assert fact["label"] in text, fact
        assert fact["value"] in text[text.index(fact["label"]) :], fact


def assert_nameless(*answers: str) -> None:
    for answer in answers:
        for name in [*NAMES, *ALL_SCRIPTS_CHILD["names"]]:
            assert name["given"] not in answer and name["family"] not in answer, name
            assert full_name(name) not in answer
