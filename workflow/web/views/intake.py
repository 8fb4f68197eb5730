"""The intake page: a lawyer uploads an operation's manifest, sees the dry run row by row, then
sends the same file again to open every case. Nothing of the file is kept between the two: the
browser sends it each time, so no personal data waits in a session."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext, ngettext

from workflow import transactions
from workflow.access import current_caller
from workflow.errors import HomewardError, InvalidInput
from workflow.intake.rows import IntakeRow
from workflow.permissions import can_open_case
from workflow.services import intake
from workflow.web.blueprint import web
from workflow.web.chrome import notify
from workflow.web.refusals import drawn_again, insist, refusal_message

PROBLEMS = {
    "formula": lazy_gettext("a cell may not start with = + - or @"),
    "missing": lazy_gettext("this is required"),
    "enum": lazy_gettext("not one of the allowed values"),
    "string_too_long": lazy_gettext("too long"),
    "too_short": lazy_gettext("a name is required"),
    "value_error": lazy_gettext("the value is not valid"),
    "extra_cells": lazy_gettext("the row has more cells than the header has columns"),
    "mother_differs_within_family": lazy_gettext("another mother than her family's other rows"),
    "possible_duplicate": lazy_gettext(
        "the child may already have a case; if it is another child, write true in confirm_distinct"
    ),
}


@web.get("/intake")
def intake_page() -> ResponseReturnValue:
    """Show the form to upload a manifest."""
    insist(can_open_case(current_caller()), _("Only lawyers take in manifests."))
    return render_template("intake.html", title=_("Take in a manifest"), rows=None, failed=None)


@web.post("/intake")
def take_in_manifest() -> ResponseReturnValue:
    """Check the uploaded manifest (the dry run), or with `commit` open every case in it."""
    insist(can_open_case(current_caller()), _("Only lawyers take in manifests."))
    upload = request.files.get("file")
    raw = upload.read() if upload is not None and upload.filename else b""
    try:
        if not raw:
            raise InvalidInput("", [{"field": "file", "problem": "missing", "message": ""}])
        if request.form.get("commit") == "1":
            opened = intake.take_in(raw)
        else:
            return _page(rows=[_row(row) for row in intake.dry_run(raw).rows])
    except HomewardError as refusal:
        transactions.discard_failed_try()
        return drawn_again(_page(failed=_failure(refusal)), refusal)
    notify(ngettext("%(num)d case is open.", "%(num)d cases are open.", len(opened)))
    return redirect(url_for("web.my_cases"), 303)


def _page(**shown: Any) -> str:
    return render_template(
        "intake.html", title=_("Take in a manifest"), **({"rows": None, "failed": None} | shown)
    )


def _row(row: IntakeRow) -> dict[str, Any]:
    """A row of the dry run as the page draws it: its line, the child's first name, its
    problems in words, its possible duplicates."""
    name = row.child_name
    return {
        "line": row.line,
        "name": " ".join(p for p in (name.given, name.family) if p) if name else None,
        "script": name.script.value if name else None,
        "problems": [_words(p.column, p.problem) for p in row.problems],
        "duplicates": row.duplicates,
    }


def _failure(refusal: HomewardError) -> dict[str, Any]:
    """A refused file or commit: the refusal, and each row's problem in words."""
    details = refusal.details if isinstance(refusal.details, list) else []
    problems = [
        (item.get("row"), _words(str(item.get("column", "")), str(item.get("problem", ""))))
        for item in details
        if item.get("field") != "file"
    ]
    return {"message": refusal_message(refusal), "problems": problems}


def _words(column: str, problem: str) -> str:
    said = PROBLEMS.get(problem)
    return f"{column}: {said if said is not None else _('the value is not valid')}"
