"""Choosing one's password through the one-time link an administrator handed over. The page
needs no sign-in; a link that is unknown, used or expired gets one and the same page, which
says nothing of whether the account exists."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from pydantic import ValidationError

from workflow.errors import HomewardError, InvalidInput, NotFound, field_errors, invalid
from workflow.models import User
from workflow.schemas import PasswordChoiceIn
from workflow.services.accounts import choose_password_with_link, setup_link_user
from workflow.web.blueprint import web
from workflow.web.chrome import notify
from workflow.web.inputs import errors_by_field
from workflow.web.refusals import drawn_again

# The rules for a new password name its field `password`; the page calls it `new_password`.
RENAMES = {"password": "new_password"}


@web.get("/account/setup/<token>")
def setup_page(token: str) -> ResponseReturnValue:
    try:
        user = setup_link_user(token)
    except NotFound as refusal:
        return _link_refused(refusal)
    return _form(token, user, {})


@web.post("/account/setup/<token>")
def complete_setup(token: str) -> ResponseReturnValue:
    """Set the password as the rules allow, spend the link, and send the user to sign in."""
    new, again = request.form.get("new_password", ""), request.form.get("new_password_again", "")
    try:
        user = setup_link_user(token)
        if new != again:
            problem = _("The two new passwords differ.")
            return drawn_again(
                _form(token, user, {"new_password_again": problem}), InvalidInput(problem)
            )
        choose_password_with_link(token, PasswordChoiceIn(password=new).password)
    except NotFound as refusal:
        return _link_refused(refusal)
    except ValidationError as error:
        return drawn_again(_form(token, user, _problems(field_errors(error))), invalid(error))
    except InvalidInput as refusal:
        return drawn_again(_form(token, user, _problems(refusal.details or [])), refusal)
    notify(_("Your password is set. Sign in with it."))
    return redirect(url_for("web.sign_in_page"), 303)


def _form(token: str, user: User, errors: dict[str, str]) -> str:
    return render_template(
        "account_setup.html",
        title=_("Choose your password"),
        token=token,
        username=user.username,
        errors=errors,
    )


def _problems(details: list[dict[str, str]]) -> dict[str, str]:
    return errors_by_field(details, RENAMES)


def _link_refused(refusal: HomewardError) -> tuple[str, int]:
    message = _(
        "This link does not work: it may be mistyped, used already or expired. Ask your "
        "administrator for a new one."
    )
    page = render_template("error.html", title=_("Link not valid"), message=message)
    return drawn_again(page, refusal)
