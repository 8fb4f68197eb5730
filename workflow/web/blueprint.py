"""The web pages' blueprint: signed-in users only, CSRF on every form, HTML errors, no caching."""

from __future__ import annotations

from flask import Blueprint, Response, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect

from workflow.errors import HomewardError
from workflow.web import signin

csrf = CSRFProtect()
web = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)
# Pages load only their own stylesheet, images and script; forms post only back here.
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PUBLIC_ENDPOINTS = {"web.sign_in_page", "web.sign_in", "web.choose_language", "web.static"}


@web.before_request
def protect() -> ResponseReturnValue | None:
    """Check the form's CSRF token on every post, then insist on a live sign-in."""
    if request.method == "POST":
        csrf.protect()
    if request.endpoint in PUBLIC_ENDPOINTS:
        signin.load_user()
        return None
    if not signin.load_user():
        return redirect(url_for("web.sign_in_page", next=signin.safe_next(request.full_path)))
    return None


@web.after_request
def page_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
    if request.endpoint != "web.static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@web.errorhandler(HomewardError)
def domain_error(error: HomewardError) -> tuple[str, int]:
    g.error_code = error.code
    return render_template("error.html", error=error, title=error.message), error.status


@web.errorhandler(CSRFError)
def expired_form(_error: CSRFError) -> tuple[str, int]:
    g.error_code = "csrf_failed"
    message = _(
        "This form has expired or did not come from this site. Reload the page and try again."
    )
    return render_template("error.html", message=message, title=message), 400


@web.errorhandler(404)
def no_page(_error: Exception) -> tuple[str, int]:
    g.error_code = "not_found"
    message = _("There is no such page, or you may not see it.")
    return render_template("error.html", message=message, title=message), 404
