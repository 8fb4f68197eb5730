"""The lawyer's particulars pages: opening a case, and changing what it records of the child
and the relatives."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from workflow import operations, transactions
from workflow.access import current_caller
from workflow.errors import InvalidInput, PossibleDuplicate, stale
from workflow.models import Case
from workflow.permissions import CaseFacts, can_edit_case, can_open_case
from workflow.present import case_json
from workflow.schemas import CaseIn, CasePatch
from workflow.services.cases import find_visible_case, open_new_case
from workflow.vocabulary import DatePrecision, Relation, Script, Sex, Whereabouts
from workflow.web import inputs, particulars
from workflow.web.blueprint import web
from workflow.web.chrome import countries, notify
from workflow.web.labels import label
from workflow.web.refusals import drawn_again, insist

T = TypeVar("T")
NAME_PARTS_SHOWN = {
    "given": lazy_gettext("Given name"),
    "family": lazy_gettext("Family name"),
    "patronymic": lazy_gettext("Patronymic"),
}


class Refused(InvalidInput):
    """The form could not be used; each problem is named beside its field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("The form has problems.")
        self.errors = errors


@web.get("/cases/new")
def new_case() -> ResponseReturnValue:
    """Show the form for the child's and the relatives' particulars."""
    insist(can_open_case(current_caller()), _("Only lawyers open cases."))
    return _form_page({}, {})


@web.post("/cases/new")
def open_case() -> ResponseReturnValue:
    """Open a case with the child's and the relatives' particulars; a child who may already
    have a case only once the lawyer confirms it is another (the form is drawn again asking)."""
    insist(can_open_case(current_caller()), _("Only lawyers open cases."))
    confirmed = request.form.get("confirm_distinct") == "yes"
    try:
        case = _apply(
            request.form,
            particulars.NEW_RELATIVES,
            lambda body: open_new_case(
                CaseIn.model_validate(body | {"confirm_distinct": confirmed})
            ),
        )
    except Refused as refused:
        return drawn_again(_form_page(request.form, refused.errors), refused)
    except PossibleDuplicate as duplicate:
        page = _form_page(request.form, {}, duplicates=duplicate.details["matches"])
        return drawn_again(page, duplicate)
    notify(_("Case %(reference)s is open.", reference=case.reference))
    return redirect(url_for("web.case_page", case_id=case.id), 303)


@web.get("/cases/<id:case_id>/particulars")
def particulars_page(case_id: str) -> ResponseReturnValue:
    """Show the case's particulars in the form, for changing them."""
    case, facts = _editable_case(case_id)
    return _form_page(_recorded(case, facts), {}, case=case)


@web.post("/cases/<id:case_id>/particulars")
def change_particulars(case_id: str) -> ResponseReturnValue:
    """Change the particulars, at the version of the case the form was drawn from."""
    session, caller = transactions.session(), current_caller()
    case, facts = _editable_case(case_id)
    if request.form.get("version") != str(case.version):
        page = _form_page(_recorded(case, facts), {}, case=case, stale=True)
        return drawn_again(page, stale())
    try:
        _apply(
            request.form,
            len(case.relatives) + 1,
            lambda body: operations.update_particulars(
                session, caller, case, facts, CasePatch.model_validate(body)
            ),
        )
    except Refused as refused:
        transactions.discard_failed_try()
        return drawn_again(_form_page(request.form, refused.errors, case=case), refused)
    notify(_("The particulars are saved."))
    return redirect(url_for("web.case_page", case_id=case.id), 303)


def _editable_case(case_id: str) -> tuple[Case, CaseFacts]:
    case, facts = find_visible_case(transactions.session(), current_caller(), case_id)
    insist(can_edit_case(current_caller(), facts), _("Only the case's lawyers change it."))
    return case, facts


def _recorded(case: Case, facts: CaseFacts) -> dict[str, str]:
    shown = case_json(case, current_caller(), facts)
    return particulars.form_values(shown)


def _apply(form: MultiDict[str, str], slots: int, change: Callable[[dict[str, Any]], T]) -> T:
    """Read the form into the API's body and make the change, or raise Refused."""
    wrong = particulars.check_form(form, slots, {code for code, _name in countries()})
    if wrong:
        raise Refused(wrong)
    body, renames = particulars.case_command(form, slots)
    try:
        return change(body)
    except ValidationError as error:
        raise Refused(inputs.validation_errors(error, renames)) from None
    except InvalidInput as error:
        errors = inputs.errors_by_field(error.details or [], renames, fallback=error.message)
        raise Refused(errors) from None


def _form_page(
    values: Mapping[str, str],
    errors: dict[str, str],
    *,
    case: Case | None = None,
    stale: bool = False,
    duplicates: list[dict[str, Any]] | None = None,
) -> str:
    """The particulars form: empty to open a case, filled from the case to change it; after a
    possible duplicate, the agencies holding the matches (and the cases the user may see)."""
    return render_template(
        "particulars_form.html",
        title=_("Open a case")
        if case is None
        else _("Particulars of case %(reference)s", reference=case.reference),
        action=url_for("web.open_case")
        if case is None
        else url_for("web.change_particulars", case_id=case.id),
        submit=_("Open the case") if case is None else _("Save the particulars"),
        version=None if case is None else case.version,
        values=values,
        errors=errors,
        stale=stale,
        duplicates=duplicates or [],
        slots=range(particulars.NEW_RELATIVES if case is None else len(case.relatives) + 1),
        sexes=[(s.value, label("sex", s.value)) for s in Sex],
        precisions=[(p.value, label("precision", p.value)) for p in DatePrecision],
        relations=[
            (r.value, label("relation", r.value)) for r in Relation if r is not Relation.CHILD
        ],
        whereabouts=[(w.value, label("whereabouts", w.value)) for w in Whereabouts],
        titles={field: field_title(field) for field in errors},
    )


def field_title(field: str) -> str:
    """Say whose field and which, in words, for the list of problems above the form."""
    parts = field.split(".")
    if parts[0] == "child":
        whose, rest = _("The child"), parts[1:]
    elif parts[0] == "people" and len(parts) > 1 and parts[1].isdigit():
        whose, rest = _("Relative %(number)d", number=int(parts[1]) + 1), parts[2:]
    else:
        return ""
    scripts = {script.value for script in Script}
    if len(rest) == 2 and rest[0] in scripts:
        what = f"{NAME_PARTS_SHOWN.get(rest[1], rest[1])} ({label('script', rest[0])})"
    elif rest:
        what = label("field", rest[0])
    else:
        what = ""
    return f"{whose}, {what}" if what else str(whose)
