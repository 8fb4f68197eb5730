"""The case list, and the case page everyone shares."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from pydantic import ValidationError

from workflow import transactions
from workflow.access import current_caller
from workflow.errors import invalid
from workflow.references import looks_like_reference
from workflow.schemas import CaseListQuery
from workflow.services.cases import find_visible_case, visible_cases
from workflow.web import inputs
from workflow.web.blueprint import web
from workflow.web.casepage import render_case
from workflow.web.overview import listed
from workflow.web.refusals import drawn_again


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
        page = _case_list(CaseListQuery(), inputs.validation_errors(error))
        return drawn_again(page, invalid(error))
    return _case_list(query, {})


def _case_list(query: CaseListQuery, errors: dict[str, str]) -> str:
    page = visible_cases(query)
    return render_template(
        "cases.html",
        title=_("My cases"),
        cases=[listed(case, current_caller()) for case in page.cases],
        total=page.total,
        total_exact=page.total_exact,
        more=page.next_cursor is not None,
        query=query,
        errors=errors,
        pages=-(-page.total // query.per_page),
    )


@web.get("/cases/<id:case_id>")
def case_page(case_id: str) -> str:
    """One case as the user may see it, and the steps they may take now."""
    case, facts = find_visible_case(transactions.session(), current_caller(), case_id)
    return render_case(case, facts)
