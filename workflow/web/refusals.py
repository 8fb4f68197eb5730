"""Refusals in the user's language: what went wrong, by the error's stable code, and for a step
that is waiting on something, what exactly it waits on. The API's English message is the
fallback, for a code this table does not know yet."""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template
from flask_babel import get_locale, lazy_gettext, ngettext
from flask_babel import gettext as _

from forms.catalogue import REFERENCE_LANGUAGE
from workflow.errors import HomewardError, NotPermitted, TooManyAttempts
from workflow.http import trail
from workflow.http.headers import PAGE_POLICY
from workflow.web.labels import label

REFUSALS = {
    "not_permitted": lazy_gettext("You may not do this."),
    "not_found": lazy_gettext("There is no such page, or you may not see it."),
    "wrong_state": lazy_gettext("This step cannot be taken from the state the case is in now."),
    "prerequisite_missing": lazy_gettext("This step is waiting on something first:"),
    "stale_version": lazy_gettext("Someone else changed this case first; nothing was saved."),
    "conflict": lazy_gettext("That clashes with what is already recorded."),
    "too_large": lazy_gettext("The file is too large: a document may be up to 20 MB."),
    "unsupported_media_type": lazy_gettext("Upload a PDF, JPEG, PNG or TIFF file."),
    "invalid_input": lazy_gettext("Some fields need attention; see the messages beside them."),
    "second_factor_required": lazy_gettext("Enter the code from your authenticator app."),
    "second_factor_enrolment_required": lazy_gettext("Set up a second factor first."),
    "second_factor_exists": lazy_gettext("Your account has a second factor already."),
    "method_not_allowed": lazy_gettext("There is no such page, or you may not see it."),
    "internal_error": lazy_gettext("Something went wrong; nothing was saved."),
    "timestamp_unavailable": lazy_gettext(
        "The timestamp service did not answer, so no form was issued; try again later."
    ),
    "integrity_failure": lazy_gettext(
        "Stored data failed its integrity check, so it is not shown; the operators are told."
    ),
}


def insist(allowed: bool, message: str) -> None:
    """Refuse with 403 and this message, already in the reader's language, unless allowed."""
    if not allowed:
        refusal = NotPermitted(message)
        refusal.localized = True
        raise refusal


def refusal_message(error: HomewardError) -> str:
    """The refusal in the page's language: the message itself when it is already in it (a
    page's own, or any in English), else the wording for its code."""
    if error.localized or str(get_locale() or REFERENCE_LANGUAGE) == REFERENCE_LANGUAGE:
        return error.message
    known = REFUSALS.get(error.code)
    return str(known) if known is not None else error.message


def wait_message(refusal: TooManyAttempts) -> str:
    """How long to wait after too many failed sign-ins, in whole minutes."""
    minutes = max(1, -(-int(refusal.details["retry_after"]) // 60))
    return str(
        ngettext(
            "Too many failed sign-ins. Wait %(num)d minute, then try again.",
            "Too many failed sign-ins. Wait %(num)d minutes, then try again.",
            minutes,
        )
    )


def missing_items(error: HomewardError) -> list[str]:
    """What a step waits on, each as a sentence: a track's state, a document, a consent."""
    if not isinstance(error.details, dict):
        return []
    return [_item(item) for item in error.details.get("missing", [])]


def _item(item: dict[str, Any]) -> str:
    if "track" in item:
        states = str(_(" or ")).join(label("state", state) for state in item.get("in", []))
        text = _(
            "%(track)s must be %(states)s.", track=label("track", item["track"]), states=states
        )
    elif "any_of" in item:
        text = _("one of: %(items)s", items="; ".join(_item(each) for each in item["any_of"]))
    elif "evidence" in item:
        text = _("Attach a document: %(kind)s.", kind=label("evidence", item["evidence"]))
    elif "consent" in item and item.get("of"):
        text = _(
            "Record the consent of the %(person)s to %(purpose)s.",
            person=label("field", item["of"]).lower(),
            purpose=label("purpose", item["consent"]).lower(),
        )
    elif "consent" in item:
        text = _("Record a consent to %(purpose)s.", purpose=label("purpose", item["consent"]))
    elif "particulars" in item:
        fields = ", ".join(label("field", name.split(".")[1]) for name in item["particulars"])
        text = _("Complete the child's particulars: %(fields)s.", fields=fields.lower())
    else:
        text = str(item)
    return str(text)


def drawn_again(page: str, refusal: HomewardError) -> tuple[str, int]:
    """A page drawn again after a refusal (a form with its problems beside its fields),
    answered with the refusal's status; the trail records its code."""
    trail.answered_with(refusal.code)
    return page, refusal.status


def error_page(error: HomewardError) -> Response:
    """The HTML page for a refusal or a failure; never the submitted data, never a trace."""
    trail.answered_with(error.code)
    message = refusal_message(error)
    page = render_template(
        "error.html", message=message, title=message, missing=missing_items(error)
    )
    response = make_response(page, error.status)
    response.headers.update(error.headers)
    # Set here too: a page made after the blueprint's own hooks ran (at commit) needs them.
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    response.headers["Cache-Control"] = "no-store"
    return response
