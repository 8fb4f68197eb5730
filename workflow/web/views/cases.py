"""The lawyer's pages: my cases, opening a case, and the case page everyone shares."""

from __future__ import annotations

from flask import current_app, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from pydantic import ValidationError

from audit import recorder as audit
from workflow import db, operations
from workflow.access import current_caller
from workflow.api.cases import find_visible_case
from workflow.errors import InvalidInput
from workflow.permissions import can_open_case
from workflow.present import case_summary
from workflow.queries import list_cases
from workflow.references import looks_like_reference
from workflow.rules import catalogue
from workflow.schemas import CaseIn, CaseListQuery
from workflow.vocabulary import DatePrecision, Relation, Script, Sex, Whereabouts
from workflow.web import inputs
from workflow.web.blueprint import web
from workflow.web.casepage import render_case
from workflow.web.chrome import countries, notify
from workflow.web.labels import label
from workflow.web.refusals import insist

NAME_PARTS_SHOWN = {
    "given": lazy_gettext("Given name"),
    "family": lazy_gettext("Family name"),
    "patronymic": lazy_gettext("Patronymic"),
}


@web.route("/cases", methods=["GET", "POST"])
def my_cases() -> ResponseReturnValue:
    """List the user's cases, newest change first, by name (posted, never in the address,
    where history and logs would keep it), by what is late, or go to a case by its reference."""
    given = request.form if request.method == "POST" else request.args
    typed = (inputs.text(request.form, "q") or "").upper()
    if looks_like_reference(typed):
        return redirect(url_for("web.case_page", case_id=typed), 303)
    try:
        query = CaseListQuery(
            q=inputs.text(request.form, "q"),
            overdue=True if given.get("overdue") == "1" else None,
            page=given.get("page", "1"),
        )
    except ValidationError as error:
        g.error_code = "invalid_input"
        return _case_list(CaseListQuery(), inputs.validation_errors(error)), 422
    return _case_list(query, {})


def _case_list(query: CaseListQuery, errors: dict[str, str]) -> str:
    cases, total = list_cases(db.session(), current_caller(), query)
    audit.note(
        detail={
            "returned": [case.reference for case in cases],
            "total": total,
            "filters": sorted(k for k, v in query.model_dump(exclude_defaults=True).items() if v),
        }
    )
    return render_template(
        "cases.html",
        title=_("My cases"),
        cases=[case_summary(case) for case in cases],
        total=total,
        query=query,
        errors=errors,
        pages=-(-total // query.per_page),
    )


@web.get("/cases/new")
def new_case() -> tuple[str, int]:
    """The form for the child's and the relatives' particulars."""
    insist(can_open_case(current_caller()), _("Only lawyers open cases."))
    return _new_case_page({}, {}, 200)


@web.post("/cases/new")
def open_case() -> ResponseReturnValue:
    """Open a case with the child's and the relatives' particulars."""
    insist(can_open_case(current_caller()), _("Only lawyers open cases."))
    wrong = inputs.check_case_form(request.form, {code for code, _name in countries()})
    if wrong:
        return _new_case_page(request.form, wrong, 422)
    body, renames = inputs.case_command(request.form)
    try:
        command = CaseIn.model_validate(body)
        record = catalogue.latest(db.session(), current_app.config["WORKFLOW"])
        if record is None:
            raise RuntimeError("no workflow is loaded: run `homeward db upgrade`")
        case = operations.open_case(db.session(), current_caller(), command, record.id)
    except ValidationError as error:
        return _new_case_page(request.form, inputs.validation_errors(error, renames), 422)
    except InvalidInput as error:
        return _new_case_page(
            request.form, inputs.errors_by_field(error.details or [], renames), 422
        )
    audit.note(case=case)
    notify(_("Case %(reference)s is open.", reference=case.reference))
    return redirect(url_for("web.case_page", case_id=case.id), 303)


def _new_case_page(values: object, errors: dict[str, str], status: int) -> tuple[str, int]:
    g.error_code = "invalid_input" if errors else None
    page = render_template(
        "new_case.html",
        title=_("Open a case"),
        values=values,
        errors=errors,
        slots=range(inputs.RELATIVE_SLOTS),
        sexes=[(s.value, label("sex", s.value)) for s in Sex],
        precisions=[(p.value, label("precision", p.value)) for p in DatePrecision],
        relations=[
            (r.value, label("relation", r.value)) for r in Relation if r is not Relation.CHILD
        ],
        whereabouts=[(w.value, label("whereabouts", w.value)) for w in Whereabouts],
        titles={field: field_title(field) for field in errors},
    )
    return page, status


@web.get("/cases/<case_id>")
def case_page(case_id: str) -> tuple[str, int]:
    """One case as the user may see it, and the steps they may take now."""
    case, facts = find_visible_case(db.session(), current_caller(), case_id[:64])
    return render_case(case, facts)


def field_title(field: str) -> str:
    """Whose field and which, in words, for the list of problems above the new-case form."""
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
