"""Cases: open, list, read, change particulars, take steps, history and assignments."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, jsonify
from flask_openapi3 import APIBlueprint, Tag
from sqlalchemy.orm import Session

from audit import recorder as audit
from workflow import db, operations
from workflow.access import case_facts, current_caller
from workflow.api.guards import check_json_body, etag, require_version
from workflow.break_glass import latest_grant
from workflow.identity.current import require_user
from workflow.models import Case
from workflow.permissions import Caller, CaseFacts, opened_by_break_glass
from workflow.present import case_history, case_json, case_summary
from workflow.queries import list_cases
from workflow.rules import catalogue
from workflow.schemas import (
    AssignmentIn,
    CaseIn,
    CaseListQuery,
    CasePatch,
    CasePath,
    CloseIn,
    ReopenIn,
    TransitionIn,
)

TAG = Tag(name="cases", description="Cases and their steps")
blueprint = APIBlueprint(
    "cases", __name__, url_prefix="/api/v1/cases", abp_security=[{"bearer": []}], abp_tags=[TAG]
)
blueprint.before_request(require_user)
blueprint.before_request(check_json_body)


@blueprint.post("", responses={201: None})
def create_case(body: CaseIn) -> Response:
    """Open a case for a child; the calling lawyer is assigned to it."""
    return _case_response(open_new_case(body), 201)


def open_new_case(command: CaseIn) -> Case:
    """Open the case on the newest version of the configured workflow; the web pages share this."""
    session = db.session()
    record = catalogue.latest(session, current_app.config["WORKFLOW"])
    if record is None:
        raise RuntimeError("no workflow is loaded: run `homeward db upgrade`")
    case = operations.open_case(session, current_caller(), command, record.id)
    audit.note(case=case)
    return case


@blueprint.get("")
def get_cases(query: CaseListQuery) -> Response:
    """The cases the caller may see, filtered and paginated."""
    cases, total = list_cases(db.session(), current_caller(), query)
    note_case_list(query, cases, total)
    return jsonify(
        {
            "cases": [case_summary(case) for case in cases],
            "total": total,
            "page": query.page,
            "per_page": query.per_page,
        }
    )


@blueprint.get("/<case_id>")
def get_case(path: CasePath) -> Response:
    """One case, each track's state, and the steps the caller may take now."""
    case, facts = find_visible_case(db.session(), current_caller(), path.case_id, break_glass=True)
    return _case_response(case, 200, facts)


@blueprint.patch("/<case_id>")
def patch_case(path: CasePath, body: CasePatch) -> Response:
    """Change the particulars of the child or the people; needs If-Match."""
    return _change(path, operations.update_particulars, body)


@blueprint.post("/<case_id>/transitions")
def post_transition(path: CasePath, body: TransitionIn) -> Response:
    """Take one step on one track; needs If-Match with the version last seen."""
    return _change(path, operations.perform_transition, body)


@blueprint.post("/<case_id>/close")
def post_close(path: CasePath, body: CloseIn) -> Response:
    """Close the case with a reason; needs If-Match."""
    return _change(path, operations.close_case, body)


@blueprint.post("/<case_id>/reopen")
def post_reopen(path: CasePath, body: ReopenIn) -> Response:
    """Reopen a closed case where it stood; needs If-Match."""
    return _change(path, operations.reopen_case, body)


@blueprint.get("/<case_id>/history")
def get_history(path: CasePath) -> Response:
    """Every step taken on the case: who, when, from, to, note."""
    session, caller = db.session(), current_caller()
    case, facts = find_visible_case(session, caller, path.case_id, break_glass=True)
    return jsonify({"history": case_history(session, case, caller, facts)})


@blueprint.post("/<case_id>/assignments", responses={201: None})
def post_assignment(path: CasePath, body: AssignmentIn) -> tuple[Response, int]:
    """Assign another lawyer of the caller's NGO to the case."""
    session, caller = db.session(), current_caller()
    case, facts = find_visible_case(session, caller, path.case_id)
    lawyer = operations.assign_lawyer(session, caller, case, facts, body.username)
    return jsonify({"case_id": str(case.id), "username": lawyer.username}), 201


def note_case_list(query: CaseListQuery, cases: list[Case], total: int) -> None:
    """Keep which cases a list showed and which filters it used; never a searched name."""
    given = sorted(
        name for name, value in query.model_dump(exclude_defaults=True).items() if value is not None
    )
    audit.note(
        detail={"returned": [case.reference for case in cases], "total": total, "filters": given}
    )


def find_visible_case(
    session: Session, caller: Caller, case_id: str, *, break_glass: bool = False
) -> tuple[Case, CaseFacts]:
    """The case the URL names, if the caller may see it; the trail records which case it was,
    and the break-glass grant it was reached through, if any."""
    case, facts = operations.find_case(session, caller, case_id, break_glass=break_glass)
    audit.note(case=case)
    if opened_by_break_glass(caller, facts):
        grant = latest_grant(session, caller, case)
        audit.note(detail={"break_glass": str(grant.id) if grant else None})
    return case, facts


def _change(path: CasePath, operation: Callable[..., object], command: object) -> Response:
    """Find the case, insist on the version the caller saw, apply the operation, show the case."""
    session, caller = db.session(), current_caller()
    case, facts = find_visible_case(session, caller, path.case_id)
    require_version(case.version)
    operation(session, caller, case, facts, command)
    return _case_response(case, 200)


def _case_response(case: Case, status: int, facts: CaseFacts | None = None) -> Response:
    facts = facts or case_facts(db.session(), case)
    response = jsonify(case_json(case, current_caller(), facts))
    response.status_code = status
    response.headers["ETag"] = etag(case.version)
    return response
