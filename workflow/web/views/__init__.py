"""The pages, one module per kind of user; importing them attaches them to the blueprint."""

from workflow.web import (
    filters,  # noqa: F401 - the templates' filters attach themselves too
    foreign,  # noqa: F401 - and the words for foreign documents
)
from workflow.web.views import (
    account,
    administration,
    auditing,
    cases,
    dashboard,
    intake,
    particulars,
    password,
    queue,
    reminders,
    second_factor,
    setup,
    steps,
)

__all__ = [
    "account",
    "administration",
    "auditing",
    "cases",
    "dashboard",
    "intake",
    "particulars",
    "password",
    "queue",
    "reminders",
    "second_factor",
    "setup",
    "steps",
]
