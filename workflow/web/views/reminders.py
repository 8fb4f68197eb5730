"""The account page: where one's reminders go, whether one wants them, and in which language."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from workflow.errors import InvalidInput
from workflow.services.accounts import change_own_reminders
from workflow.web import LANGUAGES
from workflow.web.blueprint import web
from workflow.web.chrome import notify
from workflow.web.inputs import errors_by_field
from workflow.web.refusals import drawn_again


@web.get("/account")
def account_page() -> ResponseReturnValue:
    return _page({})


@web.post("/account")
def change_own_account() -> ResponseReturnValue:
    """Keep the address and the choice; a refused address is not sent back to the browser."""
    email = request.form.get("email", "").strip(" ")
    try:
        wanted = request.form.get("reminders") == "on"
        change_own_reminders(email, wanted, request.form.get("language"))
    except InvalidInput as refusal:
        return drawn_again(_page(errors_by_field(refusal.details or [])), refusal)
    notify(_("Your reminder settings are saved."))
    return redirect(url_for("web.account_page"), 303)


def _page(errors: dict[str, str]) -> str:
    values = {
        "email": g.user.email or "",
        "reminders": g.user.reminders,
        "language": g.user.language or str(get_locale() or "en"),
    }
    return render_template(
        "account.html",
        title=_("Your account"),
        values=values,
        errors=errors,
        mail_languages=LANGUAGES.items(),
    )
