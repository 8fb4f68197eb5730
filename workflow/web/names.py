"""Codes named in the reader's language: countries, languages and scripts from CLDR's data
through Babel (never typed by hand, so every language Babel knows names them all), and the audit
trail's actions and outcomes in words, so that no page shows a code to a person."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, Literal

from babel import Locale
from babel.lists import format_list
from flask_babel import get_locale, lazy_gettext

ACTIONS = {
    "auth.login": lazy_gettext("Signed in"),
    "auth.logout": lazy_gettext("Signed out"),
    "auth.refresh": lazy_gettext("Renewed a sign-in"),
    "auth.me": lazy_gettext("Read own account"),
    "auth.password_change": lazy_gettext("Changed password"),
    "auth.account_change": lazy_gettext("Changed own reminders or language"),
    "auth.password_setup": lazy_gettext("Chose a password through a one-time link"),
    "auth.setup_link_open": lazy_gettext("Opened a one-time link"),
    "auth.second_factor_enrol": lazy_gettext("Began setting up a second factor"),
    "auth.second_factor_confirm": lazy_gettext("Finished setting up a second factor"),
    "workflow.read": lazy_gettext("Read the workflow"),
    "case.create": lazy_gettext("Opened a case"),
    "case.list": lazy_gettext("Listed cases"),
    "case.read": lazy_gettext("Read a case"),
    "case.update": lazy_gettext("Changed a case's particulars"),
    "case.transition": lazy_gettext("Took a step"),
    "case.close": lazy_gettext("Closed a case"),
    "case.reopen": lazy_gettext("Reopened a case"),
    "case.history": lazy_gettext("Read a case's history"),
    "case.assign": lazy_gettext("Assigned a case"),
    "case.unassign": lazy_gettext("Removed an assignment"),
    "case.break_glass": lazy_gettext("Emergency access to a case"),
    "case.intake": lazy_gettext("Took in a manifest"),
    "case.reference_add": lazy_gettext("Added an external reference"),
    "case.reference_list": lazy_gettext("Listed external references"),
    "case.reference_remove": lazy_gettext("Removed an external reference"),
    "family.read": lazy_gettext("Read a family"),
    "document.upload": lazy_gettext("Uploaded a document"),
    "document.list": lazy_gettext("Listed documents"),
    "document.download": lazy_gettext("Downloaded a document"),
    "document.update": lazy_gettext("Recorded a document's language or legalisation"),
    "consent.record": lazy_gettext("Recorded a consent"),
    "consent.list": lazy_gettext("Listed consents"),
    "consent.withdraw": lazy_gettext("Withdrew a consent"),
    "form.generate": lazy_gettext("Issued a form"),
    "form.verify": lazy_gettext("Checked a form's code"),
    "form.verify_file": lazy_gettext("Checked a form's file"),
    "audit.query": lazy_gettext("Searched the audit trail"),
    "audit.case_accesses": lazy_gettext("Read a case's accesses"),
    "audit.export": lazy_gettext("Exported the audit trail"),
    "audit.verify": lazy_gettext("Verified the audit chain"),
    "audit.checkpoints": lazy_gettext("Listed checkpoints"),
    "audit.checkpoint": lazy_gettext("Made a checkpoint"),
    "audit.report": lazy_gettext("Read the audit report"),
    "audit.proof": lazy_gettext("Read an audit proof"),
    "report.dashboard": lazy_gettext("Read the dashboard"),
    "admin.agency_create": lazy_gettext("Added an agency"),
    "admin.user_create": lazy_gettext("Added a user"),
    "admin.user_list": lazy_gettext("Listed the accounts"),
    "admin.user_read": lazy_gettext("Read an account"),
    "admin.agency_list": lazy_gettext("Listed the agencies"),
    "admin.user_disable": lazy_gettext("Disabled an account"),
    "admin.user_enable": lazy_gettext("Enabled an account"),
    "admin.password_reset": lazy_gettext("Reset a password"),
    "admin.second_factor_reset": lazy_gettext("Reset a second factor"),
    "admin.user_update": lazy_gettext("Changed a user"),
    "admin.user_link": lazy_gettext("Linked a user to a sign-in provider"),
    "admin.user_unlink": lazy_gettext("Unlinked a user from a sign-in provider"),
    "admin.workflow_load": lazy_gettext("Loaded a workflow"),
    "admin.upkeep_prune": lazy_gettext("Pruned expired records"),
    "admin.demo_load": lazy_gettext("Loaded the demonstration data"),
    "admin.data_keys_rotate": lazy_gettext("Rotated a data key"),
    "admin.data_keys_rotated": lazy_gettext("Finished rotating the data keys"),
    "admin.case_purge": lazy_gettext("Purged a case"),
    "admin.backup": lazy_gettext("Made a backup"),
    "admin.restore": lazy_gettext("Restored a backup"),
}
OUTCOMES = {
    "success": lazy_gettext("Done"),
    "bad_request": lazy_gettext("Malformed request"),
    "body_incomplete": lazy_gettext("Request cut short"),
    "busy": lazy_gettext("Refused: busy, try again"),
    "not_authenticated": lazy_gettext("Not signed in"),
    "not_permitted": lazy_gettext("Refused: not permitted"),
    "not_found": lazy_gettext("Not found"),
    "wrong_state": lazy_gettext("Refused: wrong state"),
    "prerequisite_missing": lazy_gettext("Refused: a prerequisite is missing"),
    "stale_version": lazy_gettext("Refused: changed by someone else first"),
    "conflict": lazy_gettext("Refused: conflict"),
    "possible_duplicate": lazy_gettext("Refused: the child may already have a case"),
    "too_large": lazy_gettext("Refused: too large"),
    "unsupported_media_type": lazy_gettext("Refused: kind of file not accepted"),
    "too_many_attempts": lazy_gettext("Refused: too many attempts"),
    "invalid_input": lazy_gettext("Refused: invalid input"),
    "request_timeout": lazy_gettext("Request timed out"),
    "precondition_required": lazy_gettext("Refused: version not given"),
    "headers_too_large": lazy_gettext("Refused: headers too large"),
    "integrity_failure": lazy_gettext("Integrity failure"),
    "internal_error": lazy_gettext("Internal error"),
    "timestamp_unavailable": lazy_gettext("Refused: the timestamp service did not answer"),
}


def country_name(code: str | None) -> str:
    """The country's name (SY: Syria, Сирия), else the code as given when CLDR has none."""
    return _name("territories", code)


def language_name(code: str | None) -> str:
    """The language's name (kk: Kazakh, казахский, қазақ тілі), else the code as given."""
    return _name("languages", code)


def script_name(code: str | None) -> str:
    """The script's name (Cyrl: Cyrillic, кириллица, кирилл жазуы), else the code as given."""
    return _name("scripts", code)


def _name(kind: str, code: str | None) -> str:
    if not code:
        return ""
    return _names(_language(), kind).get(_canonical(kind, code), code)


def _canonical(kind: str, code: str) -> str:
    """How CLDR spells the code: SY, kk, Cyrl."""
    if kind == "territories":
        return code.upper()
    return code.lower() if kind == "languages" else code.title()


@cache
def _names(language: str, kind: str) -> dict[str, str]:
    """One language's names of one kind, read once."""
    return {str(code): str(name) for code, name in getattr(_parsed(language), kind).items()}


def place_name(place: dict[str, str | None] | None) -> str:
    """A place as a person writes it: "Raqqa, Syria"."""
    if not place:
        return ""
    parts = [place.get("locality"), country_name(place.get("country"))]
    return ", ".join(part for part in parts if part)


def listing(
    items: Iterable[Any],
    style: Literal["standard", "or"] = "standard",
    name: Callable[[Any], object] = str,
) -> str:
    """Items joined as the reader's language joins them: "a, b and c", or "a or b"."""
    texts = [str(name(item)) for item in items]
    return format_list(texts, style=style, locale=_parsed(_language())) if texts else ""


def action_name(action: str) -> str:
    """An audited action in words: auth.login is "Signed in"."""
    return _words(ACTIONS.get(action), action)


def outcome_name(outcome: str) -> str:
    """An audited outcome in words: stale_version is "Refused: changed by someone else first"."""
    return _words(OUTCOMES.get(outcome), outcome)


def _words(known: object, code: str) -> str:
    if known is not None:
        return str(known)
    # A name no release knew when this was written: its words, never its dots and underscores.
    return code.replace(".", " ").replace("_", " ").capitalize()


def language_code(text: str) -> str:
    """The code of a language typed by its name in the reader's language ("Kazakh" is kk);
    a code, or a name CLDR does not know, is kept as typed."""
    wanted = text.strip().casefold()
    codes = _language_codes(_language())
    return codes.get(wanted, text.strip())


@cache
def _language_codes(language: str) -> dict[str, str]:
    names = _parsed(language).languages.items()
    return {str(name).casefold(): str(code) for code, name in names if "_" not in code}


def _language() -> str:
    return str(get_locale() or "en")


@cache
def _parsed(language: str) -> Locale:
    return Locale.parse(language)
