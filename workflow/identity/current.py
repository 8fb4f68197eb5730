"""The signed-in user of the current request."""

from __future__ import annotations

import uuid

from flask import g, request

from workflow import db
from workflow.errors import NotAuthenticated
from workflow.identity.operations import live_session_user
from workflow.identity.tokens import decode_access_token
from workflow.models import User


def require_user() -> None:
    """Resolve the bearer token into a user for this request, or refuse with 401."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("Sign in and send the access token as `Authorization: Bearer …`.")
    claims = decode_access_token(token.strip())
    try:
        session_id, user_id = uuid.UUID(claims["sid"]), uuid.UUID(claims["sub"])
    except ValueError:
        raise NotAuthenticated("The access token is missing, invalid or expired.") from None
    user = live_session_user(db.session(), session_id, user_id)
    if user is None:
        raise NotAuthenticated("The session has ended; sign in again.")
    g.user, g.session_id = user, session_id


def current_user() -> User:
    user: User = g.user
    return user


def current_session_id() -> uuid.UUID:
    session_id: uuid.UUID = g.session_id
    return session_id
