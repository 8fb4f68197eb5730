"""What every page's frame needs: the menu for the role, languages, countries, notices."""

from __future__ import annotations

from functools import cache
from typing import Any

from babel import Locale
from flask import flash, g, session
from flask_babel import get_locale, lazy_gettext

from workflow import transactions
from workflow.rules.languages import NOT_COUNTRIES
from workflow.vocabulary import Role
from workflow.web import LANGUAGES, names
from workflow.web.blueprint import web
from workflow.web.labels import label

MENUS = {
    Role.LAWYER: (
        ("web.my_cases", lazy_gettext("My cases")),
        ("web.new_case", lazy_gettext("Open a case")),
        ("web.intake_page", lazy_gettext("Take in a manifest")),
    ),
    Role.OFFICIAL: (("web.agency_queue", lazy_gettext("Our queue")),),
    Role.AUDITOR: (
        ("web.access_log", lazy_gettext("Access log")),
        ("web.chain", lazy_gettext("Chain and checkpoints")),
        ("web.dashboard", lazy_gettext("Dashboard")),
    ),
    Role.ADMIN: (
        ("web.dashboard", lazy_gettext("Dashboard")),
        ("web.admin_users", lazy_gettext("Accounts")),
        ("web.admin_agencies", lazy_gettext("Agencies")),
    ),
}
HOMES = {
    Role.LAWYER: "web.my_cases",
    Role.OFFICIAL: "web.agency_queue",
    Role.AUDITOR: "web.access_log",
    Role.ADMIN: "web.dashboard",
}


def countries() -> list[tuple[str, str]]:
    """Every country's ISO code and name in the page's language, in the order of the names."""
    return _countries(str(get_locale() or "en"))


@cache
def _countries(language: str) -> list[tuple[str, str]]:
    """The list for one language, built once: a form shows it for every person on it."""
    names = {str(code): str(name) for code, name in Locale.parse(language).territories.items()}
    codes = [code for code in names if len(code) == 2 and code.isalpha()]
    return sorted(((c, names[c]) for c in codes if c not in NOT_COUNTRIES), key=lambda c: c[1])


def notify(message: str) -> None:
    """Tell the user on the next page that it worked; forgotten if the commit then fails."""
    flash(message, "success")
    transactions.on_rollback(lambda: session.pop("_flashes", None))


@web.app_context_processor
def page_helpers() -> dict[str, Any]:
    return {
        "menu": lambda: MENUS.get(g.user.role, ()) if g.get("user") else (),
        "languages": lambda: LANGUAGES.items(),
        "page_language": lambda: str(get_locale() or "en"),
        "label": label,
        "countries": countries,
        "country_name": names.country_name,
        "language_name": names.language_name,
        "script_name": names.script_name,
        "place_name": names.place_name,
        "listing": names.listing,
        "action_name": names.action_name,
        "outcome_name": names.outcome_name,
    }
