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
from workflow.vocabulary import Script

NAME_PARTS = ("given", "family", "patronymic")
RELATIVE_SLOTS = 3
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


def case_command(form: MultiDict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The body of `POST /cases` from the new-case form, and where each name came from."""
    renames: dict[str, str] = {}
    child = _person(form, "child", renames, "child")
    child["languages"] = [
        word.strip() for word in (text(form, "child.languages") or "").split(",") if word.strip()
    ]
    child["residence"] = text(form, "child.residence")
    people: list[dict[str, Any]] = []
    for slot in range(RELATIVE_SLOTS):
        prefix = f"people.{slot}"
        if not text(form, f"{prefix}.relation"):
            continue
        person = _person(form, prefix, renames, f"people.{len(people)}")
        person["relation"] = text(form, f"{prefix}.relation")
        person["citizenship"] = (text(form, f"{prefix}.citizenship") or "").upper() or None
        person["alive"] = {"yes": True, "no": False}.get(form.get(f"{prefix}.alive", ""))
        person["whereabouts"] = text(form, f"{prefix}.whereabouts")
        if len(people) != slot:
            renames[f"people.{len(people)}"] = prefix
        people.append(person)
    return {"child": child, "people": people}, renames


def check_case_form(form: MultiDict[str, str], countries: set[str]) -> dict[str, str]:
    """What the new-case form's choices get wrong before the case is built from it."""
    return {**_unknown_countries(form, countries), **_unplaced_relatives(form)}


def _unknown_countries(form: MultiDict[str, str], countries: set[str]) -> dict[str, str]:
    """Country fields holding anything but a country from the list (a forged or old form)."""
    return {
        name: str(_("Choose a country from the list."))
        for name, value in form.items()
        if name.endswith((".country", ".citizenship")) and value and value not in countries
    }


def _unplaced_relatives(form: MultiDict[str, str]) -> dict[str, str]:
    """Relatives' slots filled in but with no relation chosen, which would be silently lost."""
    missing = {}
    for slot in range(RELATIVE_SLOTS):
        prefix = f"people.{slot}."
        filled = any(
            value.strip()
            for name, value in form.items()
            if name.startswith(prefix) and not name.endswith(".precision")  # never blank
        )
        if filled and not text(form, f"{prefix}relation"):
            missing[f"{prefix}relation"] = str(
                _("Choose how this person is related to the child, or clear their fields.")
            )
    return missing


def _person(
    form: MultiDict[str, str], prefix: str, renames: dict[str, str], path: str
) -> dict[str, Any]:
    names: list[dict[str, Any]] = []
    for script in Script:
        parts = {part: text(form, f"{prefix}.{script.value}.{part}") for part in NAME_PARTS}
        if any(parts.values()):
            renames[f"{path}.names.{len(names)}"] = f"{prefix}.{script.value}"
            names.append({"script": script.value, **{k: v for k, v in parts.items() if v}})
    if not names:
        renames[f"{path}.names"] = f"{prefix}.names"
    person: dict[str, Any] = {"names": names, "sex": text(form, f"{prefix}.sex")}
    date_value = text(form, f"{prefix}.birth_date.value")
    if date_value:
        person["birth_date"] = {
            "value": date_value,
            "precision": text(form, f"{prefix}.birth_date.precision") or "exact",
        }
    country = (text(form, f"{prefix}.birth_place.country") or "").upper()
    if country:
        person["birth_place"] = {
            "country": country,
            "locality": text(form, f"{prefix}.birth_place.locality"),
        }
    return person


def step_data(form: MultiDict[str, str], fields: dict[str, FieldSpec]) -> dict[str, Any]:
    """A transition's `data` from its fields on the page; an empty field is left out."""
    data: dict[str, Any] = {}
    for name, spec in fields.items():
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
