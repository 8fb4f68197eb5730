"""Children without parental care: an orphan's guardianship goes ahead without a consent nobody
can give, an institution can be the guardian, and a temporary guardianship is reviewed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.factories import ALL_SCRIPTS_CHILD, GRANDMOTHER, MOTHER_ABROAD, Api
from tests.forms.helpers import generate, issued, logical_text
from tests.workflow.helpers import set_states

MOTHER_DECEASED = {**MOTHER_ABROAD, "alive": False, "whereabouts": "deceased"}
FATHER_UNKNOWN = {
    "relation": "father",
    "names": [{"script": "Latn", "given": "Unknown"}],
    "whereabouts": "unknown",
}
CHILDRENS_HOME = {
    "name": "Children's Home No. 2, Almaty",
    "kind": "childrens_home",
    "country": "KZ",
}


def open_orphan_case(api: Api) -> dict[str, Any]:
    """The child of a mother who died in the camp and of a father nobody can find."""
    people = [MOTHER_DECEASED, FATHER_UNKNOWN, GRANDMOTHER]
    return api.create_case(child=ALL_SCRIPTS_CHILD, people=people)


def petition(api: Api, case: dict[str, Any], evidence_ids: list[str]) -> Any:
    data = {"proposed_guardian": api.person(case, "grandmother"), "relationship": "grandmother"}
    return api.transition(
        "lawyer", case["id"], "guardianship", "file_petition", data, evidence_ids=evidence_ids
    )


def to_hearing(api: Api, case_id: str) -> None:
    api.step(
        "guardianship", case_id, "guardianship", "assess_suitable", {"report_reference": "A-1"}
    )
    later = (date.today() + timedelta(days=20)).isoformat()
    api.step("judge", case_id, "guardianship", "schedule_hearing", {"hearing_date": later})


def history(api: Api, username: str, case_id: str) -> list[dict[str, Any]]:
    response = api.get(username, f"/api/v1/cases/{case_id}/history")
    assert response.status_code == 200, response.json
    return list(response.json["history"])


def test_an_orphan_is_granted_a_guardian_without_a_parents_consent(api: Api) -> None:
    case = open_orphan_case(api)
    assert case["tracks"]["guardianship"]["state"] == "required"

    filed = petition(api, case, evidence_ids=[])
    assert filed.status_code == 200, filed.json
    to_hearing(api, case["id"])
    grant = {
        "order_number": "2-3021/2026",
        "order_type": "permanent",
        "guardian": api.person(case, "grandmother"),
    }
    granted = api.step("judge", case["id"], "guardianship", "grant", grant)

    assert granted["tracks"]["guardianship"]["state"] == "granted"
    step = next(s for s in history(api, "lawyer", case["id"]) if s["action"] == "file_petition")
    assert step["data"]["consent_not_required"] == "nobody_alive_and_reachable"
    assert step["evidence_ids"] == []


def test_a_living_reachable_mother_must_still_consent(api: Api) -> None:
    case = api.create_case()  # the mother alive, detained abroad
    refused = petition(api, case, evidence_ids=[])
    assert refused.status_code == 409, refused.json
    assert refused.json["error"]["details"]["missing"] == [{"evidence": "consent"}]

    letter = api.upload("lawyer", case["id"], "consent").json["id"]
    filed = petition(api, case, evidence_ids=[letter])
    assert filed.status_code == 200, filed.json
    step = next(s for s in history(api, "lawyer", case["id"]) if s["action"] == "file_petition")
    assert "consent_not_required" not in step["data"]


def test_a_mother_whose_whereabouts_are_unknown_is_not_asked(api: Api) -> None:
    lost = {**MOTHER_ABROAD, "whereabouts": "unknown"}
    case = api.create_case(people=[lost, GRANDMOTHER])
    assert petition(api, case, evidence_ids=[]).status_code == 200


def test_the_consent_is_asked_again_once_the_mother_is_found(api: Api) -> None:
    lost = {**MOTHER_ABROAD, "whereabouts": "unknown"}
    case = api.create_case(people=[lost, GRANDMOTHER])
    found = {"people": [{"id": api.person(case, "mother"), "whereabouts": "camp_abroad"}]}
    changed = api.patch(
        "lawyer",
        f"/api/v1/cases/{case['id']}",
        found,
        **{"If-Match": f'"{api.case_version("lawyer", case["id"])}"'},
    )
    assert changed.status_code == 200, changed.json
    assert petition(api, case, evidence_ids=[]).status_code == 409


def test_a_childrens_home_can_be_the_guardian(api: Api, app: Any) -> None:
    case = open_orphan_case(api)
    set_states(app, case["id"], {"guardianship": "hearing_scheduled"})
    grant = {"order_number": "2-1/2026", "order_type": "permanent", "institution": CHILDRENS_HOME}
    granted = api.step("judge", case["id"], "guardianship", "grant", grant)

    assert granted["tracks"]["guardianship"]["state"] == "granted"
    step = history(api, "judge", case["id"])[-1]
    assert step["data"]["institution"] == CHILDRENS_HOME
    assert "guardian" not in step["data"]


def test_a_grant_names_a_person_or_an_institution_not_both_nor_neither(api: Api, app: Any) -> None:
    case = open_orphan_case(api)
    set_states(app, case["id"], {"guardianship": "hearing_scheduled"})
    both = {
        "order_number": "2-1/2026",
        "order_type": "permanent",
        "guardian": api.person(case, "grandmother"),
        "institution": CHILDRENS_HOME,
    }
    neither = {"order_number": "2-1/2026", "order_type": "permanent"}
    for data in (both, neither):
        refused = api.transition("judge", case["id"], "guardianship", "grant", data)
        assert refused.status_code == 422, refused.json
        problems = {d["field"]: d["problem"] for d in refused.json["error"]["details"]}
        assert problems == {
            "data.guardian": "name_exactly_one",
            "data.institution": "name_exactly_one",
        }
    assert api.case("judge", case["id"])["tracks"]["guardianship"]["state"] == "hearing_scheduled"


def _grant_temporarily(api: Api, case: dict[str, Any], review_on: date) -> dict[str, Any]:
    data = {
        "order_number": "2-7/2026",
        "order_type": "temporary",
        "guardian": api.person(case, "grandmother"),
        "review_on": review_on.isoformat(),
    }
    return api.step("judge", case["id"], "guardianship", "grant_temporarily", data)


def test_a_temporary_guardianship_shows_its_review_date(api: Api, app: Any) -> None:
    case = open_orphan_case(api)
    set_states(app, case["id"], {"guardianship": "hearing_scheduled"})
    review_on = date.today() + timedelta(days=180)
    granted = _grant_temporarily(api, case, review_on)

    assert granted["tracks"]["guardianship"]["state"] == "granted_temporarily"
    assert granted["reviews"] == [
        {"track": "guardianship", "due_on": review_on.isoformat(), "overdue": False}
    ]


def test_a_review_date_is_shown_only_to_who_sees_the_guardianship_steps(api: Api, app: Any) -> None:
    case = open_orphan_case(api)
    set_states(app, case["id"], {"guardianship": "hearing_scheduled", "dna": "requested"})
    _grant_temporarily(api, case, date.today() + timedelta(days=180))

    assert api.case("guardianship", case["id"])["reviews"] != []
    assert api.case("judge", case["id"])["reviews"] != []
    # The registry's and the lab's work does not rest on the guardianship: no review for them.
    set_states(app, case["id"], {"birth_registration": "filed"})
    assert api.case("registrar", case["id"])["reviews"] == []


def test_a_review_date_passed_is_overdue_until_the_review_is_recorded(
    api: Api, app: Any, monkeypatch: Any
) -> None:
    case = open_orphan_case(api)
    set_states(app, case["id"], {"guardianship": "hearing_scheduled"})
    review_on = date.today() + timedelta(days=30)
    _grant_temporarily(api, case, review_on)
    _move_clock(monkeypatch, days=31)

    assert api.case("guardianship", case["id"])["reviews"][0]["overdue"] is True

    later = (date.today() + timedelta(days=400)).isoformat()
    extended = api.step(
        "guardianship",
        case["id"],
        "guardianship",
        "extend",
        {"report_reference": "GA-2027-4", "review_on": later},
    )
    assert extended["reviews"] == [{"track": "guardianship", "due_on": later, "overdue": False}]
    permanent = api.step(
        "guardianship",
        case["id"],
        "guardianship",
        "make_permanent",
        {"report_reference": "GA-2028-1", "order_type": "permanent"},
    )
    assert permanent["tracks"]["guardianship"]["state"] == "granted"
    assert permanent["reviews"] == []


def test_a_temporary_grant_needs_a_review_date_in_the_future(api: Api, app: Any) -> None:
    case = open_orphan_case(api)
    set_states(app, case["id"], {"guardianship": "hearing_scheduled"})
    data = {
        "order_number": "2-7/2026",
        "order_type": "temporary",
        "guardian": api.person(case, "grandmother"),
    }
    for review_on in (None, date.today().isoformat(), "2026-02-30", "tomorrow"):
        sent = data if review_on is None else {**data, "review_on": review_on}
        refused = api.transition("judge", case["id"], "guardianship", "grant_temporarily", sent)
        assert refused.status_code == 422, refused.json
        fields = [d["field"] for d in refused.json["error"]["details"]]
        assert fields == ["data.review_on"]


def _move_clock(monkeypatch: Any, days: int) -> None:
    """Let `days` pass for the reviews' reading of today."""
    from workflow import reviews
    from workflow.db import utcnow

    monkeypatch.setattr(reviews, "utcnow", lambda: utcnow() + timedelta(days=days))


def test_the_citizenship_application_names_the_childrens_home_as_guardian(
    api: Api, app: Any
) -> None:
    case = open_orphan_case(api)
    set_states(app, case["id"], {"guardianship": "hearing_scheduled"})
    grant = {"order_number": "2-1/2026", "order_type": "permanent", "institution": CHILDRENS_HOME}
    api.step("judge", case["id"], "guardianship", "grant", grant)

    text = logical_text(issued(generate(api, case["id"], "citizenship-application")))

    assert "Institution appointed guardian Children's Home No. 2, Almaty (" in text
    assert "children's home, KZ)" in text


def test_the_workflow_publishes_whose_consent_counts_and_the_one_of_rule(api: Api) -> None:
    petition = api.workflow_transition("lawyer", "guardianship", "file_petition")
    grant = api.workflow_transition("lawyer", "guardianship", "grant")

    assert petition["consent_when"] == {
        "relation": ["mother", "father"],
        "alive": True,
        "whereabouts": ["in_country", "detained_abroad", "camp_abroad"],
    }
    assert grant["one_of"] == ["guardian", "institution"]
    schema = grant["data_schema"]
    assert {"$ref": "#/$defs/Institution"} in schema["properties"]["institution"]["anyOf"]
    assert set(schema["$defs"]["Institution"]["required"]) == {"name", "kind", "country"}
