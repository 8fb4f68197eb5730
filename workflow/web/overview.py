"""A case at a glance, for the person reading it: the child's age, and what the case waits for
next and on whom, alternatives told as alternatives (DNA kinship or parentage)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext, ngettext

from workflow.models import Case
from workflow.permissions import Caller
from workflow.present import case_summary
from workflow.rules.catalogue import definition_of
from workflow.rules.definition import Definition
from workflow.rules.progress import next_steps
from workflow.web.labels import label
from workflow.web.names import listing

ROUGH = {"year", "estimated"}  # precisions at which an age is only "about" so many years


def age_text(birth: dict[str, str] | None, today: date | None = None) -> str | None:
    """The child's age in years, "about" when the birth date is only roughly known."""
    if not birth:
        return None
    born = date.fromisoformat(birth["value"][:10])
    today = today or date.today()
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if years < 1:
        return str(gettext("under a year"))
    text = str(ngettext("%(num)d year", "%(num)d years", years))
    return str(gettext("about %(age)s", age=text)) if birth["precision"] in ROUGH else text


def waiting(
    definition: Definition, tracks: dict[str, dict[str, Any]], caller: Caller
) -> list[dict[str, Any]]:
    """What the case waits for next: the tracks (one of which will do), on whom, what is late."""
    states = {name: track["state"] for name, track in tracks.items()}
    mine = caller.agency_kind.value
    items = []
    for step in next_steps(definition, states):
        others = [label("agency", kind) for kind in step.waiting_on if kind != mine]
        items.append(
            {
                "tracks": step.tracks,
                "title": listing((label("track", name) for name in step.tracks), "or"),
                "states": listing(label("state", states[name]) for name in step.tracks),
                "mine": mine in step.waiting_on,
                "others": listing(others, "or"),
                "overdue": any(tracks[name]["overdue"] for name in step.tracks),
            }
        )
    return items


def overdue(tracks: dict[str, dict[str, Any]]) -> list[str]:
    """The names of the tracks that are past their target, in the reader's language."""
    return [label("track", name) for name, track in tracks.items() if track["overdue"]]


def listed(case: Case, caller: Caller) -> dict[str, Any]:
    """A list's row: the case's summary and, while it is open, only what it waits for."""
    definition = definition_of(case.workflow)
    summary = case_summary(case, definition)
    is_open = summary["status"] == "open"
    return {**summary, "waiting": waiting(definition, summary["tracks"], caller) if is_open else []}
