"""External references: the ICRC, UNHCR, camp and repatriation-list identifiers of a case."""

from __future__ import annotations

from flask import Response, jsonify
from flask_openapi3 import APIBlueprint, Tag

from workflow.api.answers import ExternalReferenceOut, ExternalReferencesOut
from workflow.api.bearer import require_user
from workflow.api.guards import check_json_body
from workflow.present import external_reference_json
from workflow.schemas import CasePath, ReferenceIn, ReferencePath
from workflow.services import references

TAG = Tag(name="references", description="Identifiers other bodies gave the child")
blueprint = APIBlueprint(
    "references",
    __name__,
    url_prefix="/api/v1/cases",
    abp_security=[{"bearer": []}],
    abp_tags=[TAG],
)
blueprint.before_request(require_user)
blueprint.before_request(check_json_body)


@blueprint.post("/<case_id>/references", responses={201: ExternalReferenceOut})
def post_reference(path: CasePath, body: ReferenceIn) -> tuple[Response, int]:
    """Record an identifier the child is known by elsewhere: its issuer and its value."""
    return jsonify(external_reference_json(references.add(path.case_id, body))), 201


@blueprint.get("/<case_id>/references", responses={200: ExternalReferencesOut})
def get_references(path: CasePath) -> Response:
    """The case's external references; to the lawyers working it only (others: 403)."""
    shown = references.listed(path.case_id)
    return jsonify({"references": [external_reference_json(each) for each in shown]})


@blueprint.delete("/<case_id>/references/<reference_id>", responses={200: ExternalReferenceOut})
def delete_reference(path: ReferencePath) -> Response:
    """Remove an external reference from the case; one not on it is 404."""
    return jsonify(external_reference_json(references.remove(path.case_id, path.reference_id)))
