"""Who may see and do what: pure predicates over a user and the facts of a case."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from workflow.rules.definition import Transition
from workflow.vocabulary import AgencyKind, Role


@dataclass(frozen=True)
class Caller:
    """The part of a user that permissions look at."""

    id: uuid.UUID
    role: Role
    agency_id: uuid.UUID
    agency_kind: AgencyKind


@dataclass(frozen=True)
class CaseFacts:
    """What need-to-know depends on: the NGO that holds the case and its lawyers assigned to it,
    who it waits on, who handled it and on which tracks; who holds a live break-glass grant."""

    agency: uuid.UUID | None = None
    assigned: frozenset[uuid.UUID] = frozenset()
    waiting_on: frozenset[AgencyKind] = frozenset()
    handled_by: frozenset[uuid.UUID] = field(default_factory=frozenset)
    steps_taken: frozenset[tuple[str, uuid.UUID]] = frozenset()  # (track, agency) of each step
    routes: tuple[tuple[AgencyKind, uuid.UUID], ...] = ()
    break_glass: frozenset[uuid.UUID] = frozenset()

    def routed_to(self, kind: AgencyKind) -> uuid.UUID | None:
        """The agency of this kind that took the case, if one has."""
        return next((agency for k, agency in self.routes if k is kind), None)

    def open_to(self, caller: Caller) -> bool:
        """No other agency of the caller's kind has taken the case."""
        return self.routed_to(caller.agency_kind) in (None, caller.agency_id)


def can_read_trail(caller: Caller) -> bool:
    """Query the audit trail, verify it and make checkpoints: auditors only."""
    return caller.role is Role.AUDITOR


def can_administer(caller: Caller) -> bool:
    """See and change accounts and agencies: administrators only."""
    return caller.role is Role.ADMIN


def can_see_dashboard(caller: Caller) -> bool:
    """See the lead agency's figures (counts and durations, no case): auditors and admins."""
    return caller.role in (Role.AUDITOR, Role.ADMIN)


def can_work_queue(caller: Caller) -> bool:
    """Work an agency's queue of steps: agency officials."""
    return caller.role is Role.OFFICIAL


def can_view_case(caller: Caller, facts: CaseFacts) -> bool:
    """Read the case and its history: by need-to-know, or by a live break-glass grant."""
    return needs_to_know(caller, facts) or opened_by_break_glass(caller, facts)


def opened_by_break_glass(caller: Caller, facts: CaseFacts) -> bool:
    """The caller sees the case only through a live break-glass grant of their own."""
    return (
        can_break_glass(caller)
        and caller.id in facts.break_glass
        and not needs_to_know(caller, facts)
    )


def can_break_glass(caller: Caller) -> bool:
    """NGO lawyers and agency officials may open a case outside need-to-know, giving a reason."""
    lawyer = caller.role is Role.LAWYER and caller.agency_kind is AgencyKind.NGO
    return lawyer or caller.role is Role.OFFICIAL


def needs_to_know(caller: Caller, facts: CaseFacts) -> bool:
    """Lawyers see the cases they work; officials what waits on or was handled by their agency.

    A step waits on every agency of its kind until one of them acts on the case and takes it.
    Everything but reading the case and its history rests on this, never on a break-glass grant.
    """
    if caller.role is Role.LAWYER:
        return works_case(caller, facts)
    if caller.role is Role.OFFICIAL:
        waits_on_us = caller.agency_kind in facts.waiting_on and facts.open_to(caller)
        return waits_on_us or caller.agency_id in facts.handled_by
    return False


def works_case(caller: Caller, facts: CaseFacts) -> bool:
    """A lawyer assigned to the case, while in the NGO that holds it: one who moved to another
    NGO takes none of the old one's cases along."""
    return caller.id in facts.assigned and caller.agency_id == facts.agency


def can_open_case(caller: Caller) -> bool:
    return caller.role is Role.LAWYER and caller.agency_kind is AgencyKind.NGO


def can_edit_case(caller: Caller, facts: CaseFacts) -> bool:
    """Particulars and assignments belong to the lawyers working the case."""
    return caller.role is Role.LAWYER and works_case(caller, facts)


def can_perform(caller: Caller, facts: CaseFacts, transition: Transition) -> bool:
    """The caller's role and agency kind are named by the transition, on a case they may see."""
    return performs(caller, transition) and may_act_on(caller, facts)


def performs(caller: Caller, transition: Transition) -> bool:
    """The transition names the caller's role and agency kind among its performers."""
    return any(
        performer.role is caller.role and performer.agency_kind is caller.agency_kind
        for performer in transition.performed_by
    )


def may_act_on(caller: Caller, facts: CaseFacts) -> bool:
    """The caller may take the steps that name them on this case: no other agency of their kind
    has taken it, and their work rests on it."""
    return facts.open_to(caller) and needs_to_know(caller, facts)


def can_attach_document(caller: Caller, facts: CaseFacts) -> bool:
    """Lawyers working the case, and officials of an agency that may see it (a lab its report)."""
    return caller.role in (Role.LAWYER, Role.OFFICIAL) and needs_to_know(caller, facts)


def can_read_document(
    caller: Caller,
    facts: CaseFacts,
    uploading_agency: uuid.UUID,
    evidence_for: frozenset[AgencyKind],
) -> bool:
    """Lawyers read the case's documents; an official, those their agency uploaded and those
    named as evidence for a step of a track that their kind of agency works on."""
    if not needs_to_know(caller, facts):
        return False
    if caller.role is Role.LAWYER:
        return True
    return uploading_agency == caller.agency_id or caller.agency_kind in evidence_for


def can_record_consent(caller: Caller, facts: CaseFacts) -> bool:
    """Consents are recorded and withdrawn by the lawyers working the case."""
    return can_edit_case(caller, facts)


def can_issue_form(caller: Caller, facts: CaseFacts) -> bool:
    """Forms are generated by the lawyers working the case, who file them with each agency."""
    return can_edit_case(caller, facts)
