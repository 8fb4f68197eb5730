"""What every page's frame needs: the menu for the user's role, the languages, the labels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel import Locale
from flask import flash, g, session
from flask_babel import format_decimal, get_locale, gettext, lazy_gettext

from workflow import db
from workflow.vocabulary import Role
from workflow.web import LANGUAGES
from workflow.web.blueprint import web
from workflow.web.labels import known_label, label

MENUS = {
    Role.LAWYER: (
        ("web.my_cases", lazy_gettext("My cases")),
        ("web.new_case", lazy_gettext("Open a case")),
    ),
    Role.OFFICIAL: (("web.agency_queue", lazy_gettext("Our queue")),),
    Role.AUDITOR: (
        ("web.access_log", lazy_gettext("Access log")),
        ("web.chain", lazy_gettext("Chain and checkpoints")),
        ("web.dashboard", lazy_gettext("Dashboard")),
    ),
    Role.ADMIN: (("web.dashboard", lazy_gettext("Dashboard")),),
}
HOMES = {
    Role.LAWYER: "web.my_cases",
    Role.OFFICIAL: "web.agency_queue",
    Role.AUDITOR: "web.access_log",
    Role.ADMIN: "web.dashboard",
}


# Babel's regions that are not countries: the EU, the eurozone, the UN, pseudo-regions, unknown.
NOT_COUNTRIES = {"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"}


def countries() -> list[tuple[str, str]]:
    """Every country's ISO code and name in the page's language, in the order of the names."""
    names = {
        str(code): str(name)
        for code, name in Locale.parse(str(get_locale() or "en")).territories.items()
    }
    codes = [code for code in names if len(code) == 2 and code.isalpha()]
    return sorted(((c, names[c]) for c in codes if c not in NOT_COUNTRIES), key=lambda c: c[1])


def notify(message: str) -> None:
    """Tell the user on the next page that it worked; forgotten if the commit then fails."""
    flash(message, "success")
    db.on_rollback(lambda: session.pop("_flashes", None))


@web.app_context_processor
def page_helpers() -> dict[str, Any]:
    return {
        "menu": lambda: MENUS.get(g.user.role, ()) if g.get("user") else (),
        "languages": lambda: LANGUAGES.items(),
        "page_language": lambda: str(get_locale() or "en"),
        "label": label,
        "countries": countries,
    }


@web.app_template_filter("field_id")
def field_id(name: str) -> str:
    return "f-" + name.replace(".", "-").replace("_", "-")


@web.app_template_filter("iso_date")
def iso_date(moment: str | datetime | None) -> str:
    """A day as 2026-11-30: the same in every language, unambiguous to every agency."""
    if not moment:
        return ""
    text = moment.isoformat() if isinstance(moment, datetime) else str(moment)
    return text[:10]


@web.app_template_filter("iso_datetime")
def iso_datetime(moment: str | datetime | None) -> str:
    if not moment:
        return ""
    text = moment.isoformat() if isinstance(moment, datetime) else str(moment)
    return text[:16].replace("T", " ") + " UTC"


@web.app_template_filter("birth_date")
def birth_date(value: dict[str, str] | None) -> str:
    """A date as precisely as it is known: 2016, 2016-04, about 2016-04-30."""
    if not value:
        return str(gettext("not recorded"))
    precision, day = value["precision"], value["value"]
    shown = {"year": day[:4], "month": day[:7]}.get(precision, day)
    if precision == "exact":
        return shown
    return f"{shown} ({label('precision', precision)})"


@web.app_template_filter("choice_option")
def choice_option(name: str) -> tuple[str, str]:
    return name, label("choice", name)


@web.app_template_filter("file_size")
def file_size(size: int) -> str:
    """A document's size in kB or MB, with the page language's decimal mark."""
    if size < 1024 * 1024:
        return str(gettext("%(size)s kB", size=format_decimal(max(size / 1024, 0.1), "#,##0.#")))
    return str(gettext("%(size)s MB", size=format_decimal(size / 1024 / 1024, "#,##0.#")))


@web.app_template_filter("document_text")
def document_text(document: dict[str, Any]) -> str:
    """A document told apart from others of its kind: its short id, when it came, its size."""
    return (
        f"{label('evidence', document['kind'])} {document['id'][:8]}, "
        f"{iso_datetime(document['uploaded_at'])} ({file_size(document['size'])})"
    )


@web.app_template_filter("document_option")
def document_option(document: dict[str, Any]) -> tuple[str, str]:
    return document["id"], document_text(document)


@web.app_template_filter("step_value")
def step_value(value: Any, people: list[tuple[str, str]]) -> str:
    """A step's recorded value as a person reads it: a person's name, not their id."""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    names = dict(people)
    return names.get(str(value)) or known_label("choice", value) or str(value)
