"""Cases: open, list, read, change particulars, take steps, history and assignments."""

from __future__ import annotations

from flask import Response, jsonify
from flask_openapi3 import APIBlueprint, Tag

from audit import recorder as audit
from workflow import assignments, operations, transactions
from workflow.access import case_facts, current_caller
from workflow.api.answers import AssignmentOut, CaseOut, CasePageOut, HistoryOut, OpeningRefused
from workflow.api.bearer import require_user
from workflow.api.guards import check_json_body, etag, seen_version
from workflow.api.openapi import changes_a_case
from workflow.models import Case
from workflow.permissions import CaseFacts
from workflow.present import case_history, case_json, case_summary
from workflow.schemas import (
    AssigneePath,
    AssignmentIn,
    CaseIn,
    CaseListQuery,
    CasePatch,
    CasePath,
    CloseIn,
    ReopenIn,
    TransitionIn,
)
from workflow.services.cases import (
    Change,
    Command,
    change_case,
    find_visible_case,
    open_new_case,
    unassign,
    visible_cases,
)

TAG = Tag(name="cases", description="Cases and their steps")
blueprint = APIBlueprint(
    "cases", __name__, url_prefix="/api/v1/cases", abp_security=[{"bearer": []}], abp_tags=[TAG]
)
blueprint.before_request(require_user)
blueprint.before_request(check_json_body)


@blueprint.post("", responses={201: CaseOut, 409: OpeningRefused})
def create_case(body: CaseIn) -> Response:
    """Open a case for a child; the calling lawyer is assigned to it. A child who may already
    have a case, under any spelling or script, is refused with 409 `possible_duplicate` naming
    the agency that holds it, until sent again with `confirm_distinct` true."""
    return _case_response(open_new_case(body), 201)


@blueprint.get("", responses={200: CasePageOut})
def get_cases(query: CaseListQuery) -> Response:
    """The cases the caller may see, filtered and paginated: `total` counts the matches up to
    1,000 (`total_exact` is false when there are more); `next_cursor`, given back as `cursor`,
    fetches the next page, or is null on the last."""
    page = visible_cases(query)
    return jsonify(
        {
            "cases": [case_summary(case) for case in page.cases],
            "total": page.total,
            "total_exact": page.total_exact,
            "page": query.page,
            "per_page": query.per_page,
            "next_cursor": page.next_cursor,
        }
    )


@blueprint.get("/<case_id>", responses={200: CaseOut})
def get_case(path: CasePath) -> Response:
    """One case, each track's state, and the steps the caller may take now."""
    session = transactions.session()
    case, facts = find_visible_case(session, current_caller(), path.case_id, break_glass=True)
    return _case_response(case, 200, facts)


@blueprint.patch("/<case_id>", responses=changes_a_case(CaseOut))
def patch_case(path: CasePath, body: CasePatch) -> Response:
    """Change the particulars of the child or the people, or those to be registered; needs
    If-Match."""
    if body.registered is not None:  # which of them were set, never their values
        audit.add_detail(registered_particulars=sorted(body.registered.model_fields_set))
    return _change(path, operations.update_particulars, body)


@blueprint.post("/<case_id>/transitions", responses=changes_a_case(CaseOut))
def post_transition(path: CasePath, body: TransitionIn) -> Response:
    """Take one step on one track; needs If-Match with the version last seen."""
    return _change(path, operations.perform_transition, body)


@blueprint.post("/<case_id>/close", responses=changes_a_case(CaseOut))
def post_close(path: CasePath, body: CloseIn) -> Response:
    """Close the case with a reason; needs If-Match."""
    return _change(path, operations.close_case, body)


@blueprint.post("/<case_id>/reopen", responses=changes_a_case(CaseOut))
def post_reopen(path: CasePath, body: ReopenIn) -> Response:
    """Reopen a closed case where it stood; needs If-Match."""
    return _change(path, operations.reopen_case, body)


@blueprint.get("/<case_id>/history", responses={200: HistoryOut})
def get_history(path: CasePath) -> Response:
    """Every step taken on the case: who, when, from, to, note."""
    session, caller = transactions.session(), current_caller()
    case, facts = find_visible_case(session, caller, path.case_id, break_glass=True)
    return jsonify({"history": case_history(session, case, caller, facts)})


@blueprint.post("/<case_id>/assignments", responses={201: AssignmentOut})
def post_assignment(path: CasePath, body: AssignmentIn) -> tuple[Response, int]:
    """Assign another lawyer of the caller's NGO to the case."""
    session, caller = transactions.session(), current_caller()
    case, facts = find_visible_case(session, caller, path.case_id)
    lawyer = assignments.assign_lawyer(session, caller, case, facts, body.username)
    return jsonify({"case_id": str(case.id), "username": lawyer.username}), 201


@blueprint.delete("/<case_id>/assignments/<username>", responses={200: AssignmentOut})
def delete_assignment(path: AssigneePath) -> Response:
    """Take a lawyer (a colleague or oneself) off the case; its last lawyer cannot be removed
    (409). A name that is not on the case is 404, whoever it names."""
    case = unassign(path.case_id, path.username)
    return jsonify({"case_id": str(case.id), "username": path.username})


def _change(path: CasePath, change: Change[Command], command: Command) -> Response:
    return _case_response(change_case(path.case_id, seen_version, change, command), 200)


def _case_response(case: Case, status: int, facts: CaseFacts | None = None) -> Response:
    facts = facts or case_facts(transactions.session(), case)
    response = jsonify(case_json(case, current_caller(), facts))
    response.status_code = status
    response.headers["ETag"] = etag(case.version)
    return response
