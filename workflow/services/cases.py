"""Cases: find one the caller may see, open one, change one at the version its user saw, and
list them, each noting the trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from sqlalchemy.orm import Session

from audit import recorder as audit
from workflow import assignments, operations, transactions
from workflow.access import current_caller
from workflow.break_glass import latest_grant
from workflow.errors import StaleVersion
from workflow.models import Case
from workflow.permissions import Caller, CaseFacts, opened_by_break_glass
from workflow.queries import CasePage, list_cases
from workflow.rules import catalogue
from workflow.schemas import CaseIn, CaseListQuery
from workflow.services.duplicates import check_new_child

Command = TypeVar("Command")
# An operation that changes a found case: operations.perform_transition, close_case, …
Change = Callable[[Session, Caller, Case, CaseFacts, Command], object]


def find_visible_case(
    session: Session, caller: Caller, case_id: str, *, break_glass: bool = False
) -> tuple[Case, CaseFacts]:
    """The case the caller names, if they may see it; the trail records which case it was,
    and the break-glass grant it was reached through, if any."""
    case, facts = operations.find_case(session, caller, case_id, break_glass=break_glass)
    audit.note(case=case)
    if opened_by_break_glass(caller, facts):
        grant = latest_grant(session, caller, case)
        audit.note(detail={"break_glass": str(grant.id) if grant else None})
    return case, facts


def open_new_case(command: CaseIn) -> Case:
    """Open the case on the newest version of the configured workflow, unless the child may
    already have a case and the caller has not confirmed that it is another child; opened as a
    sibling's (`command.family_of`, relatives given by `person_id`), it joins her family and
    shares them. The trail notes the family joined and the people shared, by id."""
    session = transactions.session()
    record = catalogue.latest(session, current_app.config["WORKFLOW"])
    if record is None:
        raise RuntimeError("no workflow is loaded: run `homeward db upgrade`")
    caller = current_caller()
    check_new_child(session, caller, command.child, command.confirm_distinct)
    case = operations.open_case(session, caller, command, record.id)
    audit.note(case=case)
    if case.family_id is not None:
        audit.add_detail(**family_detail(case, command))
    return case


def family_detail(case: Case, command: CaseIn) -> dict[str, object]:
    """What joining a family did, for the trail: ids only, never a name."""
    return {
        "family": str(case.family_id),
        "family_of": str(command.family_of),
        "shared_people": [str(person.person_id) for _index, person in command.shared_people],
    }


def change_case(
    case_id: str, seen_version: Callable[[], int | None], change: Change[Command], command: Command
) -> Case:
    """Find the case, insist on the version the caller saw, and apply the change. The version
    is asked for only once the case is found: a case the caller may not see is missing, whatever
    else is wrong with the request."""
    session, caller = transactions.session(), current_caller()
    case, facts = find_visible_case(session, caller, case_id)
    require_version(seen_version(), case.version)
    change(session, caller, case, facts, command)
    return case


def unassign(case_id: str, username: str) -> Case:
    """Take a lawyer off a case the caller works; the trail names whom."""
    session, caller = transactions.session(), current_caller()
    case, facts = find_visible_case(session, caller, case_id)
    assignments.unassign_lawyer(session, caller, case, facts, username)
    audit.note(detail={"unassigned": username, "lawyers_left": len(case.assignments)})
    return case


def visible_cases(query: CaseListQuery) -> CasePage:
    """The cases the caller may see, filtered and paged, noted in the trail."""
    page = list_cases(transactions.session(), current_caller(), query)
    note_case_list(query, page.cases, page.total)
    return page


def note_case_list(query: CaseListQuery, cases: list[Case], total: int) -> None:
    """Keep which cases a list showed and which filters it used; never a searched name."""
    audit.note(
        detail={
            "returned": [case.reference for case in cases],
            "total": total,
            "filters": audit.named_filters(query),
        }
    )


def require_version(seen: int | None, current: int) -> None:
    """Insist that the caller saw the version the case is at now (None: no version at all)."""
    if seen != current:
        raise StaleVersion(
            "Someone else changed this case first; reload it and try again.",
            {"current_version": current},
        )
