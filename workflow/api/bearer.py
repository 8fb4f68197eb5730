"""The API's callers sign in with a bearer token on every request."""

from __future__ import annotations

from flask import request

from workflow.errors import NotAuthenticated
from workflow.identity.current import sign_in_with_token


def require_user() -> None:
    """Resolve the bearer token into a user for this request, or refuse with 401."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("Sign in and send the access token as `Authorization: Bearer …`.")
    sign_in_with_token(token.strip())
