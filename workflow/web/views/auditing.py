"""The auditor's pages: the access log, one case's accesses, the export, the chain's checks.

They stand for the auditor's API calls and leave the same events: the same filters, the same
queries, the same verification and checkpoints (`workflow/services/auditing.py`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar

from flask import Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from audit import checkpoints, queries
from audit.actions import ACTIONS
from audit.schemas import CasePath, EventFilter, ExportQuery
from audit.signing import public_text
from workflow import transactions
from workflow.access import current_caller
from workflow.errors import HomewardError, InvalidInput, field_errors, invalid
from workflow.http.downloads import trail_export
from workflow.permissions import can_read_trail
from workflow.references import looks_like_reference
from workflow.services import auditing
from workflow.web import inputs, names
from workflow.web.blueprint import web
from workflow.web.chrome import notify
from workflow.web.refusals import drawn_again, insist

Query = TypeVar("Query", bound=EventFilter)
FILTERS = ("actor", "case", "action", "outcome", "since", "until")
# What a filter value may be echoed back as, in its own field; longer is refused anyway.
SHOWN_LENGTH = 200


def auditors_only() -> None:
    """Refuse anyone but an auditor, as the auditor's API does."""
    insist(can_read_trail(current_caller()), _("The audit trail is for auditors."))


@web.get("/audit")
def access_log() -> str | tuple[str, int]:
    """The trail's events matching the filters, newest first, one page before the cursor."""
    auditors_only()
    try:
        query = _event_filter(EventFilter, request.args)
    except ValidationError as error:
        return _refused_filters(error)
    events, next_cursor = auditing.events_page(query, newest_first=True)
    return render_template(
        "audit_log.html",
        title=_("Access log"),
        values=_shown(request.args),
        errors={},
        events=[queries.event_json(event) for event in events],
        next_cursor=next_cursor,
        filters=_given_args(request.args),
        choices=_choices(),
    )


@web.get("/audit/export")
def export_events() -> Response | tuple[str, int]:
    """The filtered events as a CSV or JSON Lines download, as the API exports them."""
    auditors_only()
    try:
        query = _event_filter(ExportQuery, request.args, format=request.args.get("format"))
    except ValidationError as error:
        return _refused_filters(error)
    return trail_export(*auditing.export(query))


@web.get("/audit/cases/<case_id>")
def case_accesses(case_id: str) -> str | tuple[str, int]:
    """Who saw or changed one case, and whether they were allowed, oldest first."""
    auditors_only()
    try:
        case = CasePath(case=case_id).case
    except ValidationError:
        message = _("That is not a case id or a case reference.")
        page = render_template("error.html", title=_("Case accesses"), message=message)
        return drawn_again(page, InvalidInput(message))
    events, more = auditing.case_accesses(case)
    rows = [queries.event_json(event) for event in events]
    reference = next((row["case_reference"] for row in rows if row["case_reference"]), case)
    return render_template(
        "audit_case.html",
        title=_("Accesses to case %(reference)s", reference=reference),
        case=case,
        events=rows,
        refused=sum(1 for row in rows if row["outcome"] in queries.DENIED),
        more=more is not None,
    )


@web.get("/audit/chain")
def chain() -> str:
    """Whether the chain is intact and matches every checkpoint, and the checkpoints made."""
    auditors_only()
    session = transactions.session()
    result = auditing.verify_now()
    broken = result["first_broken"]
    return render_template(
        "audit_chain.html",
        title=_("Chain and checkpoints"),
        result=result,
        why=break_reason(broken["problem"]) if broken else None,
        checkpoints=list(reversed(checkpoints.stored(session))),
        public_key=public_text(checkpoints.signing_key().public_key()),
    )


@web.post("/audit/checkpoints")
def make_checkpoint() -> ResponseReturnValue:
    """Sign the chain's head now, as the API does; the auditor keeps a copy outside."""
    auditors_only()
    made = checkpoints.create(transactions.session(), checkpoints.signing_key())
    notify(
        _(
            "Checkpoint made at event %(seq)d. Keep a copy of it outside Homeward.",
            seq=made["seq"],
        )
    )
    return redirect(url_for("web.chain"), 303)


def break_reason(problem: str) -> str:
    """Say in words why the chain stops being trustworthy at an event."""
    reasons = {
        "altered_event": _("The event was changed after it was written."),
        "broken_link": _(
            "The event does not link to the one before it: an event was changed, removed or "
            "added before it."
        ),
        "missing_or_reordered_event": _("An event is missing here, or events are out of order."),
        "missing_tail": _(
            "The newest events are missing: the chain ends before its recorded head."
        ),
        "missing_after_checkpoint": _("Events that a checkpoint covers are missing."),
        "does_not_match_checkpoint": _(
            "The events up to here no longer match the checkpoint signed for them."
        ),
        "checkpoint_signature_invalid": _(
            "A checkpoint's signature does not verify: it was forged or changed."
        ),
    }
    return str(reasons.get(problem, problem))


def _event_filter(model: type[Query], args: MultiDict[str, str], **fixed: Any) -> Query:
    """The filters from the query string; a day given as `until` includes that whole day."""
    given: dict[str, Any] = {name: inputs.text(args, name) for name in (*FILTERS, "cursor")}
    given["until"] = _day_after(given["until"])
    if given["case"] and looks_like_reference(given["case"].upper()):
        given["case"] = given["case"].upper()  # references are typed in any case
    given.update(fixed)
    return model.model_validate({k: v for k, v in given.items() if v is not None})


def _day_after(value: str | None) -> str | None:
    try:
        return (date.fromisoformat(value or "") + timedelta(days=1)).isoformat()
    except ValueError:
        return value  # a time, or nonsense: the filter's own check judges it


def _refused_filters(error: ValidationError) -> tuple[str, int]:
    """The access log again, with each refused filter's problem beside it and no events."""
    page = render_template(
        "audit_log.html",
        title=_("Access log"),
        values=_shown(request.args),
        errors=inputs.errors_by_field(_plain_problems(error)),
        events=[],
        next_cursor=None,
        filters={},
        choices=_choices(),
    )
    return drawn_again(page, invalid(error))


def _plain_problems(error: ValidationError) -> list[dict[str, Any]]:
    """The refusals, with the problems the form words itself rather than pydantic's English."""
    details = []
    for detail in field_errors(error):
        problem = detail["problem"]
        if problem == "string_pattern_mismatch":
            problem = "pattern"
            detail["message"] = _("Use only small letters, digits, dots and underscores.")
        elif detail["field"] == "cursor":
            problem, detail["message"] = "cursor", _("There is no such page. Start again.")
        details.append({**detail, "problem": problem})
    return details


def _shown(args: MultiDict[str, str]) -> dict[str, str]:
    return {name: args.get(name, "")[:SHOWN_LENGTH] for name in FILTERS}


def _given_args(args: MultiDict[str, str]) -> dict[str, str]:
    """The filters as typed, to carry into the next page and the export links."""
    return {name: value for name in FILTERS if (value := inputs.text(args, name))}


def _choices() -> dict[str, list[tuple[str, str]]]:
    """The action and outcome filters' choices in words, from the code: no scan of the trail."""
    actions = {*ACTIONS.values(), *names.ACTIONS}
    outcomes = {"success", *(kind.code for kind in HomewardError.__subclasses__())}
    return {
        "action": _named(actions, names.action_name),
        "outcome": _named(outcomes, names.outcome_name),
    }


def _named(codes: set[str], name: Callable[[str], str]) -> list[tuple[str, str]]:
    return sorted(((code, name(code)) for code in codes), key=lambda choice: choice[1])
