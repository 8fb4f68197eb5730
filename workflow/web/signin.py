"""Signing in and out of the web pages with the API's accounts, throttling and session limits.

The browser holds only the session's id in a signed, HTTP-only cookie; whether that session is
still live (not signed out, idle or past its absolute limit) is checked on every page."""

from __future__ import annotations

import uuid

from flask import g, request, session

from audit import recorder as audit
from workflow import transactions
from workflow.identity import operations
from workflow.models import User


def sign_in(username: str, password: str) -> User:
    """Check the credentials as the API does and start a fresh cookie for the new session."""
    tokens = operations.login(transactions.session(), username, password, request.remote_addr)
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
