"""Turning a page's form into the API's commands, and the API's refusals into words per field.

A form field is named after the part of the command it fills (`child.birth_date.value`,
`data.ruling_number`), so an error the operations name by its path lands beside its field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from workflow.errors import field_errors
from workflow.rules.definition import FieldSpec
from workflow.rules.fields import MAX_RELATIVES
from workflow.web.addresses import NAME_LENGTH

MAX_FIELD = 4000


def problem_text(problem: str, message: str) -> str:
    """A refusal in the user's language, never quoting what they typed."""
    texts = {
        "missing": _("Fill this in."),
        "string_too_short": _("Fill this in."),
        "too_short": _("Fill this in."),
        "string_too_long": _("This is too long."),
        "too_long": _("There are too many of these."),
        "date_from_datetime_parsing": _("Enter a date as year-month-day, for example 2016-04-30."),
        "date_parsing": _("Enter a date as year-month-day, for example 2016-04-30."),
        "literal_error": _("Choose one of the options."),
        "enum": _("Choose one of the options."),
        "float_parsing": _("Enter a number, for example 0.9999."),
        "greater_than_equal": _("This number is too small."),
        "less_than_equal": _("This number is too large."),
        "uuid_parsing": _("Choose one of the options."),
        "string_pattern_mismatch": _("Use the form shown in the hint."),
        "int_parsing": _("Enter a whole number."),
        "datetime_parsing": _("Enter a date as year-month-day, for example 2016-04-30."),
        "datetime_from_date_parsing": _("Enter a date as year-month-day, for example 2016-04-30."),
        "not_on_case": _("Choose one of the documents attached to this case."),
        "wrong_password": _("The current password is wrong."),
        "password_length": _("A password must be 12 to 256 characters long."),
        "password_guessable": _("That password is too easy to guess; choose another."),
        "taken": _("That is taken already; choose another."),
        "unknown": _("Choose one of the options."),
        "name_exactly_one": _("Name either a person on the case or an institution, not both."),
        "role_agency_mismatch": _("An agency of this kind cannot hold that role."),
        "own_account": _("You cannot do this to your own account."),
        "step_up": _("Type a fresh code from your authenticator app to make this change."),
        "no_second_factor": _("This account has no second factor."),
        "last_administrator": _(
            "This is the last enabled administrator: enable or add another one first."
        ),
        "language_unknown": _("Choose one of the languages offered."),
        "email_invalid": _(
            "Give an address such as name@agency.kz: plain Latin letters, one @, no spaces."
        ),
    }
    if problem in texts:
        return str(texts[problem])
    if "future" in message and "must not" in message:
        return str(_("The date must not be in the future."))
    if "must be in the future" in message:
        return str(_("The date must be in the future."))
    if "control character" in message or "invalid character" in message:
        return str(_("This holds characters that cannot be used here."))
    if "must not be blank" in message:
        return str(_("Fill this in."))
    if "needs a given or a family name" in message:
        return str(_("Give at least a given or a family name."))
    return message


def at_step_fields(errors: dict[str, str]) -> dict[str, str]:
    """Errors about an item of a list field (`data.relatives.0.person`) beside the field; a
    part of a field in several inputs (`data.institution.name`) keeps its own place."""
    shown: dict[str, str] = {}
    for field, text in errors.items():
        parts = field.split(".")
        item = parts[0] == "data" and len(parts) > 2 and parts[2].isdigit()
        shown.setdefault(".".join(parts[:2]) if item else field, text)
    return shown


def errors_by_field(
    details: Iterable[dict[str, Any]],
    renames: dict[str, str] | None = None,
    fallback: str = "",
) -> dict[str, str]:
    """Map the operations' `[{field, problem, message}]` onto the page's field names."""
    renames = renames or {}
    shown: dict[str, str] = {}
    for detail in details:
        field = str(detail.get("field", ""))
        for prefix, name in sorted(renames.items(), key=lambda item: -len(item[0])):
            if field == prefix or field.startswith(prefix + "."):
                field = name + field[len(prefix) :]
                break
        text = problem_text(str(detail.get("problem")), str(detail.get("message") or fallback))
        if field.endswith(".names"):  # no name at all: any script will do, not one field
            text = str(_("Give at least a given or a family name, in any script."))
        shown.setdefault(field, text)
    return shown


def validation_errors(
    error: ValidationError, renames: dict[str, str] | None = None
) -> dict[str, str]:
    return errors_by_field(field_errors(error), renames)


def text(form: MultiDict[str, str], name: str) -> str | None:
    value = form.get(name, "")[:MAX_FIELD].strip()
    return value or None


def chosen(form: MultiDict[str, str], field: str) -> str:
    """A name the form picks from a list (a track, an action, a kind of document), cut to the
    longest a name can be: a forged longer one is refused as unknown, not as too long."""
    return form.get(field, "")[:NAME_LENGTH]


def _relatives(form: MultiDict[str, str], prefix: str) -> list[dict[str, str]]:
    """One select per relative on the page, named by her id: those given a relationship."""
    return [
        {"person": key[len(prefix) :][:MAX_FIELD], "relationship": value[:MAX_FIELD]}
        for key, value in form.items()
        if key.startswith(prefix) and value.strip()
    ][: MAX_RELATIVES + 1]  # one more than allowed: refused, not cut short


def step_data(form: MultiDict[str, str], fields: dict[str, FieldSpec]) -> dict[str, Any]:
    """A transition's `data` from its fields on the page; an empty field is left out."""
    data: dict[str, Any] = {}
    for name, spec in fields.items():
        if spec.kind == "institution":
            data.update(_institution(form, name))
            continue
        if spec.kind == "relatives":
            data[name] = _relatives(form, f"data.{name}.")
            continue
        raw = form.get(f"data.{name}", "")[:MAX_FIELD].strip()
        if not raw:
            continue
        if spec.kind == "text_list":
            data[name] = [line.strip() for line in raw.splitlines() if line.strip()]
        elif spec.kind == "number":
            data[name] = raw.replace(",", ".")
        else:
            data[name] = raw
    return data


INSTITUTION_PARTS = ("name", "kind", "country")


def _institution(form: MultiDict[str, str], name: str) -> dict[str, Any]:
    """An institution's name, kind and country from its three inputs; none filled, left out."""
    parts = {part: text(form, f"data.{name}.{part}") for part in INSTITUTION_PARTS}
    if not any(parts.values()):
        return {}
    return {name: {part: value for part, value in parts.items() if value is not None}}


FOREIGN_FIELDS = (
    "language",
    "translation_of",
    "translator_name",
    "translator_sworn",
    "legalisation",
    "legalisation_country",
    "legalised_on",
)


def foreign_particulars(form: MultiDict[str, str]) -> dict[str, str]:
    """The upload form's foreign particulars that were filled in; an empty one is left out."""
    given = {name: text(form, name) for name in FOREIGN_FIELDS}
    return {name: value for name, value in given.items() if value is not None}
