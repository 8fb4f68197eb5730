"""Signing in, refreshing, signing out, who am I, and changing my password."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_openapi3 import APIBlueprint, Tag

from audit import recorder as audit
from workflow import transactions
from workflow.api.answers import (
    CallerOut,
    EnrolledOut,
    EnrolmentOut,
    PasswordChangedOut,
    TokensOut,
)
from workflow.api.bearer import require_user
from workflow.api.guards import check_json_body
from workflow.identity import operations
from workflow.identity.current import current_session_id, current_user
from workflow.schemas import LoginIn, PasswordChangeIn, RefreshIn, TotpConfirmIn
from workflow.services.accounts import change_own_password
from workflow.services.second_factor import confirm_own_enrolment, start_own_enrolment

TAG = Tag(name="auth", description="Sessions and tokens")
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]

blueprint = APIBlueprint("auth", __name__, url_prefix="/api/v1/auth", abp_tags=[TAG])
protected = APIBlueprint(
    "me", __name__, url_prefix="/api/v1", abp_tags=[TAG], abp_security=SECURITY
)
protected.before_request(require_user)
protected.before_request(check_json_body)
blueprint.before_request(check_json_body)


@blueprint.post("/login", responses={200: TokensOut})
def login(body: LoginIn) -> Response:
    """Sign in with username and password, and `totp` once the account has a second factor;
    receive an access and a refresh token."""
    tokens = operations.login(
        transactions.session(), body.username, body.password, request.remote_addr, body.totp
    )
    audit.note(actor=tokens.user)
    return jsonify(tokens.as_json())


@blueprint.post("/refresh", responses={200: TokensOut})
def refresh(body: RefreshIn) -> Response:
    """Trade a refresh token for a new pair; the old refresh token stops working."""
    tokens = operations.refresh(transactions.session(), body.refresh_token)
    audit.note(actor=tokens.user)
    return jsonify(tokens.as_json())


@protected.post("/auth/logout", responses={204: None})
def logout() -> tuple[str, int]:
    """End this session: its refresh and access tokens stop working at once."""
    operations.logout(transactions.session(), current_session_id())
    return "", 204


@protected.get("/me", responses={200: CallerOut})
def me() -> Response:
    """The signed-in user: username, role and agency."""
    user = current_user()
    return jsonify(
        {
            "id": str(user.id),
            "username": user.username,
            "role": user.role.value,
            "agency": {
                "id": str(user.agency.id),
                "name": user.agency.name,
                "kind": user.agency.kind.value,
            },
        }
    )


@protected.post("/me/password", responses={200: PasswordChangedOut})
def change_password(body: PasswordChangeIn) -> Response:
    """Change my password; every other session of mine ends, this one goes on."""
    ended = change_own_password(body.current_password, body.new_password, request.remote_addr)
    return jsonify({"changed": True, "other_sessions_ended": ended})


@protected.post("/me/totp", responses={200: EnrolmentOut})
def start_totp() -> Response:
    """Start setting up a TOTP second factor: put the secret in an authenticator app, then
    confirm with a code. Refused (409) while a confirmed factor exists: it is never replaced."""
    enrolment = start_own_enrolment()
    return jsonify({"secret": enrolment.secret, "otpauth_uri": enrolment.otpauth_uri})


@protected.post("/me/totp/confirm", responses={200: EnrolledOut})
def confirm_totp(body: TotpConfirmIn) -> Response:
    """Confirm the second factor with a code from it; from then on sign-in needs a code. The
    recovery codes in the answer are shown this once."""
    codes = confirm_own_enrolment(body.code)
    return jsonify({"enrolled": True, "recovery_codes": codes})
