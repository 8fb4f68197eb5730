"""Families: siblings' cases and the relatives they share."""

from __future__ import annotations

from flask import Response, jsonify
from flask_openapi3 import APIBlueprint, Tag

from workflow.access import current_caller
from workflow.api.answers import FamilyOut
from workflow.api.bearer import require_user
from workflow.present import family_view
from workflow.schemas import FamilyPath
from workflow.services.families import visible_family

TAG = Tag(name="families", description="Siblings' cases and the relatives they share")
blueprint = APIBlueprint(
    "families",
    __name__,
    url_prefix="/api/v1/families",
    abp_security=[{"bearer": []}],
    abp_tags=[TAG],
)
blueprint.before_request(require_user)


@blueprint.get("/<family_id>", responses={200: FamilyOut})
def get_family(path: FamilyPath) -> Response:
    """A family: its cases the caller may see, and the relatives they share, as the caller may
    see them; a family none of whose cases the caller may see is missing (404)."""
    family_id, cases, relatives = visible_family(path.family_id)
    return jsonify(family_view(family_id, cases, relatives, current_caller()))
