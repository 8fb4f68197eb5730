"""Bulk intake: a lawyer sends an operation's CSV manifest, sees each row's problems and possible
duplicates, and opens every case at once."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_openapi3 import APIBlueprint, FileStorage, Tag

from workflow.access import current_caller
from workflow.api.bearer import require_user
from workflow.api.intake_answers import DryRunOut, TakenInOut
from workflow.errors import InvalidInput, UnsupportedMediaType
from workflow.identity.current import current_user
from workflow.intake.report import dry_run_json
from workflow.schemas import Input
from workflow.services import intake

TAG = Tag(name="intake", description="Bulk intake of an operation's manifest")
blueprint = APIBlueprint(
    "intake", __name__, url_prefix="/api/v1", abp_security=[{"bearer": []}], abp_tags=[TAG]
)
blueprint.before_request(require_user)


class ManifestForm(Input):
    """A multipart upload: the CSV manifest, UTF-8, one row per child (see docs/intake.md)."""

    file: FileStorage


class IntakeQuery(Input):
    commit: bool = False


@blueprint.before_request
def _multipart_only() -> None:
    if request.method == "POST" and request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("Send the manifest as multipart/form-data, in the field file.")


@blueprint.post("/intake", responses={200: DryRunOut, 201: TakenInOut})
def post_intake(query: IntakeQuery, form: ManifestForm) -> tuple[Response, int]:
    """Check a manifest (200: each row's problems and possible duplicates, nothing opened); with
    `?commit=true` open every row's case in one transaction (201), or none (422, per row)."""
    raw = _manifest(form)
    if not query.commit:
        return jsonify(dry_run_json(intake.dry_run(raw))), 200
    opened = intake.take_in(raw)
    me = current_user().username
    cases = [
        {"row": row.line, "id": str(case.id), "reference": case.reference, "assigned_to": me}
        for row, case in opened
    ]
    return jsonify({"cases": cases, "opened": len(cases)}), 201


def _manifest(form: ManifestForm) -> bytes:
    current_caller()  # signed in, before the file is read at all
    try:
        raw: bytes = form.file.read()
    finally:  # a large upload is spooled to a temporary file: closed as soon as it is read
        form.file.close()
    if not raw:
        raise InvalidInput("The manifest is empty.", [{"field": "file", "problem": "empty"}])
    return raw
