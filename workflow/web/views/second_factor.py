"""The second factor on the pages: the sign-in's second step, which asks for the code of a user
whose password was right, and the account page that sets the factor up with a QR code."""

from __future__ import annotations

import segno
from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup
from pydantic import TypeAdapter, ValidationError

from workflow.errors import HomewardError, InvalidInput, NotAuthenticated, TooManyAttempts
from workflow.identity.second_factor import Enrolment
from workflow.schemas import SecondFactorCode, TotpCode
from workflow.services.second_factor import (
    confirm_own_enrolment,
    own_enrolment,
    start_own_enrolment,
)
from workflow.web import signin
from workflow.web.blueprint import web
from workflow.web.refusals import drawn_again, wait_message

SIGN_IN_CODE: TypeAdapter[str] = TypeAdapter(SecondFactorCode)
NEW_CODE: TypeAdapter[str] = TypeAdapter(TotpCode)


@web.get("/sign-in/code")
def sign_in_code_page() -> ResponseReturnValue:
    next_path = signin.safe_next(request.args.get("next"))
    if signin.pending_user_id() is None:
        return redirect(url_for("web.sign_in_page", next=next_path))
    return render_template("sign_in_code.html", title=_("Sign in"), next=next_path)


@web.post("/sign-in/code")
def sign_in_code() -> ResponseReturnValue:
    """Finish signing in with the code, as the API does with `totp`: the same throttle."""
    next_path = signin.safe_next(request.args.get("next"))
    if signin.pending_user_id() is None:
        return redirect(url_for("web.sign_in_page", next=next_path), 303)
    try:
        signin.finish_sign_in(SIGN_IN_CODE.validate_python(_typed("code")))
    except (ValidationError, NotAuthenticated):
        problem = _("The code is wrong or was used already.")
        return _code_again(next_path, problem, NotAuthenticated(problem))
    except TooManyAttempts as error:
        return _code_again(next_path, wait_message(error), error)
    return redirect(next_path or url_for("web.home"), 303)


@web.get("/account/second-factor")
def second_factor_page() -> ResponseReturnValue:
    enrolled, pending = own_enrolment()
    return _account_page(enrolled, pending, {})


@web.post("/account/second-factor")
def start_second_factor() -> ResponseReturnValue:
    """Make a new secret and show it; it counts only once a code from it confirms it."""
    start_own_enrolment()
    return redirect(url_for("web.second_factor_page"), 303)


@web.post("/account/second-factor/confirm")
def confirm_second_factor() -> ResponseReturnValue:
    """Confirm with a first code and show the recovery codes, this once."""
    try:
        codes = confirm_own_enrolment(NEW_CODE.validate_python(_typed("code")))
    except (ValidationError, InvalidInput):
        problem = _("The code is wrong; check the time on the device that shows it.")
        _enrolled, pending = own_enrolment()
        page = _account_page(False, pending, {"code": problem})
        return drawn_again(page, InvalidInput(problem))
    return render_template("recovery_codes.html", title=_("Recovery codes"), codes=codes)


def _typed(name: str) -> str:
    """A form field with the spaces a person types around a code dropped."""
    return "".join(request.form.get(name, "").split())[:100]


def _account_page(enrolled: bool, pending: Enrolment | None, errors: dict[str, str]) -> str:
    return render_template(
        "second_factor.html",
        title=_("Second factor"),
        enrolled=enrolled,
        pending=pending,
        qr=_qr_svg(pending.otpauth_uri) if pending else None,
        errors=errors,
        forced=signin.must_enrol_now(),
    )


def _qr_svg(uri: str) -> Markup:
    """The otpauth URI as a QR code in inline SVG: drawn here, no script, no outside request."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, omitsize=True, title=_("QR code for your authenticator")
    )
    return Markup(svg)  # noqa: S704 - segno's own markup, from a URI it encodes as modules


def _code_again(next_path: str | None, problem: str, refusal: HomewardError) -> tuple[str, int]:
    page = render_template("sign_in_code.html", title=_("Sign in"), next=next_path, problem=problem)
    return drawn_again(page, refusal)
