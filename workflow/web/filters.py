"""The template filters: how the pages write ids, dates, sizes, documents and step values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import format_decimal, gettext

from workflow.web.blueprint import web
from workflow.web.labels import known_label, label


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
