"""The whole story the procedures are for: a girl whose DNA a laboratory abroad compared with her
mother, who has since died in the camp, and whose father nobody can find, carried from return to
papers with a children's home as her guardian; every step audited, the forms stating it right."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from audit.models import AuditEvent
from tests.factories import Api
from tests.forms.helpers import generate, issued, logical_text
from tests.workflow.test_dna_evidence import _foreign, _record_foreign
from tests.workflow.test_parental_care import CHILDRENS_HOME, open_orphan_case, petition, to_hearing
from tests.workflow.test_walkthrough import BIRTH, CITIZENSHIP, _walk
from workflow import transactions

ACCEPT = {"ruling_number": "2-1187/2026"}
GRANT = {"order_number": "2-3021/2026", "order_type": "permanent", "institution": CHILDRENS_HOME}


def transitions_audited(app: Any, case_id: str) -> list[str]:
    """The outcomes of the case's steps as the trail keeps them, in order."""
    with app.app_context():
        events = transactions.session().scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "case.transition", AuditEvent.case_id == uuid.UUID(case_id))
            .order_by(AuditEvent.seq)
        )
        return [event.outcome for event in events]


def test_an_orphan_tested_abroad_is_carried_from_return_to_papers(api: Api, app: Any) -> None:
    case = open_orphan_case(api)  # mother deceased, father's whereabouts unknown, a grandmother
    recorded = _record_foreign(api, case, _foreign(api, case, 0.9995, "mother", "maternity"))
    assert recorded.status_code == 200, recorded.json

    # Nobody can consent for the mother now: the court weighs the result without her consent.
    accepted = api.transition(
        "judge", case["id"], "dna", "accept_foreign_result", ACCEPT, evidence_ids=[]
    )
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["tracks"]["dna"]["state"] == "confirmed"
    _walk(api, case["id"], BIRTH)
    filed = petition(api, case, evidence_ids=[])  # no parent alive and reachable to consent
    assert filed.status_code == 200, filed.json
    to_hearing(api, case["id"])
    api.step("judge", case["id"], "guardianship", "grant", GRANT)
    final = _walk(api, case["id"], CITIZENSHIP)

    assert final["status"] == "complete"
    assert transitions_audited(app, case["id"]) == ["success"] * 14
    dna_request = logical_text(issued(generate(api, case["id"], "dna-request")))
    assert "Result of a laboratory abroad" in dna_request and "LNPS-2025-8841" in dna_request
    application = logical_text(issued(generate(api, case["id"], "citizenship-application")))
    assert "Institution appointed guardian Children's Home No. 2, Almaty (" in application


def test_a_living_relative_tested_abroad_must_still_consent(api: Api) -> None:
    case = open_orphan_case(api)
    data = _foreign(api, case, 0.9995, "mother", "maternity", "grandmother", "grandmaternity")
    assert _record_foreign(api, case, data).status_code == 200

    refused = api.transition(
        "judge", case["id"], "dna", "accept_foreign_result", ACCEPT, evidence_ids=[]
    )

    assert (refused.status_code, refused.json["error"]["code"]) == (409, "prerequisite_missing")
    # The grandmother, alive and in the country, is asked; the mother, deceased, is not.
    assert refused.json["error"]["details"]["missing"] == [
        {"consent": "dna_testing", "of": "relatives_tested.1"}
    ]
