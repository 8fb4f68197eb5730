"""Break-glass over HTTP: open a case outside need-to-know, stating why."""

from __future__ import annotations

from typing import Annotated

from flask import Response, current_app, jsonify, request
from flask_openapi3 import APIBlueprint
from pydantic import AfterValidator, Field

from audit import recorder as audit
from workflow import transactions
from workflow.access import current_caller
from workflow.api import cases
from workflow.api.answers import GrantOut
from workflow.api.bearer import require_user
from workflow.api.guards import check_json_body
from workflow.break_glass import break_glass
from workflow.identity.current import current_user
from workflow.schemas import CasePath, Input, SecondFactorCode
from workflow.services.second_factor import confirm_step_up
from workflow.text import clean_paragraph

SHORTEST_REASON = 20

blueprint = APIBlueprint(
    "break_glass",
    __name__,
    url_prefix="/api/v1/cases",
    abp_security=[{"bearer": []}],
    abp_tags=[cases.TAG],  # a grant is part of working with cases
)
blueprint.before_request(require_user)
blueprint.before_request(check_json_body)


def _long_enough(reason: str) -> str:
    if len(reason) < SHORTEST_REASON:
        raise ValueError(f"a reason needs at least {SHORTEST_REASON} characters")
    return reason


class BreakGlassIn(Input):
    reason: Annotated[
        str,
        Field(min_length=SHORTEST_REASON, max_length=2000),
        AfterValidator(clean_paragraph),
        AfterValidator(_long_enough),  # counted again once the surrounding spaces are gone
    ]
    totp: SecondFactorCode | None = Field(
        None, description="a fresh code, required when the caller has a second factor"
    )


@blueprint.post("/<case_id>/break-glass", responses={201: GrantOut})
def post_break_glass(path: CasePath, body: BreakGlassIn) -> tuple[Response, int]:
    """Read a case outside need-to-know for a short time; the auditors review every such read.
    A caller with a second factor sends a fresh code with the request."""
    db = transactions.session()
    confirm_step_up(db, current_user(), body.totp, request.remote_addr)
    minutes = int(current_app.config["BREAK_GLASS_MINUTES"])
    case, grant = break_glass(db, current_caller(), path.case_id, body.reason, minutes)
    expires_at = grant.expires_at.isoformat().replace("+00:00", "Z")
    # The reason is personal data: it is kept sealed with the grant, never in the trail.
    audit.note(case=case, detail={"break_glass": str(grant.id), "expires_at": expires_at})
    body_out = {"case_id": str(case.id), "reference": case.reference, "expires_at": expires_at}
    return jsonify(body_out), 201
