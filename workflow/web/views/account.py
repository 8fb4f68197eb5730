"""Signing in and out, choosing the language, and each role's start page."""

from __future__ import annotations

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from pydantic import ValidationError
from sqlalchemy import select

from workflow import transactions
from workflow.demo import USERS, demo_marker
from workflow.errors import HomewardError, NotAuthenticated, SecondFactorRequired, TooManyAttempts
from workflow.models import User
from workflow.schemas import LoginIn
from workflow.services.accounts import remember_language
from workflow.vocabulary import Language
from workflow.web import LANGUAGES, signin
from workflow.web.blueprint import web
from workflow.web.chrome import HOMES
from workflow.web.labels import label
from workflow.web.refusals import drawn_again, wait_message


@web.get("/")
def home() -> ResponseReturnValue:
    """Send each user where their work is (a stranger was sent to sign in before this)."""
    return redirect(url_for(HOMES[g.user.role]))


@web.get("/sign-in")
def sign_in_page() -> ResponseReturnValue:
    next_path = signin.safe_next(request.args.get("next"))
    if g.get("user"):
        return redirect(next_path or url_for("web.home"))
    ended = bool(session.pop("ended", False))
    return render_template(
        "sign_in.html", title=_("Sign in"), next=next_path, ended=ended, demo=_demo_accounts()
    )


@web.post("/sign-in")
def sign_in() -> ResponseReturnValue:
    """Sign in as the API does: the same accounts, throttling and session limits."""
    next_path = signin.safe_next(request.args.get("next"))
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    try:
        credentials = LoginIn(username=username, password=password)  # the API's own checks
        signin.sign_in(credentials.username, credentials.password)
    except SecondFactorRequired:
        return redirect(url_for("web.sign_in_code_page", next=next_path), 303)
    except (ValidationError, NotAuthenticated):
        problem = _("The username or password is wrong.")
        return _sign_in_again(username, next_path, problem, NotAuthenticated(problem))
    except TooManyAttempts as error:
        return _sign_in_again(username, next_path, wait_message(error), error)
    return redirect(next_path or url_for("web.home"), 303)


@web.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    signin.sign_out()
    return redirect(url_for("web.sign_in_page"), 303)


@web.post("/language")
def choose_language() -> ResponseReturnValue:
    """Keep the user's pick for this browser, and for a signed-in user's mail; return to the
    page they were on."""
    picked = request.form.get("language")
    if picked in LANGUAGES:
        session["language"] = picked
        if g.get("user"):
            remember_language(Language(picked))
    return redirect(signin.safe_next(request.form.get("next")) or url_for("web.home"), 303)


def _sign_in_again(
    username: str, next_path: str | None, problem: str, refusal: HomewardError
) -> tuple[str, int]:
    page = render_template(
        "sign_in.html",
        title=_("Sign in"),
        next=next_path,
        username=username[:64],
        problem=problem,
    )
    return drawn_again(page, refusal)


def _demo_accounts() -> list[tuple[str, str, str]]:
    """Outside production, the demo users a newcomer can sign in as, and what each one does."""
    if current_app.config["ENV"] == "production" or not demo_marker().exists():
        return []
    found = transactions.session().scalars(select(User).where(User.username.in_(USERS))).all()
    by_name = {user.username: user for user in found}
    return [
        (name, label("role", by_name[name].role.value), by_name[name].agency.name)
        for name in USERS
        if name in by_name
    ]
