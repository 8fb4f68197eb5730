"""Changing one's own password from the pages, with the API's rules and throttle: this browser
stays signed in, every other session of the user ends."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from pydantic import ValidationError

from workflow.errors import HomewardError, InvalidInput, TooManyAttempts, field_errors, invalid
from workflow.schemas import PasswordChangeIn
from workflow.services.accounts import change_own_password
from workflow.web.blueprint import web
from workflow.web.chrome import notify
from workflow.web.inputs import errors_by_field
from workflow.web.refusals import drawn_again, wait_message


@web.get("/account/password")
def password_page() -> ResponseReturnValue:
    return render_template("password.html", title=_("Change password"), errors={})


@web.post("/account/password")
def change_password() -> ResponseReturnValue:
    """Change the password as the API does; the form is drawn again, empty, with each problem
    beside its field (a password is never sent back to the browser)."""
    new, again = request.form.get("new_password", ""), request.form.get("new_password_again", "")
    if new != again:
        problem = _("The two new passwords differ.")
        return _form_again({"new_password_again": problem}, InvalidInput(problem))
    try:
        typed = PasswordChangeIn(
            current_password=request.form.get("current_password", ""), new_password=new
        )
        change_own_password(typed.current_password, typed.new_password, request.remote_addr)
    except ValidationError as error:
        return _form_again(errors_by_field(field_errors(error)), invalid(error))
    except InvalidInput as refusal:
        return _form_again(errors_by_field(refusal.details or []), refusal)
    except TooManyAttempts as refusal:
        return _form_again({"current_password": wait_message(refusal)}, refusal)
    notify(_("Your password is changed. Every other sign-in of yours has ended; this one goes on."))
    return redirect(url_for("web.home"), 303)


def _form_again(errors: dict[str, str], refusal: HomewardError) -> tuple[str, int]:
    page = render_template("password.html", title=_("Change password"), errors=errors)
    return drawn_again(page, refusal)
