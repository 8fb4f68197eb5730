"""The case summary lists the siblings' cases its issuer may see, by reference, read back from
the signed PDF: one the issuer may not see is neither listed nor named."""

from __future__ import annotations

from flask import Flask

from tests.factories import ALL_SCRIPTS_CHILD, Api
from tests.forms.helpers import generate, issued, logical_text
from tests.siblings import hand_over, open_siblings

LABEL = "Дела братьев и сестёр ребёнка Cases of the child's brothers and sisters"
NOT_RECORDED = "не указано / not recorded"
FIRST_CHILDS_NAMES = [name["given"] for name in ALL_SCRIPTS_CHILD["names"]]


def summary(api: Api, case_id: str, username: str = "lawyer", **query: str) -> str:
    return logical_text(issued(generate(api, case_id, "case-summary", username, **query)))


def siblings_listed(text: str) -> str:
    """What the summary prints after the siblings' label, up to the next section's heading."""
    assert LABEL in text
    return text.split(LABEL, 1)[1].split("Согласия / Consents", 1)[0].strip()


def test_the_summary_lists_each_sibling_the_lawyer_sees(api: Api) -> None:
    first, second, third = open_siblings(api)
    listed = siblings_listed(summary(api, first["id"]))
    assert listed == f"{second['reference']} {third['reference']}"
    assert first["reference"] not in listed  # the case itself is not its own sibling


def test_a_case_alone_lists_no_sibling(api: Api) -> None:
    case = api.create_case()
    assert siblings_listed(summary(api, case["id"])) == NOT_RECORDED


def test_a_colleague_assigned_to_one_sibling_lists_not_the_other(api: Api) -> None:
    first, second = open_siblings(api, count=2)
    assigned = api.post(
        "lawyer", f"/api/v1/cases/{second['id']}/assignments", {"username": "lawyer2"}
    )
    assert assigned.status_code in (200, 201), assigned.json
    text = summary(api, second["id"], "lawyer2")
    assert siblings_listed(text) == NOT_RECORDED
    assert first["reference"] not in text


def test_another_ngos_lawyer_holding_one_sibling_prints_neither_reference_nor_name_of_the_other(
    app: Flask, api: Api
) -> None:
    first, second = open_siblings(api, count=2)
    hand_over(app, second["id"], "lawyer3")
    text = summary(api, second["id"], "lawyer3")
    assert siblings_listed(text) == NOT_RECORDED
    for secret in (first["reference"], *FIRST_CHILDS_NAMES):
        assert secret not in text
    # Nor does the first NGO's summary list the case it gave away.
    assert siblings_listed(summary(api, first["id"])) == NOT_RECORDED


def test_the_siblings_are_labelled_in_kazakh(api: Api) -> None:
    first, second = open_siblings(api, count=2)
    text = summary(api, first["id"], languages="kk")
    assert f"Баланың туған бауырларының істері {second['reference']}" in text
