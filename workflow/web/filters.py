"""The template filters: how the pages write ids, dates, sizes, documents and step values.

Dates and numbers are written the page language's way, from CLDR's data through Babel."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel import Locale
from babel.dates import format_skeleton
from flask_babel import format_date, format_datetime, format_decimal, get_locale, gettext

from workflow.web.blueprint import web
from workflow.web.labels import known_label, label
from workflow.web.names import country_name, language_name, script_name


@web.app_template_filter("field_id")
def field_id(name: str) -> str:
    return "f-" + name.replace(".", "-").replace("_", "-")


@web.app_template_filter("date")
def day(moment: str | date | None) -> str:
    """A day as the page's language writes it, from CLDR: Nov 30, 2026 / 2026 ж. 30 қар."""
    if not moment:
        return ""
    return str(format_date(_parsed(moment), "medium"))


@web.app_template_filter("datetime")
def moment(value: str | datetime | None) -> str:
    """A moment in UTC to the minute, as the page's language writes it, from CLDR."""
    if not value:
        return ""
    locale = get_locale() or Locale.parse("en")
    pattern = str(locale.datetime_formats["medium"]).format(
        locale.time_formats["short"].pattern, locale.date_formats["medium"].pattern
    )
    return f"{format_datetime(_parsed(value), pattern)} UTC"


@web.app_template_filter("birth_date")
def birth_date(value: dict[str, str] | None) -> str:
    """A date as precisely as it is known: 2016, April 2016, about Apr 30, 2016."""
    if not value:
        return str(gettext("not recorded"))
    precision, known = value["precision"], date.fromisoformat(value["value"])
    skeleton = {"year": "y", "month": "yMMMM"}.get(precision)
    locale = get_locale() or Locale.parse("en")
    shown = format_skeleton(skeleton, known, locale=locale) if skeleton else day(known)
    if precision == "exact":
        return shown
    return f"{shown} ({label('precision', precision)})"


def _parsed(moment: str | date) -> date:
    """A day or a moment the pages were given as ISO text, or as itself."""
    if isinstance(moment, date):
        return moment
    return datetime.fromisoformat(moment) if "T" in moment else date.fromisoformat(moment)


web.add_app_template_filter(country_name, "country")
web.add_app_template_filter(language_name, "language")
web.add_app_template_filter(script_name, "script")


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
        f"{moment(document['uploaded_at'])} ({file_size(document['size'])})"
    )


@web.app_template_filter("document_option")
def document_option(document: dict[str, Any]) -> tuple[str, str]:
    return document["id"], document_text(document)


@web.app_template_filter("step_value")
def step_value(value: Any, people: list[tuple[str, str]]) -> str:
    """A step's recorded value as a person reads it: a person's name, not their id."""
    if isinstance(value, list):
        return ", ".join(step_value(item, people) for item in value)
    if isinstance(value, dict) and "name" in value:  # an institution: name, kind, country
        kind = known_label("choice", value.get("kind")) or str(value.get("kind"))
        return f"{value.get('name')} ({kind}, {country_name(value.get('country'))})"
    names = dict(people)
    if isinstance(value, dict):  # a relative tested, with the relationship
        shown = names.get(str(value.get("person")), "")
        relationship = value.get("relationship")
        return f"{shown} ({known_label('choice', relationship) or relationship})"
    return names.get(str(value)) or known_label("choice", value) or str(value)
