"""Who may see a child's case and do what, as tables over role × agency kind × the case's facts:
workflow/permissions.py without HTTP or a database."""

from __future__ import annotations

import uuid
from itertools import product

import pytest

from workflow import permissions as p
from workflow.permissions import Caller, CaseFacts
from workflow.rules.definition import Transition
from workflow.vocabulary import AgencyKind, Role

ROLES = list(Role)
KINDS = list(AgencyKind)
EVERYONE = list(product(ROLES, KINDS))
COURT_A, COURT_B, LAB = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def caller(role: Role, kind: AgencyKind, agency: uuid.UUID | None = None) -> Caller:
    return Caller(id=uuid.uuid4(), role=role, agency_id=agency or uuid.uuid4(), agency_kind=kind)


def judge(agency: uuid.UUID = COURT_A) -> Caller:
    return caller(Role.OFFICIAL, AgencyKind.COURT, agency)


def lawyer() -> Caller:
    return caller(Role.LAWYER, AgencyKind.NGO)


def step(*performers: tuple[Role, AgencyKind]) -> Transition:
    return Transition.model_validate(
        {
            "action": "authorize",
            "from": ["requested"],
            "to": "authorized",
            "performed_by": [{"role": r, "agency_kind": k} for r, k in performers],
        }
    )


# --- what a role may do whatever the case ----------------------------------------------------

ROLE_RIGHTS = {
    # predicate: the (role, agency kind) pairs it allows; None as kind means any kind
    p.can_read_trail: {(Role.AUDITOR, None)},
    p.can_see_dashboard: {(Role.AUDITOR, None), (Role.ADMIN, None)},
    p.can_work_queue: {(Role.OFFICIAL, None)},
    p.can_open_case: {(Role.LAWYER, AgencyKind.NGO)},
    p.can_break_glass: {(Role.LAWYER, AgencyKind.NGO), (Role.OFFICIAL, None)},
}


@pytest.mark.parametrize("predicate", ROLE_RIGHTS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(("role", "kind"), EVERYONE, ids=lambda v: str(v))
def test_each_role_right_belongs_to_the_roles_named(predicate, role, kind) -> None:
    allowed = ROLE_RIGHTS[predicate]
    expected = (role, kind) in allowed or (role, None) in allowed
    assert predicate(caller(role, kind)) is expected


# --- need-to-know ------------------------------------------------------------------------------


def test_a_lawyer_sees_only_the_cases_assigned_to_them() -> None:
    me, colleague = lawyer(), lawyer()
    facts = CaseFacts(
        agency=me.agency_id, assigned=frozenset({me.id}), waiting_on=frozenset({AgencyKind.NGO})
    )
    assert p.needs_to_know(me, facts) is True
    assert p.needs_to_know(colleague, facts) is False


def test_a_lawyer_assigned_to_a_case_of_another_ngo_sees_and_does_nothing() -> None:
    """A lawyer moved to another NGO whose assignment somehow survived the move."""
    moved = lawyer()
    facts = CaseFacts(agency=uuid.uuid4(), assigned=frozenset({moved.id}))
    lawyer_step = step((Role.LAWYER, AgencyKind.NGO))
    assert p.needs_to_know(moved, facts) is False
    assert p.can_view_case(moved, facts) is False
    assert p.can_edit_case(moved, facts) is False
    assert p.can_perform(moved, facts, lawyer_step) is False
    assert p.can_read_document(moved, facts, LAB, frozenset()) is False


def test_a_lawyer_does_not_see_a_case_because_their_agency_handled_it() -> None:
    me = lawyer()
    facts = CaseFacts(
        handled_by=frozenset({me.agency_id}), routes=((AgencyKind.NGO, me.agency_id),)
    )
    assert p.needs_to_know(me, facts) is False


@pytest.mark.parametrize(
    ("facts", "sees"),
    [
        (CaseFacts(), False),
        (CaseFacts(waiting_on=frozenset({AgencyKind.COURT})), True),
        (CaseFacts(waiting_on=frozenset({AgencyKind.FORENSIC_LAB})), False),
        # taken by this court, or by another: only the court that took it sees it
        (
            CaseFacts(
                waiting_on=frozenset({AgencyKind.COURT}), routes=((AgencyKind.COURT, COURT_A),)
            ),
            True,
        ),
        (
            CaseFacts(
                waiting_on=frozenset({AgencyKind.COURT}), routes=((AgencyKind.COURT, COURT_B),)
            ),
            False,
        ),
        # a lab taking the case does not close it to courts
        (
            CaseFacts(
                waiting_on=frozenset({AgencyKind.COURT}),
                routes=((AgencyKind.FORENSIC_LAB, LAB), (AgencyKind.COURT, COURT_A)),
            ),
            True,
        ),
        (
            CaseFacts(
                waiting_on=frozenset({AgencyKind.COURT}),
                routes=((AgencyKind.FORENSIC_LAB, COURT_A),),
            ),
            True,
        ),
        # a court that acted on the case keeps seeing it after the step moved on
        (CaseFacts(handled_by=frozenset({COURT_A})), True),
        (CaseFacts(handled_by=frozenset({COURT_B})), False),
        (CaseFacts(handled_by=frozenset({COURT_A}), routes=((AgencyKind.COURT, COURT_B),)), True),
    ],
)
def test_an_official_sees_what_waits_on_or_was_handled_by_their_agency(facts, sees) -> None:
    assert p.needs_to_know(judge(), facts) is sees


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMIN])
def test_auditors_and_admins_never_need_to_know_a_child(role) -> None:
    someone = caller(role, AgencyKind.OPERATOR)
    facts = CaseFacts(
        agency=someone.agency_id,
        assigned=frozenset({someone.id}),
        waiting_on=frozenset({AgencyKind.OPERATOR}),
        handled_by=frozenset({someone.agency_id}),
        break_glass=frozenset({someone.id}),
    )
    assert p.needs_to_know(someone, facts) is False
    assert p.can_view_case(someone, facts) is False


def test_the_agency_that_took_a_case_is_named_by_its_kind() -> None:
    facts = CaseFacts(routes=((AgencyKind.FORENSIC_LAB, LAB), (AgencyKind.COURT, COURT_B)))
    assert facts.routed_to(AgencyKind.COURT) == COURT_B
    assert facts.routed_to(AgencyKind.FORENSIC_LAB) == LAB
    assert facts.routed_to(AgencyKind.CIVIL_REGISTRY) is None
    assert facts.open_to(judge(COURT_B)) is True
    assert facts.open_to(judge(COURT_A)) is False
    assert CaseFacts().open_to(judge()) is True


# --- break-glass --------------------------------------------------------------------------------


def test_a_break_glass_grant_opens_the_case_to_its_holder_only() -> None:
    holder, other = judge(), judge()
    facts = CaseFacts(break_glass=frozenset({holder.id}))
    assert p.can_view_case(holder, facts) is True
    assert p.opened_by_break_glass(holder, facts) is True
    assert p.can_view_case(other, facts) is False
    assert p.opened_by_break_glass(other, facts) is False


def test_a_grant_is_not_break_glass_when_the_reader_needs_to_know_anyway() -> None:
    me = lawyer()
    facts = CaseFacts(
        agency=me.agency_id, assigned=frozenset({me.id}), break_glass=frozenset({me.id})
    )
    assert p.can_view_case(me, facts) is True
    assert p.opened_by_break_glass(me, facts) is False


def test_a_lawyer_outside_an_ngo_cannot_hold_a_break_glass_grant() -> None:
    misfiled = caller(Role.LAWYER, AgencyKind.COURT)
    facts = CaseFacts(break_glass=frozenset({misfiled.id}))
    assert p.opened_by_break_glass(misfiled, facts) is False
    assert p.can_view_case(misfiled, facts) is False


def test_break_glass_lets_one_read_but_never_act() -> None:
    holder = judge()
    facts = CaseFacts(break_glass=frozenset({holder.id}), waiting_on=frozenset())
    court_step = step((Role.OFFICIAL, AgencyKind.COURT))
    assert p.can_view_case(holder, facts) is True
    assert p.can_perform(holder, facts, court_step) is False
    assert p.can_attach_document(holder, facts) is False
    assert (
        p.can_read_document(holder, facts, holder.agency_id, frozenset({AgencyKind.COURT})) is False
    )


# --- acting on a case -----------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "kind"), EVERYONE, ids=lambda v: str(v))
def test_only_the_role_and_kind_the_step_names_may_take_it(role, kind) -> None:
    someone = caller(role, kind)
    facts = CaseFacts(
        agency=someone.agency_id,
        assigned=frozenset({someone.id}),
        waiting_on=frozenset({kind}),
        handled_by=frozenset({someone.agency_id}),
    )
    court_step = step((Role.OFFICIAL, AgencyKind.COURT), (Role.LAWYER, AgencyKind.NGO))
    named = (role, kind) in {(Role.OFFICIAL, AgencyKind.COURT), (Role.LAWYER, AgencyKind.NGO)}
    assert p.can_perform(someone, facts, court_step) is named


def test_a_step_is_refused_to_a_court_once_another_court_took_the_case() -> None:
    court_step = step((Role.OFFICIAL, AgencyKind.COURT))
    waiting = frozenset({AgencyKind.COURT})
    ours = CaseFacts(waiting_on=waiting, routes=((AgencyKind.COURT, COURT_A),))
    theirs = CaseFacts(
        waiting_on=waiting,
        handled_by=frozenset({COURT_A}),
        routes=((AgencyKind.COURT, COURT_B),),
    )
    assert p.can_perform(judge(COURT_A), ours, court_step) is True
    # having handled an earlier step keeps the case visible, but not actionable
    assert p.needs_to_know(judge(COURT_A), theirs) is True
    assert p.can_perform(judge(COURT_A), theirs, court_step) is False


def test_a_named_performer_still_needs_to_know_the_case() -> None:
    court_step = step((Role.OFFICIAL, AgencyKind.COURT))
    assert p.can_perform(judge(), CaseFacts(), court_step) is False
    lawyer_step = step((Role.LAWYER, AgencyKind.NGO))
    assert p.can_perform(lawyer(), CaseFacts(), lawyer_step) is False


@pytest.mark.parametrize(
    "predicate", [p.can_edit_case, p.can_record_consent, p.can_issue_form], ids=lambda f: f.__name__
)
@pytest.mark.parametrize(("role", "kind"), EVERYONE, ids=lambda v: str(v))
def test_particulars_consents_and_forms_belong_to_the_assigned_lawyers(predicate, role, kind):
    someone = caller(role, kind)
    facts = CaseFacts(
        agency=someone.agency_id,
        assigned=frozenset({someone.id}),
        waiting_on=frozenset({kind}),
        handled_by=frozenset({someone.agency_id}),
    )
    assert predicate(someone, facts) is (role is Role.LAWYER)
    assert predicate(someone, CaseFacts(waiting_on=frozenset({kind}))) is False


@pytest.mark.parametrize(("role", "kind"), EVERYONE, ids=lambda v: str(v))
def test_documents_are_attached_by_those_who_need_to_know(role, kind) -> None:
    someone = caller(role, kind)
    seen = CaseFacts(
        agency=someone.agency_id,
        assigned=frozenset({someone.id}),
        waiting_on=frozenset({kind}),
        handled_by=frozenset({someone.agency_id}),
    )
    assert p.can_attach_document(someone, seen) is (role in (Role.LAWYER, Role.OFFICIAL))
    assert p.can_attach_document(someone, CaseFacts()) is False


def test_a_lawyer_on_the_case_reads_every_document() -> None:
    me = lawyer()
    facts = CaseFacts(agency=me.agency_id, assigned=frozenset({me.id}))
    assert p.can_read_document(me, facts, LAB, frozenset()) is True
    assert p.can_read_document(lawyer(), facts, LAB, frozenset()) is False


@pytest.mark.parametrize(
    ("uploaded_by", "evidence_for", "reads"),
    [
        (COURT_A, frozenset(), True),  # our own upload
        (LAB, frozenset({AgencyKind.COURT}), True),  # evidence for a court step
        (LAB, frozenset({AgencyKind.FORENSIC_LAB}), False),  # the lab's, for the lab
        (LAB, frozenset(), False),
        (COURT_B, frozenset(), False),  # another court's upload
    ],
)
def test_an_official_reads_their_uploads_and_the_evidence_for_their_steps(
    uploaded_by, evidence_for, reads
) -> None:
    facts = CaseFacts(handled_by=frozenset({COURT_A}))
    assert p.can_read_document(judge(COURT_A), facts, uploaded_by, evidence_for) is reads


def test_an_official_outside_need_to_know_reads_no_document() -> None:
    facts = CaseFacts(handled_by=frozenset({COURT_B}))
    assert (
        p.can_read_document(judge(COURT_A), facts, COURT_A, frozenset({AgencyKind.COURT})) is False
    )


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMIN])
def test_auditors_and_admins_read_no_document(role) -> None:
    someone = caller(role, AgencyKind.COURT)
    facts = CaseFacts(
        agency=someone.agency_id,
        assigned=frozenset({someone.id}),
        handled_by=frozenset({someone.agency_id}),
    )
    evidence = frozenset({AgencyKind.COURT})
    assert p.can_read_document(someone, facts, someone.agency_id, evidence) is False
