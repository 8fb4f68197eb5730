"""Consents on a database in memory (workflow/evidence/consents.py): who may record and withdraw
them, what is refused and why, and what a step can stand on."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.workflow.memory import World, world_fixture  # noqa: F401 - the fixture `world`
from workflow.access import caller_of, case_facts
from workflow.errors import InvalidInput, NotFound, NotPermitted, WrongState
from workflow.evidence.consents import (
    case_consents,
    record_consent,
    step_evidence,
    withdraw_consent,
)
from workflow.models import Case, Consent, User
from workflow.schemas import ConsentIn, WithdrawalIn
from workflow.vocabulary import AgencyKind, CaseStatus, ConsentPurpose, EvidenceKind, Role

DNA_TESTING, DATA_SHARING = ConsentPurpose.DNA_TESTING, ConsentPurpose.DATA_SHARING
GIVEN = date(2026, 1, 10)
JUDGE_ONLY = [{"role": "official", "agency_kind": "court"}]

WORKFLOW = {
    "name": "consents",
    "version": 1,
    "title": "Consents",
    "complete_when": {"track": "dna", "in": ["authorized"]},
    "tracks": [
        {
            "name": "dna",
            "title": "DNA",
            "initial": "draft",
            "states": [{"name": s} for s in ("draft", "requested", "authorized")],
            "transitions": [
                {
                    "action": "request",
                    "from": ["draft"],
                    "to": "requested",
                    "performed_by": [{"role": "lawyer", "agency_kind": "ngo"}],
                    "fields": {
                        "tested_relative": {"kind": "person", "optional": True},
                        "note": {"kind": "text", "optional": True},
                    },
                },
                {
                    "action": "authorize",
                    "from": ["requested"],
                    "to": "authorized",
                    "performed_by": JUDGE_ONLY,
                    "evidence_kinds": ["lab_report"],
                },
            ],
        }
    ],
}


class Scene:
    """One case with its assigned lawyer, a judge whose court holds it, and someone outside."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.lawyer = world.user(Role.LAWYER, world.agency(AgencyKind.NGO))
        self.judge = world.user(Role.OFFICIAL, world.agency(AgencyKind.COURT))
        record = world.workflow(WORKFLOW)
        self.case = world.case(record, {"dna": "requested"}, lawyers=(self.lawyer,))
        self.other_case = world.case(record, {"dna": "requested"}, lawyers=(self.lawyer,))
        self.mother = self.case.relatives[0].id

    def record(self, user: User | None = None, case: Case | None = None, **fields: Any) -> Any:
        case = case or self.case
        user = user or self.lawyer
        command = ConsentIn.model_validate(
            {"person_id": self.mother, "purpose": DNA_TESTING, "given_on": GIVEN, **fields}
        )
        facts = case_facts(self.world.session, case)
        return record_consent(self.world.session, caller_of(user), case, facts, command)

    def withdraw(self, consent_id: str, user: User | None = None, **fields: Any) -> Consent:
        who = caller_of(user or self.lawyer)
        facts = case_facts(self.world.session, self.case)
        command = WithdrawalIn.model_validate(fields)
        return withdraw_consent(self.world.session, who, self.case, facts, consent_id, command)

    def evidence(self, user: User) -> Any:
        facts = case_facts(self.world.session, self.case)
        return step_evidence(self.world.session, caller_of(user), self.case, facts)


@pytest.fixture
def scene(world: World) -> Scene:
    return Scene(world)


def refusal(error_type: type[Exception], call: Any, *args: Any, **kwargs: Any) -> Any:
    with pytest.raises(error_type) as caught:
        call(*args, **kwargs)
    return caught.value


def field_problem(field: str, problem: str, message: str) -> list[dict[str, str]]:
    return [{"field": field, "problem": problem, "message": message}]


# --- recording -----------------------------------------------------------------------------------


def test_the_lawyer_records_a_mothers_consent_with_the_signed_letter(scene: Scene) -> None:
    letter = scene.world.document(scene.case, EvidenceKind.CONSENT, scene.lawyer)
    consent = scene.record(document_id=letter.id)
    stored = scene.world.session.get(Consent, consent.id)
    assert stored is consent
    assert (stored.case_id, stored.person_id, stored.purpose) == (
        scene.case.id,
        scene.mother,
        DNA_TESTING,
    )
    assert (stored.given_on, stored.document_id, stored.recorded_by_id) == (
        GIVEN,
        letter.id,
        scene.lawyer.id,
    )
    assert stored.in_force


def test_a_consent_may_be_recorded_before_its_letter_is_attached(scene: Scene) -> None:
    assert scene.record().document_id is None


def test_only_the_lawyers_working_the_case_record_consents(scene: Scene) -> None:
    outsider = scene.world.user(Role.LAWYER, scene.lawyer.agency)
    for user in (scene.judge, outsider):
        error = refusal(NotPermitted, scene.record, user)
        assert error.message == "Consents are recorded by the lawyers working the case."


@pytest.mark.parametrize("status", [CaseStatus.CLOSED, CaseStatus.COMPLETE])
def test_no_consent_changes_on_a_case_that_is_not_open(scene: Scene, status) -> None:
    consent = scene.record()
    scene.case.status = status
    error = refusal(WrongState, scene.record)
    assert error.message == f"The case is {status.value}; its consents cannot change."
    assert refusal(WrongState, scene.withdraw, str(consent.id)).message == error.message


def test_a_consent_is_given_by_a_relative_on_this_case(scene: Scene) -> None:
    child = scene.case.child.id
    elsewhere = scene.other_case.relatives[0].id
    for person in (child, elsewhere, uuid.uuid4()):
        error = refusal(InvalidInput, scene.record, person_id=person)
        assert error.message == "The request has invalid or missing fields."
        assert error.details == field_problem(
            "person_id", "not_a_person_on_this_case", "Name a relative on this case."
        )


def test_the_letter_named_must_be_a_document_of_this_case(scene: Scene) -> None:
    elsewhere = scene.world.document(scene.other_case, EvidenceKind.CONSENT, scene.lawyer)
    for document in (elsewhere.id, uuid.uuid4()):
        error = refusal(InvalidInput, scene.record, document_id=document)
        assert error.details == field_problem(
            "document_id", "no_such_document", "Name a document of this case."
        )


def test_the_letter_named_must_be_a_consent(scene: Scene) -> None:
    report = scene.world.document(scene.case, EvidenceKind.LAB_REPORT, scene.lawyer)
    error = refusal(InvalidInput, scene.record, document_id=report.id)
    assert error.details == field_problem(
        "document_id", "not_a_consent", "Name a document of kind consent."
    )


# --- withdrawing ---------------------------------------------------------------------------------


def test_a_consent_withdrawn_on_a_day_is_no_longer_in_force(scene: Scene) -> None:
    consent = scene.record()
    withdrawn = scene.withdraw(str(consent.id), withdrawn_on=GIVEN)
    assert withdrawn is consent
    assert (consent.withdrawn_on, consent.withdrawn_by_id) == (GIVEN, scene.lawyer.id)
    assert not consent.in_force


def test_a_withdrawal_without_a_date_is_today(scene: Scene) -> None:
    consent = scene.record()
    scene.withdraw(str(consent.id))
    assert consent.withdrawn_on == datetime.now(UTC).date()


@pytest.fixture
def server_zone(monkeypatch) -> Iterator[Callable[[str], None]]:
    """Move this process to a POSIX time zone for the test."""

    def move(zone: str) -> None:
        monkeypatch.setenv("TZ", zone)
        time.tzset()

    yield move
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("zone", ["AHEAD-14", "BEHIND+12"])
def test_a_withdrawal_without_a_date_is_today_in_utc_wherever_the_server_is(
    scene: Scene, server_zone, zone: str
) -> None:
    # 14 hours ahead or 12 behind, the server's own date differs from UTC's at any hour
    server_zone(zone)
    consent = scene.record()
    scene.withdraw(str(consent.id))
    assert consent.withdrawn_on == datetime.now(UTC).date()


def test_a_consent_cannot_be_withdrawn_before_it_was_given(scene: Scene) -> None:
    consent = scene.record()
    day_before = GIVEN - timedelta(days=1)
    error = refusal(InvalidInput, scene.withdraw, str(consent.id), withdrawn_on=day_before)
    assert error.details == field_problem(
        "withdrawn_on", "before_given", "A consent is withdrawn after it is given."
    )
    assert consent.in_force


def test_a_consent_is_withdrawn_once(scene: Scene) -> None:
    consent = scene.record()
    scene.withdraw(str(consent.id), withdrawn_on=GIVEN)
    error = refusal(WrongState, scene.withdraw, str(consent.id))
    assert error.message == "The consent is already withdrawn."
    assert consent.withdrawn_on == GIVEN


def test_only_the_lawyers_working_the_case_withdraw_consents(scene: Scene) -> None:
    consent = scene.record()
    refusal(NotPermitted, scene.withdraw, str(consent.id), scene.judge)
    assert consent.in_force


def test_a_consent_of_another_case_or_none_at_all_is_not_found(scene: Scene) -> None:
    other = scene.record(case=scene.other_case, person_id=scene.other_case.relatives[0].id)
    for consent_id in (str(other.id), str(uuid.uuid4()), "not-a-consent"):
        error = refusal(NotFound, scene.withdraw, consent_id)
        assert error.message == "There is no such consent on this case."
    assert other.in_force


# --- what a step stands on ----------------------------------------------------------------------


def test_the_case_lists_its_consents_oldest_first_withdrawn_ones_included(scene: Scene) -> None:
    first = scene.record()
    second = scene.record(purpose=DATA_SHARING)
    first.recorded_at = datetime(2026, 2, 1, tzinfo=UTC)
    second.recorded_at = datetime(2026, 1, 1, tzinfo=UTC)
    scene.withdraw(str(first.id), withdrawn_on=GIVEN)
    scene.record(case=scene.other_case, person_id=scene.other_case.relatives[0].id)
    assert case_consents(scene.world.session, scene.case) == [second, first]


def test_consents_recorded_at_the_same_instant_are_listed_in_a_stable_order(scene) -> None:
    at, later = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    ids = [uuid.UUID(int=n) for n in (3, 1, 2)]  # stored in this order
    times = {ids[0]: at, ids[1]: later, ids[2]: at}
    for key in ids:
        scene.world.session.add(
            Consent(
                id=key,
                case_id=scene.case.id,
                person_id=scene.mother,
                purpose=DNA_TESTING,
                given_on=GIVEN,
                recorded_at=times[key],
                recorded_by_id=scene.lawyer.id,
            )
        )
        scene.world.session.flush()
    listed = case_consents(scene.world.session, scene.case)
    assert [c.id.int for c in listed] == [2, 3, 1]


def test_a_step_stands_on_the_consents_in_force_only(scene: Scene) -> None:
    withdrawn = scene.record()
    scene.withdraw(str(withdrawn.id), withdrawn_on=GIVEN)
    scene.record(purpose=DATA_SHARING)
    assert scene.evidence(scene.lawyer).consents == {(scene.mother, DATA_SHARING)}


def test_a_step_names_only_the_documents_its_taker_may_read(scene: Scene) -> None:
    world = scene.world
    letter = world.document(scene.case, EvidenceKind.CONSENT, scene.lawyer)
    ruling = world.document(scene.case, EvidenceKind.COURT_ORDER, scene.judge)
    world.handled(scene.case, scene.judge)
    assert scene.evidence(scene.lawyer).documents == {
        letter.id: EvidenceKind.CONSENT,
        ruling.id: EvidenceKind.COURT_ORDER,
    }
    assert scene.evidence(scene.judge).documents == {ruling.id: EvidenceKind.COURT_ORDER}


def test_a_later_step_knows_whom_the_track_last_named(scene: Scene) -> None:
    world, lawyer = scene.world, scene.lawyer
    aunt = uuid.uuid4()
    world.handled(scene.case, lawyer, "dna.request", {"tested_relative": str(aunt)})
    world.handled(scene.case, lawyer, "dna.request", {"tested_relative": str(scene.mother)})
    world.handled(scene.case, lawyer, "dna.request", {"note": "no one named"})
    world.handled(scene.case, lawyer, "dna.request", None)
    world.handled(scene.case, scene.judge, "dna.authorize", {"tested_relative": str(aunt)})
    world.handled(scene.case, lawyer, "retired.request", {"tested_relative": str(aunt)})
    world.handled(scene.case, lawyer, "dna.retired", {"tested_relative": str(aunt)})
    world.handled(scene.other_case, lawyer, "dna.request", {"tested_relative": str(aunt)})
    assert scene.evidence(lawyer).named == {("dna", "tested_relative"): scene.mother}


def test_the_latest_step_names_the_person_whichever_agency_took_it(scene: Scene) -> None:
    world = scene.world
    first, second = sorted(
        (world.user(Role.LAWYER, world.agency(AgencyKind.NGO)) for _ in range(2)),
        key=lambda user: user.agency_id.hex,
        reverse=True,
    )
    aunt = uuid.uuid4()
    # the later step comes from the agency whose id sorts first, as an index on it would
    world.handled(scene.case, first, "dna.request", {"tested_relative": str(aunt)})
    world.handled(scene.case, second, "dna.request", {"tested_relative": str(scene.mother)})
    assert scene.evidence(scene.lawyer).named == {("dna", "tested_relative"): scene.mother}


def test_a_case_without_steps_names_nobody(scene: Scene) -> None:
    assert scene.evidence(scene.lawyer).named == {}
