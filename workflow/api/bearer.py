"""The API's callers sign in with a bearer token on every request."""

from __future__ import annotations

from flask import request

from workflow import transactions
from workflow.errors import EnrolmentRequired, NotAuthenticated
from workflow.identity.current import current_session_if_any, current_user, sign_in_with_token
from workflow.identity.second_factor import must_enrol

# What a user held to setting up a second factor may still do: that, and who am I, and leave.
WHILE_ENROLLING = frozenset({"me.start_totp", "me.confirm_totp", "me.me", "me.logout"})


def require_user() -> None:
    """Resolve the bearer token into a user for this request, or refuse with 401 (or 403 while
    the user must set up a second factor first)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("Sign in and send the access token as `Authorization: Bearer …`.")
    sign_in_with_token(token.strip())
    _insist_on_enrolment()


def _insist_on_enrolment() -> None:
    """Under HOMEWARD_REQUIRE_SECOND_FACTOR, refuse all but enrolling to an account without one.
    A provider's token is let through: its sign-in, second factor included, is the provider's."""
    if request.endpoint in WHILE_ENROLLING or current_session_if_any() is None:
        return
    if must_enrol(transactions.session(), current_user()):
        raise EnrolmentRequired(
            "Set up a second factor first: POST /api/v1/me/totp, then /api/v1/me/totp/confirm."
        )
