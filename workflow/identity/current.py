"""The signed-in user of the current request or page, resolved from an access token."""

from __future__ import annotations

import uuid

from flask import current_app, g

from workflow import transactions
from workflow.errors import Conflict, NotAuthenticated
from workflow.identity import external
from workflow.identity.operations import live_session_user
from workflow.identity.tokens import decode_access_token, verified_before
from workflow.models import User


def sign_in_with_token(token: str) -> None:
    """Make the holder of this access token (Homeward's or a trusted provider's) the current
    user, or refuse with 401."""
    # A token Homeward verified before is Homeward's, and is checked again as such; any other's
    # unverified issuer only chooses who verifies it, and each path checks it again.
    ours = current_app.config["JWT_ISSUER"]
    issuer = ours if verified_before(token) else external.unverified_issuer(token)
    if issuer == ours:
        g.user, g.session_id = _session_user(token)
    else:
        # A provider's token has no Homeward session behind it: it lives until it expires.
        g.user, g.session_id = external.signed_in_user(transactions.session(), token, issuer), None


def current_user() -> User:
    user: User = g.user
    return user


def current_session_id() -> uuid.UUID:
    """This request's Homeward session; a provider's token has none to end (409)."""
    session_id: uuid.UUID | None = g.session_id
    if session_id is None:
        raise Conflict(
            "This sign-in came from your agency's identity provider; sign out there instead."
        )
    return session_id


def current_session_if_any() -> uuid.UUID | None:
    """This request's Homeward session, or None for a provider's token, which has none."""
    session_id: uuid.UUID | None = g.get("session_id")
    return session_id


def _session_user(token: str) -> tuple[User, uuid.UUID]:
    claims = decode_access_token(token)
    try:
        session_id, user_id = uuid.UUID(claims["sid"]), uuid.UUID(claims["sub"])
    except ValueError:
        raise NotAuthenticated("The access token is missing, invalid or expired.") from None
    user = live_session_user(transactions.session(), session_id, user_id)
    if user is None:
        raise NotAuthenticated("The session has ended; sign in again.")
    return user, session_id
