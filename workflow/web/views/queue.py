"""The official's queue: the steps waiting on their agency, oldest first, the overdue marked."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from pydantic import ValidationError

from workflow import transactions
from workflow.access import current_caller
from workflow.errors import NotFound
from workflow.permissions import can_work_queue
from workflow.present import case_summary
from workflow.queries import list_cases, recently_handled
from workflow.schemas import CaseListQuery
from workflow.services.cases import note_case_list
from workflow.web.blueprint import web
from workflow.web.overview import listed
from workflow.web.refusals import insist


@web.get("/queue")
def agency_queue() -> str | tuple[str, int]:
    """Cases with a step waiting on the official's agency, the longest waiting first."""
    caller = current_caller()
    insist(can_work_queue(caller), _("The queue is for agency officials."))
    try:
        query = CaseListQuery(queue="agency", page=request.args.get("page", "1"))
    except ValidationError:
        raise NotFound("There is no such page of the queue.") from None
    page = list_cases(transactions.session(), caller, query)
    handled = recently_handled(transactions.session(), caller)
    note_case_list(query, [*page.cases, *handled], page.total)
    rows = [_waiting(case_summary(case), caller.agency_kind.value) for case in page.cases]
    return render_template(
        "queue.html",
        title=_("Our queue"),
        rows=rows,
        handled=[listed(case, caller) for case in handled],
        total=page.total,
        total_exact=page.total_exact,
        more=page.next_cursor is not None,
        query=query,
        pages=-(-page.total // query.per_page),
    )


def _waiting(summary: dict[str, Any], agency_kind: str) -> dict[str, Any]:
    """The case and the tracks on which it waits on this agency."""
    tracks = {
        name: track
        for name, track in summary["tracks"].items()
        if agency_kind in track["waiting_on"]
    }
    since = min((track["since"] for track in tracks.values()), default=summary["updated_at"])
    return {"case": summary, "tracks": tracks, "since": since}
