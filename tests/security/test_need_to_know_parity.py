"""One need-to-know for every front end: what the API answers a role about a case, what the case
page shows them and what the forms they may generate print carry the same sensitive facts, and
those are the facts the role's work on the case rests on."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.factories import ALL_SCRIPTS_CHILD, GRANDMOTHER, MOTHER_ABROAD, Api
from tests.forms.helpers import FORMS, logical_text
from tests.security.strangers import REASON, browsers
from tests.web.helpers import answer

RESIDENCE = ALL_SCRIPTS_CHILD["residence"]
CONSENT_DAY = "2025-11-23"  # the mother's consent, signed on a day nothing else falls on
RELATIONSHIP = "Бабушка по матери, maternal grandmother"  # the guardianship petition's data
# Each sensitive fact as the API's JSON says it, and the ways a page or a printed form says it
# (a page writes dates as its reader's language does, a form as ISO 8601).
FACTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "mother's whereabouts": ("detained_abroad", ("detained abroad",)),
    "child's residence": (RESIDENCE, (RESIDENCE,)),
    "consent": (CONSENT_DAY, (CONSENT_DAY, "Nov 23, 2025")),
    "birth locality": ("Raqqa", ("Raqqa",)),
    "guardianship petition's data": (RELATIONSHIP, (RELATIONSHIP,)),
}
EVERY_FACT = frozenset(FACTS)
WHERE_PEOPLE_ARE = frozenset({"mother's whereabouts", "child's residence"})
GUARDIANSHIP_WORK = EVERY_FACT  # the guardianship track turns on where the parents are
DNA_WORK = frozenset({"consent", "birth locality"})  # a DNA test needs the relative's consent
PARTICULARS_ONLY = frozenset({"birth locality"})

# (who, which case, the front ends that serve them the case, what each of those must show)
TABLE: list[tuple[str, str, frozenset[str], frozenset[str]]] = [
    ("lawyer", "walked", frozenset({"api", "page", "forms"}), EVERY_FACT),
    ("judge", "walked", frozenset({"api", "page"}), DNA_WORK),  # it authorised the test
    ("lab", "walked", frozenset({"api", "page"}), DNA_WORK),  # the test waits on it
    ("registrar", "walked", frozenset({"api", "page"}), PARTICULARS_ONLY),
    ("guardianship", "walked", frozenset({"api", "page"}), GUARDIANSHIP_WORK),
    ("judge", "assessed", frozenset({"api", "page"}), GUARDIANSHIP_WORK),  # hears the petition
    ("citizenship", "citizenship_filed", frozenset({"api", "page"}), PARTICULARS_ONLY),
    # Break-glass reads go through the API only, and show nothing a step rests on.
    ("lawyer3", "walked", frozenset({"api"}), PARTICULARS_ONLY),
    ("auditor", "walked", frozenset(), frozenset()),
    ("admin", "walked", frozenset(), frozenset()),
]
BREAKS_GLASS = {"lawyer3"}
USERS = tuple(sorted({who for who, *_ in TABLE}))


def walked_case(api: Api) -> str:
    """DNA authorised by the court, birth registration filed, guardianship petition filed."""
    case = _case_with_consent(api)
    api.request_dna(case)
    api.step("judge", case["id"], "dna", "authorize", {"ruling_number": "2-1187/2026"})
    api.step("lawyer", case["id"], "birth_registration", "file")
    _petition(api, case)
    return str(case["id"])


def assessed_case(api: Api) -> str:
    """A guardianship petition the authority found suitable: it waits on the court's hearing."""
    case = _case_with_consent(api)
    _petition(api, case)
    api.step(
        "guardianship", case["id"], "guardianship", "assess_suitable", {"report_reference": "GA-7"}
    )
    return str(case["id"])


def citizenship_filed_case(api: Api) -> str:
    """Kinship confirmed and the birth registered, the mother at home: citizenship filed."""
    mother_home = {**MOTHER_ABROAD, "whereabouts": "in_country"}
    case = _case_with_consent(api, people=[mother_home, GRANDMOTHER])
    api.request_dna(case)
    steps: list[tuple[str, str, str, dict[str, Any]]] = [
        ("judge", "dna", "authorize", {"ruling_number": "2-1188/2026"}),
        ("lab", "dna", "collect_samples", {"sample_ids": ["S-1"], "collected_on": "2026-01-20"}),
        ("lab", "dna", "confirm", {"report_number": "LR-9", "probability": 0.9995}),
        ("lawyer", "birth_registration", "file", {}),
        ("registrar", "birth_registration", "take_review", {}),
        (
            "registrar",
            "birth_registration",
            "register",
            {"certificate_number": "I-ЖП 123", "registered_on": "2026-02-01"},
        ),
        ("lawyer", "citizenship", "file", {}),
    ]
    for who, track, action, data in steps:
        api.step(who, case["id"], track, action, data)
    return str(case["id"])


CASES: dict[str, Callable[[Api], str]] = {
    "walked": walked_case,
    "assessed": assessed_case,
    "citizenship_filed": citizenship_filed_case,
}


def _case_with_consent(api: Api, **overrides: Any) -> dict[str, Any]:
    case = api.create_case(**overrides)
    consent = {
        "person_id": api.person(case, "mother"),
        "purpose": "dna_testing",
        "given_on": CONSENT_DAY,
    }
    assert api.post("lawyer", f"/api/v1/cases/{case['id']}/consents", consent).status_code == 201
    return case


def _petition(api: Api, case: dict[str, Any]) -> None:
    data = {"proposed_guardian": api.person(case, "grandmother"), "relationship": RELATIONSHIP}
    api.step("lawyer", case["id"], "guardianship", "file_petition", data)


def through_api(api: Api, who: str, case_id: str) -> set[str] | None:
    """The facts in the case, its history, documents and consents as the API answers them."""
    read = api.get(who, f"/api/v1/cases/{case_id}")
    if read.status_code != 200:
        return None
    answers = [read.json]
    for part in ("history", "documents", "consents"):
        response = api.get(who, f"/api/v1/cases/{case_id}/{part}")
        # Refused (403), or not served to a reader through break-glass (404).
        assert response.status_code in (200, 403, 404), (part, response.status_code)
        answers.append(response.json if response.status_code == 200 else None)
    return _found(json.dumps(answers, ensure_ascii=False), said_by_api=True)


def on_the_page(app: Flask, who: str, case_id: str) -> set[str] | None:
    browser, _token = browsers(app, (who,))[who]
    page = browser.get(f"/cases/{case_id}")
    if page.status_code != 200:
        return None
    return _found(html.unescape(page.get_data(as_text=True)), said_by_api=False)


def in_the_forms(api: Api, who: str, case_id: str, variant: str = "full") -> set[str] | None:
    """The facts every form the user may generate prints, read back from the PDFs."""
    printed = []
    for form in FORMS:
        response = api.post(who, f"/api/v1/cases/{case_id}/forms/{form}?variant={variant}")
        if response.status_code == 201:
            printed.append(logical_text(bytes(response.data)))
    return _found(" ".join(printed), said_by_api=False) if printed else None


def _found(text: str, *, said_by_api: bool) -> set[str]:
    if said_by_api:
        return {fact for fact, (said, _) in FACTS.items() if said in text}
    return {fact for fact, (_, printed) in FACTS.items() if any(way in text for way in printed)}


@pytest.fixture
def cases(api: Api) -> dict[str, str]:
    made = {name: make(api) for name, make in CASES.items()}
    for who in BREAKS_GLASS:
        answer = api.post(who, f"/api/v1/cases/{made['walked']}/break-glass", {"reason": REASON})
        assert answer.status_code == 201
    return made


def test_every_front_end_shows_each_role_the_same_facts_its_work_rests_on(
    app: Flask, api: Api, cases: dict[str, str], subtests: pytest.Subtests
) -> None:
    for who, case, served, expected in TABLE:
        with subtests.test(msg=f"{who}-{case}", who=who, case=case):
            case_id = cases[case]
            shown = {
                "api": through_api(api, who, case_id),
                "page": on_the_page(app, who, case_id),
                "forms": in_the_forms(api, who, case_id),
            }
            exposed = {front: facts for front, facts in shown.items() if facts is not None}
            assert exposed == {front: expected for front in served}


def test_a_redacted_form_leaves_out_only_where_people_are(api: Api, cases: dict[str, str]) -> None:
    redacted = in_the_forms(api, "lawyer", cases["walked"], variant="redacted")
    assert redacted == set(EVERY_FACT - WHERE_PEOPLE_ARE)


def test_an_official_whose_steps_need_no_consent_is_refused_the_consents(
    api: Api, cases: dict[str, str]
) -> None:
    for who in ("registrar", "lab", "guardianship"):
        response = api.get(who, f"/api/v1/cases/{cases['walked']}/consents")
        assert response.status_code == (403 if who == "registrar" else 200), who
    refused = api.get("registrar", f"/api/v1/cases/{cases['walked']}/consents")
    assert answer(refused)["error"]["code"] == "not_permitted"
    assert CONSENT_DAY not in refused.get_data(as_text=True)
