"""Signing in and out of the web pages with the API's accounts, throttling and session limits.

The browser holds only the session's id in a signed, HTTP-only cookie; whether that session is
still live (not signed out, idle or past its absolute limit) is checked on every page."""

from __future__ import annotations

import time
import uuid

from flask import g, request, session

from audit import recorder as audit
from workflow import transactions
from workflow.errors import NotAuthenticated, SecondFactorRequired
from workflow.identity import operations
from workflow.identity.operations import TokenPair
from workflow.identity.second_factor import must_enrol
from workflow.models import User

PENDING_SECONDS = 300  # how long a right password waits for its code


def sign_in(username: str, password: str) -> User:
    """Check the credentials as the API does and start a fresh cookie for the new session; a
    user with a second factor is asked for it next (SecondFactorRequired), and meanwhile the
    cookie holds only who passed the password and until when, never the password."""
    try:
        tokens = operations.login(transactions.session(), username, password, request.remote_addr)
    except SecondFactorRequired as asked:
        _forget()
        session["pending"] = {
            "uid": str(asked.user_id),
            "until": int(time.time()) + PENDING_SECONDS,
        }
        audit.note(detail={"second_factor": "asked"})
        raise
    return _start(tokens)


def finish_sign_in(code: str) -> User:
    """The second step: the code of the user who gave the right password a moment ago."""
    user_id = pending_user_id()
    if user_id is None:
        raise NotAuthenticated("Sign in again: the wait for the code is over.")
    tokens = operations.finish_login(transactions.session(), user_id, code, request.remote_addr)
    return _start(tokens)


def pending_user_id() -> uuid.UUID | None:
    """Who gave the right password and has not yet given the code, if the wait is not over."""
    pending = session.get("pending")
    if not isinstance(pending, dict):
        return None
    try:
        if int(pending["until"]) >= time.time():
            return uuid.UUID(pending["uid"])
    except (TypeError, KeyError, ValueError):
        pass
    return None


def must_enrol_now() -> bool:
    """Whether the signed-in user may do nothing but set up their second factor."""
    return g.get("user") is not None and must_enrol(transactions.session(), g.user)


def _start(tokens: TokenPair) -> User:
    audit.note(actor=tokens.user)
    language = session.get("language")
    session.clear()  # a cookie from before sign-in never carries over into the session
    session.update(sid=str(tokens.session_id), uid=str(tokens.user.id), language=language)
    g.user, g.session_id = tokens.user, tokens.session_id
    return tokens.user


def load_user() -> bool:
    """Put the signed-in user on `g` if the cookie names a live session; forget it otherwise."""
    g.user, g.session_id = None, None
    try:
        session_id, user_id = uuid.UUID(session["sid"]), uuid.UUID(session["uid"])
    except (KeyError, ValueError, TypeError):
        return False
    user = operations.live_session_user(transactions.session(), session_id, user_id)
    if user is None:
        _forget()
        session["ended"] = True  # the sign-in page, a redirect away, says why
        return False
    g.user, g.session_id = user, session_id
    return True


def sign_out() -> None:
    """End the session on the server, not only in this browser."""
    if g.get("session_id"):
        operations.logout(transactions.session(), g.session_id)
    _forget()


def safe_next(path: str | None) -> str | None:
    """A path on this site to return to after signing in, never another site's address."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    if any(ord(character) < 0x20 or ord(character) == 0x7F for character in path):
        return None  # a tab or newline is dropped on the way, and "/<tab>/site" becomes "//site"
    path = path.rstrip("?")
    return path if len(path) <= 512 and path != "/" else None


def _forget() -> None:
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
