"""Need-to-know as facts and as SQL (workflow/access.py) on a database in memory: which cases each
user's lists and reads reach, and the facts the permission predicates are given."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import g
from sqlalchemy import ColumnElement, select

from tests.workflow.memory import World, world_fixture  # noqa: F401 - the fixture `world`
from workflow import access, permissions
from workflow.db import utcnow
from workflow.models import BreakGlassGrant, Case, TrackState, WorkflowRecord
from workflow.permissions import Caller
from workflow.vocabulary import AgencyKind, CaseStatus, Role

COURT, LAB, REGISTRY = AgencyKind.COURT, AgencyKind.FORENSIC_LAB, AgencyKind.CIVIL_REGISTRY


def official(kind: AgencyKind) -> list[dict[str, str]]:
    return [{"role": "official", "agency_kind": kind.value}]


def definition(version: int, authorized_waits_on: AgencyKind) -> dict[str, Any]:
    """DNA: requested waits on courts, authorized on `authorized_waits_on`; birth on registries."""

    return {
        "name": "unit",
        "version": version,
        "title": "Need-to-know",
        "complete_when": {"track": "birth", "in": ["registered"]},
        "tracks": [
            {
                "name": "dna",
                "title": "DNA",
                "initial": "requested",
                "states": [{"name": s} for s in ("requested", "authorized", "confirmed")],
                "transitions": [
                    {
                        "action": "authorize",
                        "from": ["requested"],
                        "to": "authorized",
                        "performed_by": official(COURT),
                    },
                    {
                        "action": "confirm",
                        "from": ["authorized"],
                        "to": "confirmed",
                        "performed_by": official(authorized_waits_on),
                    },
                ],
            },
            {
                "name": "birth",
                "title": "Birth",
                "initial": "requested",  # named as dna's first state, waiting on others
                "states": [{"name": "requested"}, {"name": "registered"}, {"name": "corrected"}],
                "transitions": [
                    {
                        "action": "register",
                        "from": ["requested"],
                        "to": "registered",
                        "performed_by": official(REGISTRY),
                    },
                    {
                        "action": "correct",
                        "from": ["registered"],
                        "to": "corrected",
                        "performed_by": [
                            {"role": "lawyer", "agency_kind": "ngo"},
                            *official(REGISTRY),
                        ],
                    },
                ],
            },
        ],
    }


@pytest.fixture(autouse=True)
def lookups_built_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test builds its own case lookups, as a process just started would."""
    monkeypatch.setattr(access, "_LOOKUPS", {})


@pytest.fixture
def v1(world: World) -> WorkflowRecord:
    return world.workflow(definition(1, LAB))


def caller(world: World, role: Role, kind: AgencyKind) -> tuple[Any, Caller]:
    user = world.user(role, world.agency(kind))
    return user, access.caller_of(user)


def found(world: World, clause: ColumnElement[bool]) -> set[uuid.UUID]:
    return set(world.session.scalars(select(Case.id).where(clause)))


def listed(world: World, who: Caller) -> set[uuid.UUID]:
    """The cases in the caller's lists, the same by the list's rule, by the one-case rule and by
    the query that finds a case its reader names."""
    listed = found(world, access.visible_cases(world.session, who))
    assert found(world, access.visible_cases(world.session, who, one_case=True)) == listed
    assert readable(world, who, break_glass=False) == listed
    return listed


def readable(world: World, who: Caller, *, break_glass: bool = True) -> set[uuid.UUID]:
    """The cases the caller may read by naming them, by id and the same by reference; with
    `break_glass`, a live grant of theirs counts too."""
    readable = set()
    for case_id, reference in world.session.execute(select(Case.id, Case.reference)):
        by_id, by_reference = (
            world.session.execute(
                access.case_lookup(world.session, who, by_reference=named, break_glass=break_glass),
                access.lookup_parameters(who, key),
            ).first()
            is not None
            for named, key in ((False, case_id), (True, reference))
        )
        assert by_id == by_reference
        if by_id:
            readable.add(case_id)
    return readable


DONE = {"dna": "confirmed", "birth": "registered"}
AT_COURT = {"dna": "requested", "birth": "registered"}
AT_LAB = {"dna": "authorized", "birth": "registered"}


# --- who the caller is -----------------------------------------------------------------------


def test_a_user_is_seen_by_role_agency_and_agency_kind(world: World) -> None:
    user, judge = caller(world, Role.OFFICIAL, COURT)
    assert judge == Caller(
        id=user.id, role=Role.OFFICIAL, agency_id=user.agency_id, agency_kind=COURT
    )
    g.user = user
    assert access.current_caller() == judge


# --- the facts of one case ----------------------------------------------------------------------


def test_the_facts_name_the_lawyers_the_agencies_waited_on_and_those_that_acted(world, v1):
    lawyer, _ = caller(world, Role.LAWYER, AgencyKind.NGO)
    judge, _ = caller(world, Role.OFFICIAL, COURT)
    lab, _ = caller(world, Role.OFFICIAL, LAB)
    case = world.case(v1, {"dna": "authorized", "birth": "requested"}, lawyers=(lawyer,))
    world.handled(case, judge)
    world.handled(case, judge)
    world.route(case, judge.agency)
    world.route(case, lab.agency)
    facts = access.case_facts(world.session, case)
    assert facts.assigned == {lawyer.id}
    assert facts.waiting_on == {LAB, REGISTRY}
    assert facts.handled_by == {judge.agency_id}
    assert sorted(facts.routes) == sorted([(COURT, judge.agency_id), (LAB, lab.agency_id)])


def test_the_facts_of_a_case_are_its_own_and_name_each_step_taken_by_track(world, v1):
    ours, _ = caller(world, Role.LAWYER, AgencyKind.NGO)
    theirs, _ = caller(world, Role.LAWYER, AgencyKind.NGO)
    judge, _ = caller(world, Role.OFFICIAL, COURT)
    registrar, _ = caller(world, Role.OFFICIAL, REGISTRY)
    case = world.case(v1, AT_LAB, lawyers=(ours,))
    other = world.case(v1, AT_LAB, lawyers=(theirs,))
    world.handled(case, judge)
    world.handled(other, registrar, "birth.register")
    world.route(other, registrar.agency)
    world.grant(other, judge)
    facts = access.case_facts(world.session, case)
    assert facts.assigned == {ours.id}
    assert facts.steps_taken == {("dna", judge.agency_id)}
    assert (facts.handled_by, facts.routes, facts.break_glass) == ({judge.agency_id}, (), set())


def test_a_case_that_is_not_open_waits_on_nobody(world, v1) -> None:
    case = world.case(v1, AT_COURT, status=CaseStatus.CLOSED)
    assert access.case_facts(world.session, case).waiting_on == frozenset()


def test_a_state_where_a_lawyer_can_act_waits_on_no_agency(world, v1) -> None:
    case = world.case(v1, {"dna": "confirmed", "birth": "registered"})
    assert access.case_facts(world.session, case).waiting_on == frozenset()


def test_a_track_the_definition_no_longer_has_is_ignored(world, v1) -> None:
    case = world.case(v1, AT_COURT)
    case.tracks.append(TrackState(track="retired", state="requested"))
    world.session.flush()
    assert access.case_facts(world.session, case).waiting_on == {COURT}


def test_only_live_break_glass_grants_are_facts(world, v1) -> None:
    live, _ = caller(world, Role.OFFICIAL, LAB)
    lapsed, _ = caller(world, Role.OFFICIAL, LAB)
    case = world.case(v1, DONE)
    other = world.case(v1, DONE)
    world.grant(case, live, minutes=30)
    world.grant(case, lapsed, minutes=-1)
    world.grant(other, lapsed, minutes=30)
    assert access.case_facts(world.session, case).break_glass == {live.id}


# --- lists and reads ----------------------------------------------------------------------------


def test_a_lawyer_lists_the_cases_assigned_to_them_and_no_other(world, v1) -> None:
    lawyer, me = caller(world, Role.LAWYER, AgencyKind.NGO)
    colleague = world.user(Role.LAWYER, lawyer.agency)
    mine = world.case(v1, AT_COURT, lawyers=(lawyer, colleague))
    world.case(v1, AT_COURT, lawyers=(colleague,))
    assert listed(world, me) == {mine.id}


def test_an_official_lists_what_waits_on_their_kind_of_agency(world, v1) -> None:
    _, judge = caller(world, Role.OFFICIAL, COURT)
    _, lab = caller(world, Role.OFFICIAL, LAB)
    at_court, at_lab = world.case(v1, AT_COURT), world.case(v1, AT_LAB)
    world.case(v1, DONE)
    assert listed(world, judge) == {at_court.id}
    assert listed(world, lab) == {at_lab.id}


def test_once_one_court_takes_a_case_the_other_courts_lose_it(world, v1) -> None:
    ours, judge = caller(world, Role.OFFICIAL, COURT)
    _, other_judge = caller(world, Role.OFFICIAL, COURT)
    lab, _ = caller(world, Role.OFFICIAL, LAB)
    case = world.case(v1, AT_COURT)
    world.route(case, lab.agency)  # a lab taking it changes nothing for courts
    assert listed(world, judge) == listed(world, other_judge) == {case.id}
    world.route(case, ours.agency)
    assert listed(world, judge) == {case.id}
    assert listed(world, other_judge) == set()


def test_an_agency_that_acted_on_a_case_keeps_it_when_it_waits_on_others(world, v1) -> None:
    judge_user, judge = caller(world, Role.OFFICIAL, COURT)
    _, other_judge = caller(world, Role.OFFICIAL, COURT)
    case = world.case(v1, DONE, status=CaseStatus.COMPLETE)
    world.handled(case, judge_user)
    assert listed(world, judge) == {case.id}
    assert listed(world, other_judge) == set()


def test_a_state_is_matched_within_its_own_track(world, v1) -> None:
    _, judge = caller(world, Role.OFFICIAL, COURT)
    _, registrar = caller(world, Role.OFFICIAL, REGISTRY)
    at_registry = world.case(v1, {"dna": "confirmed", "birth": "requested"})
    assert listed(world, judge) == set()
    assert listed(world, registrar) == {at_registry.id}


def test_a_closed_case_is_in_no_queue(world, v1) -> None:
    _, judge = caller(world, Role.OFFICIAL, COURT)
    world.case(v1, AT_COURT, status=CaseStatus.CLOSED)
    assert listed(world, judge) == set()


def with_amendment(version: int) -> dict[str, Any]:
    """The definition with an amendment of the registered birth, as the default one has it: a
    state standing in for `registered`, left by the registry's decision on the amendment."""
    body = definition(version, LAB)
    birth = body["tracks"][1]
    birth["states"].append({"name": "amendment_filed", "counts_as": "registered"})
    birth["transitions"] += [
        {
            "action": "file_amendment",
            "from": ["registered"],
            "to": "amendment_filed",
            "performed_by": [{"role": "lawyer", "agency_kind": "ngo"}],
        },
        {
            "action": "approve_amendment",
            "from": ["amendment_filed"],
            "to": "registered",
            "performed_by": official(REGISTRY),
            "particulars": "apply",
        },
        {  # a step a complete case no longer takes: it waits on no court for it
            "action": "note_ruling",
            "from": ["amendment_filed"],
            "to": "amendment_filed",
            "performed_by": official(COURT),
        },
    ]
    return body


def test_a_complete_case_waits_on_registries_only_while_its_papers_are_amended(world) -> None:
    workflow = world.workflow(with_amendment(1))
    _, registrar = caller(world, Role.OFFICIAL, REGISTRY)
    _, judge = caller(world, Role.OFFICIAL, COURT)
    filed = {**DONE, "birth": "amendment_filed"}
    amended = world.case(workflow, filed, status=CaseStatus.COMPLETE)
    world.case(workflow, DONE, status=CaseStatus.COMPLETE)
    world.case(workflow, filed, status=CaseStatus.CLOSED)

    assert listed(world, registrar) == {amended.id}
    assert listed(world, judge) == set()
    assert found(world, access.waiting_on(world.session, REGISTRY)) == {amended.id}
    assert access.case_facts(world.session, amended).waiting_on == {REGISTRY}


def test_each_version_of_a_workflow_says_whom_its_states_wait_on(world, v1) -> None:
    v2 = world.workflow(definition(2, REGISTRY))
    _, lab = caller(world, Role.OFFICIAL, LAB)
    _, registrar = caller(world, Role.OFFICIAL, REGISTRY)
    old, new = world.case(v1, AT_LAB), world.case(v2, AT_LAB)
    assert listed(world, lab) == {old.id}
    assert listed(world, registrar) == {new.id}


def test_a_lookup_built_before_a_new_version_reads_the_new_version_s_cases(world, v1) -> None:
    """An official's lookup is kept for the workflows stored when it was built; one stored
    since (a country's new version) makes a new one, whose states wait on others."""
    _, registrar = caller(world, Role.OFFICIAL, REGISTRY)
    old = world.case(v1, AT_LAB)
    assert readable(world, registrar) == set()
    v2 = world.workflow(definition(2, REGISTRY))
    new = world.case(v2, AT_LAB)
    assert readable(world, registrar) == {new.id}
    assert old.id not in readable(world, registrar)


def test_a_kind_of_agency_no_step_waits_on_sees_nothing(world, v1) -> None:
    _, ombudsman = caller(world, Role.OFFICIAL, AgencyKind.OMBUDSMAN)
    world.case(v1, AT_COURT)
    assert listed(world, ombudsman) == set()
    assert found(world, access.waiting_on(world.session, AgencyKind.OMBUDSMAN)) == set()


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMIN])
def test_auditors_and_admins_list_and_read_no_case(world, v1, role: Role) -> None:
    user, someone = caller(world, role, COURT)
    case = world.case(v1, AT_COURT)
    world.handled(case, user)
    world.grant(case, user)
    assert listed(world, someone) == set()


def test_a_purged_case_is_seen_by_nobody(world, v1) -> None:
    lawyer, me = caller(world, Role.LAWYER, AgencyKind.NGO)
    case = world.case(v1, AT_COURT, lawyers=(lawyer,))
    world.grant(case, lawyer)
    case.purged_at = utcnow()
    world.session.flush()
    assert listed(world, me) == set()
    assert readable(world, me) == set()


def test_a_live_grant_opens_one_case_to_read_but_puts_it_in_no_list(world, v1) -> None:
    holder, reader = caller(world, Role.OFFICIAL, LAB)
    lapsed, late_reader = caller(world, Role.OFFICIAL, LAB)
    _, bystander = caller(world, Role.OFFICIAL, LAB)
    case = world.case(v1, DONE)
    world.grant(case, holder)
    world.grant(case, lapsed, minutes=-1)
    assert readable(world, reader) == {case.id}
    assert listed(world, reader) == set()
    assert readable(world, late_reader) == set()
    assert readable(world, bystander) == set()


def test_a_grant_ends_at_its_expiry_time(world, v1, monkeypatch) -> None:
    holder, reader = caller(world, Role.OFFICIAL, LAB)
    case = world.case(v1, DONE)
    world.grant(case, holder, minutes=0)
    expiry = world.session.scalars(select(BreakGlassGrant.expires_at)).one()
    monkeypatch.setattr(access, "utcnow", lambda: expiry)
    assert access.case_facts(world.session, case).break_glass == frozenset()
    assert readable(world, reader) == set()


def test_a_case_the_caller_needs_to_know_is_readable_without_a_grant(world, v1) -> None:
    lawyer, me = caller(world, Role.LAWYER, AgencyKind.NGO)
    _, judge = caller(world, Role.OFFICIAL, COURT)
    case = world.case(v1, AT_COURT, lawyers=(lawyer,))
    assert readable(world, me) == {case.id}
    assert readable(world, judge) == {case.id}


def test_a_lawyer_in_another_ngo_than_the_case_is_seen_by_neither_rule(world, v1) -> None:
    """An assignment that outlived its lawyer's move: the SQL rules and the predicate agree that
    it opens nothing, while the colleague who stayed still sees the case."""
    moved, _ = caller(world, Role.LAWYER, AgencyKind.NGO)
    stayed = world.user(Role.LAWYER, moved.agency)
    case = world.case(v1, AT_COURT, lawyers=(stayed, moved))
    moved.agency = world.agency(AgencyKind.NGO)  # behind the operations' back
    world.session.flush()
    facts = access.case_facts(world.session, case)
    for user, sees in ((moved, False), (stayed, True)):
        who = access.caller_of(user)
        assert (listed(world, who) == {case.id}) is sees
        assert (readable(world, who) == {case.id}) is sees
        assert permissions.needs_to_know(who, facts) is sees
