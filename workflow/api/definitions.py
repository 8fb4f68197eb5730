"""The workflow definition, for agencies' systems and for the UI."""

from __future__ import annotations

from typing import Annotated, Any

from flask import Response, current_app, jsonify
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from workflow import transactions
from workflow.api.answers import WorkflowOut
from workflow.api.bearer import require_user
from workflow.api.guards import check_json_body
from workflow.errors import NotFound
from workflow.models import WorkflowRecord
from workflow.rules import catalogue
from workflow.rules.definition import Condition, Definition, Requirement, Track
from workflow.rules.fields import data_schema

blueprint = APIBlueprint(
    "workflow",
    __name__,
    url_prefix="/api/v1",
    abp_security=[{"bearer": []}],
    abp_tags=[Tag(name="workflow", description="The workflow definition")],
)
blueprint.before_request(require_user)
blueprint.before_request(check_json_body)


class WorkflowQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,39}$")] | None = None
    version: Annotated[int, Field(ge=1, le=100000)] | None = None


@blueprint.get("/workflow", responses={200: WorkflowOut})
def get_workflow(query: WorkflowQuery) -> Response:
    """The definition new cases open on, or a named version that cases stand on."""
    session = transactions.session()
    record = (
        session.scalar(select(WorkflowRecord).filter_by(name=query.name, version=query.version))
        if query.name and query.version
        else catalogue.latest(session, query.name or current_app.config["WORKFLOW"])
    )
    if record is None:
        raise NotFound("There is no such workflow.")
    return jsonify(workflow_json(catalogue.definition_of(record)))


def workflow_json(definition: Definition) -> dict[str, Any]:
    return {
        "name": definition.name,
        "version": definition.version,
        "title": definition.title,
        "policy": definition.policy,
        "target_days": definition.target_days,
        "complete_when": _requirement(definition.complete_when),
        "tracks": [_track(track) for track in definition.tracks],
    }


def _track(track: Track) -> dict[str, Any]:
    return {
        "name": track.name,
        "title": track.title,
        "initial": track.initial,
        "states": [
            {
                "name": s.name,
                "final": s.final,
                "target_days": s.target_days,
                "counts_as": s.counts_as,
                "waiting_on": sorted(k.value for k in track.waiting_on(s.name)),
            }
            for s in track.states
        ],
        "transitions": [
            {
                "action": t.action,
                "from": t.from_,
                "to": t.to,
                "performed_by": [
                    {"role": p.role.value, "agency_kind": p.agency_kind.value}
                    for p in t.performed_by
                ],
                "data_schema": data_schema(t),
                "evidence_kinds": t.evidence_kinds,
                "evidence_translated_into": t.evidence_translated_into,
                "consents": t.consents,
                "consent_of": t.consent_of,
                "consent_when": t.consent_when.model_dump(mode="json") if t.consent_when else None,
                "one_of": t.one_of,
                "requires": _requirement(t.requires),
                "case_checks": t.case_checks,
                "leaves_final": t.leaves_final,
                "particulars": t.particulars,
                "threshold": t.threshold.model_dump(mode="json") if t.threshold else None,
                "keeps_sample": t.keeps_sample.model_dump(mode="json") if t.keeps_sample else None,
            }
            for t in track.transitions
        ],
    }


def _requirement(requirement: Requirement | None) -> Any:
    """Null, or nested all_of / any_of groups, as the contract shapes it."""
    if requirement is None:
        return None
    shown = requirement.model_dump(mode="json", by_alias=True)
    return {"all_of": [shown]} if isinstance(requirement, Condition) else shown
