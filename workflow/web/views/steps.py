"""What a case page's forms do: take a step, record a consent, upload and download documents,
generate a form. Each failure shows the case page again, its errors beside the form that failed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from pydantic import ValidationError

from forms.sheet import form_languages
from workflow import operations, transactions
from workflow.access import current_caller
from workflow.errors import HomewardError, InvalidInput, invalid, stale
from workflow.evidence import consents
from workflow.http.downloads import attachment, issued_form
from workflow.http.headers import parse_version
from workflow.models import Case
from workflow.permissions import CaseFacts
from workflow.rules.catalogue import definition_of
from workflow.schemas import ConsentIn, DocumentForm, ReferenceIn, TransitionIn
from workflow.services import evidence, references
from workflow.services.cases import find_visible_case
from workflow.services.forms import issue_form
from workflow.web import chosen_language, inputs
from workflow.web.blueprint import web
from workflow.web.casepage import Attempt, render_case
from workflow.web.chrome import notify
from workflow.web.labels import label
from workflow.web.refusals import drawn_again, missing_items, refusal_message


@web.post("/cases/<id:case_id>/steps")
def take_step(case_id: str) -> ResponseReturnValue:
    """Take the step the form names, at the version of the case the page showed."""
    case, facts = find_visible_case(transactions.session(), current_caller(), case_id)
    form = request.form
    track, action = inputs.chosen(form, "track"), inputs.chosen(form, "action")
    failed = f"{track}-{action}"
    if parse_version(form.get("version", "")) != case.version:
        return _stale(case, facts, failed, parse_version(form.get("last_step", "")) or 0)
    definition = definition_of(case.workflow)
    found = definition.track(track)
    transition = found.transition(action) if found else None
    fields = transition.fields if transition else {}
    values: dict[str, Any] = dict(form.items())
    values["evidence_ids"] = form.getlist("evidence_ids")
    try:
        command = TransitionIn(
            track=track,
            action=action,
            data=inputs.step_data(form, fields),
            evidence_ids=form.getlist("evidence_ids")[:20],
            note=inputs.text(form, "note"),
        )
        operations.perform_transition(
            transactions.session(), current_caller(), case, facts, command
        )
    except (ValidationError, HomewardError) as error:
        return _refused(case, facts, failed, values, error)
    notify(
        _(
            "Step taken: %(track)s, %(step)s.",
            track=label("track", track),
            step=label("action", action),
        )
    )
    return redirect(url_for("web.case_page", case_id=case.id), 303)


@web.post("/cases/<id:case_id>/consents")
def record_consent(case_id: str) -> ResponseReturnValue:
    case, facts = find_visible_case(transactions.session(), current_caller(), case_id)
    form = request.form
    body = {
        "person_id": inputs.text(form, "person_id"),
        "purpose": inputs.text(form, "purpose"),
        "given_on": inputs.text(form, "given_on"),
        "document_id": inputs.text(form, "document_id"),
    }
    try:
        command = ConsentIn.model_validate(body)
        consents.record_consent(transactions.session(), current_caller(), case, facts, command)
    except (ValidationError, HomewardError) as error:
        return _refused(case, facts, "consent", form, error)
    notify(_("The consent is recorded."))
    return redirect(url_for("web.case_page", case_id=case.id), 303)


@web.post("/cases/<id:case_id>/references")
def add_reference(case_id: str) -> ResponseReturnValue:
    """Record an identifier the child is known by elsewhere: its issuer and its value."""
    case, facts = find_visible_case(transactions.session(), current_caller(), case_id)
    values = {
        "issuer": inputs.chosen(request.form, "issuer"),
        "value": inputs.text(request.form, "value"),
    }
    try:
        references.add(case_id, ReferenceIn.model_validate(values))
    except (ValidationError, HomewardError) as error:
        return _refused(case, facts, "reference", values, error)
    notify(_("The reference is recorded."))
    return redirect(url_for("web.case_page", case_id=case.id, _anchor="references"), 303)


@web.post("/cases/<id:case_id>/references/<reference_id>/remove")
def remove_reference(case_id: str, reference_id: str) -> ResponseReturnValue:
    """Remove one of the case's external references."""
    references.remove(case_id, reference_id)
    notify(_("The reference is removed."))
    return redirect(url_for("web.case_page", case_id=case_id, _anchor="references"), 303)


@web.post("/cases/<id:case_id>/documents")
def upload_document(case_id: str) -> ResponseReturnValue:
    """Attach a scan; its type is read from its bytes, never from its name."""
    case, facts = find_visible_case(transactions.session(), current_caller(), case_id)
    values = {
        "kind": inputs.chosen(request.form, "kind"),
        **inputs.foreign_particulars(request.form),
    }
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise InvalidInput("", [{"field": "file", "problem": "missing", "message": ""}])
        form = DocumentForm.model_validate({"file": upload, **values})
        evidence.attach(case, facts, form.kind, evidence.inspect_upload(form.file.read()), form)
    except (ValidationError, HomewardError) as error:
        return _refused(case, facts, "upload", values, error, field="file")
    notify(_("The document is uploaded."))
    return redirect(url_for("web.case_page", case_id=case.id), 303)


@web.get("/documents/<id:document_id>")
def download_document(document_id: str) -> ResponseReturnValue:
    return attachment(evidence.download(document_id))


@web.post("/cases/<id:case_id>/forms/<name:kind>")
def generate_form(case_id: str, kind: str) -> ResponseReturnValue:
    """Issue the form and hand the signed PDF to the browser as a download."""
    redacted = request.form.get("variant") == "redacted"
    return issued_form(*issue_form(case_id, kind, redacted, _form_languages()), 200)


def _form_languages() -> list[str]:
    """The page's language first, then the first other configured one: a registrar working in
    Kazakh prints Kazakh and Russian labels, as the country's papers are."""
    page = chosen_language()
    return [page, *[code for code in form_languages() if code != page][:1]]


def _refused(
    case: Case,
    facts: CaseFacts,
    form: str,
    values: Mapping[str, Any],
    refusal: HomewardError | ValidationError,
    field: str | None = None,
) -> tuple[str, int]:
    """The case page again, as it is now, with what went wrong beside the form that failed."""
    transactions.discard_failed_try()
    if isinstance(refusal, ValidationError):
        refusal = invalid(refusal)
    message = refusal_message(refusal)
    errors: dict[str, str] = {}
    if isinstance(refusal, InvalidInput) and isinstance(refusal.details, list):
        errors = inputs.at_step_fields(inputs.errors_by_field(refusal.details, fallback=message))
    elif field:
        errors = {field: message}
    problem = (
        str(_("Some fields need attention; see the messages beside them.")) if errors else message
    )
    attempt = Attempt(form, values, errors, problem, missing_items(refusal))
    return drawn_again(render_case(case, facts, attempt=attempt), refusal)


def _stale(case: Case, facts: CaseFacts, form: str, last_step: int) -> tuple[str, int]:
    page = render_case(case, facts, attempt=Attempt(form, stale_after=last_step))
    return drawn_again(page, stale())
