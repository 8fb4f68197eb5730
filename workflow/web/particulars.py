"""The particulars form, for opening a case and for changing it: the child and the relatives,
names in each script, dates with their precision, read into the API's commands and filled
back from the case as the API presents it."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from workflow.vocabulary import Script
from workflow.web.inputs import text
from workflow.web.names import language_code, language_name

NAME_PARTS = ("given", "family", "patronymic")
NEW_RELATIVES = 3  # empty slots on the new-case form; changing a case offers one more


def case_command(form: MultiDict[str, str], slots: int) -> tuple[dict[str, Any], dict[str, str]]:
    """The child and the relatives from the form, as the API's body, and where each came from
    (so that an error about `people.1.names.0` lands beside the slot and script it was typed in).
    A relative who is already on the case keeps their id; one without a relation is left out."""
    renames: dict[str, str] = {}
    child = _person(form, "child", renames, "child")
    child["languages"] = [
        language_code(word)
        for word in (text(form, "child.languages") or "").split(",")
        if word.strip()
    ]
    child["residence"] = text(form, "child.residence")
    people: list[dict[str, Any]] = []
    for slot in range(slots):
        prefix = f"people.{slot}"
        if not text(form, f"{prefix}.relation"):
            continue
        person = _person(form, prefix, renames, f"people.{len(people)}")
        person["relation"] = text(form, f"{prefix}.relation")
        person["citizenship"] = text(form, f"{prefix}.citizenship")
        person["alive"] = {"yes": True, "no": False}.get(form.get(f"{prefix}.alive", ""))
        person["whereabouts"] = text(form, f"{prefix}.whereabouts")
        if text(form, f"{prefix}.id"):
            person["id"] = text(form, f"{prefix}.id")
        if len(people) != slot:
            renames[f"people.{len(people)}"] = prefix
        people.append(person)
    return {"child": child, "people": people}, renames


def check_form(form: MultiDict[str, str], slots: int, countries: set[str]) -> dict[str, str]:
    """What the form's choices get wrong before a command is built from it."""
    return {**_unknown_countries(form, countries), **_unplaced_relatives(form, slots)}


def form_values(case: dict[str, Any]) -> dict[str, str]:
    """The form's fields filled from the case as the API shows it, for changing it."""
    values = _person_values("child", case["child"])
    values["child.languages"] = ", ".join(map(language_name, case["child"].get("languages") or []))
    values["child.residence"] = case["child"].get("residence") or ""
    for slot, person in enumerate(case["people"]):
        prefix = f"people.{slot}"
        values |= _person_values(prefix, person)
        values[f"{prefix}.id"] = person["id"]
        values[f"{prefix}.relation"] = person["relation"]
        values[f"{prefix}.citizenship"] = person.get("citizenship") or ""
        values[f"{prefix}.alive"] = {True: "yes", False: "no"}.get(person.get("alive"), "")
        values[f"{prefix}.whereabouts"] = person.get("whereabouts") or ""
    return values


def _person_values(prefix: str, person: dict[str, Any]) -> dict[str, str]:
    values = {
        f"{prefix}.{name['script']}.{part}": name.get(part) or ""
        for name in person["names"]
        for part in NAME_PARTS
    }
    values[f"{prefix}.sex"] = person.get("sex") or ""
    if person.get("birth_date"):
        values[f"{prefix}.birth_date.value"] = person["birth_date"]["value"]
        values[f"{prefix}.birth_date.precision"] = person["birth_date"]["precision"]
    if person.get("birth_place"):
        values[f"{prefix}.birth_place.country"] = person["birth_place"]["country"]
        values[f"{prefix}.birth_place.locality"] = person["birth_place"].get("locality") or ""
    return values


def _unknown_countries(form: MultiDict[str, str], countries: set[str]) -> dict[str, str]:
    """Country fields holding anything but a country from the list (a forged or old form)."""
    return {
        name: str(_("Choose a country from the list."))
        for name, value in form.items()
        if name.endswith((".country", ".citizenship")) and value and value not in countries
    }


def _unplaced_relatives(form: MultiDict[str, str], slots: int) -> dict[str, str]:
    """Relatives' slots filled in but with no relation chosen, which would be silently lost."""
    missing = {}
    for slot in range(slots):
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
    """One person's names, sex, birth date and place; every key present, so that a change
    can also clear a field."""
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
    person["birth_date"] = (
        {"value": date_value, "precision": text(form, f"{prefix}.birth_date.precision") or "exact"}
        if date_value
        else None
    )
    country = text(form, f"{prefix}.birth_place.country")
    person["birth_place"] = (
        {"country": country, "locality": text(form, f"{prefix}.birth_place.locality")}
        if country
        else None
    )
    return person
