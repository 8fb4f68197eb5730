"""The web pages' blueprint: signed-in users only, CSRF on every form, HTML errors, no caching."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect

from workflow.errors import HomewardError
from workflow.http.errors import render_pages_with, shown
from workflow.http.headers import PAGE_POLICY
from workflow.web import signin
from workflow.web.refusals import error_page

csrf = CSRFProtect()
web = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)
PUBLIC_ENDPOINTS = {
    "web.sign_in_page",
    "web.sign_in",
    "web.choose_language",
    "web.setup_page",  # a one-time link is the only key a user without a password holds
    "web.complete_setup",
    "web.sign_in_code_page",
    "web.sign_in_code",
}
# What a user held to setting up a second factor may still do: that, and leave.
WHILE_ENROLLING = {
    "web.second_factor_page",
    "web.start_second_factor",
    "web.confirm_second_factor",
    "web.sign_out",
}


@web.before_request
def protect() -> ResponseReturnValue | None:
    """Check the form's CSRF token on every post, then insist on a live sign-in."""
    if request.endpoint == "web.static":
        return None  # the stylesheet is the same for everyone: no session, no database read
    if request.method == "POST":
        csrf.protect()
    if request.endpoint in PUBLIC_ENDPOINTS:
        signin.load_user()
        return None
    if not signin.load_user():
        # Only a page can be returned to: after signing in, a form's address would be a GET.
        back = signin.safe_next(request.full_path) if request.method == "GET" else None
        return redirect(url_for("web.sign_in_page", next=back))
    if request.endpoint not in WHILE_ENROLLING and signin.must_enrol_now():
        return redirect(url_for("web.second_factor_page"), 303)
    return None


@web.after_request
def page_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
    if request.endpoint != "web.static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@web.errorhandler(CSRFError)
def expired_form(_error: CSRFError) -> Response:
    message = _(
        "This form has expired or did not come from this site. Reload the page and try again."
    )
    refusal = HomewardError(message)
    refusal.status, refusal.code, refusal.localized = 400, "csrf_failed", True
    return error_page(refusal)


@web.errorhandler(Exception)
def any_error(error: Exception) -> Response:
    """Every other failure of a page, from a refusal to a bug, as an HTML page."""
    return error_page(shown(error))


render_pages_with("web", error_page)  # failures after the view, at commit, get a page too
