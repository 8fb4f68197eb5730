"""Access tokens: ES256 JWTs verified the RFC 8725 way: pinned algorithm, kid from our own ring."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from jose import jwt
from jose.exceptions import ExpiredSignatureError, JOSEError, JWTClaimsError

from audit import recorder as audit
from workflow.errors import NotAuthenticated
from workflow.identity.keys import ALGORITHM, KeyRing, create, load
from workflow.key_folders import keys_in
from workflow.models import User

MAX_TOKEN_BYTES = 4096
CLOCK_SKEW = timedelta(seconds=30)
FORBIDDEN_HEADERS = frozenset({"jku", "x5u", "jwk", "x5c", "crit"})
REQUIRED = ("exp", "iat", "aud", "iss", "sub", "jti")
KEY_RING = "homeward.keys"  # where the app keeps the signing keys it read


def key_ring() -> KeyRing:
    """The signing keys, read on first use and again when `homeward keys rotate` adds one."""
    return keys_in(KEY_RING, "KEYS_DIR", "*.pem", create, load)


def verified_before(token: str) -> bool:
    """Whether this service's key ring verified the token already: then it is Homeward's. Only
    a ring this process has read is asked; none is read (nor made) for a provider's token."""
    ring: KeyRing | None = current_app.extensions.get(KEY_RING)
    return ring is not None and len(token) <= MAX_TOKEN_BYTES and ring.remembers(token)


def issue_access_token(user: User, session_id: uuid.UUID, now: datetime) -> tuple[str, int]:
    """Sign a short-lived access token for one session; return it and its lifetime in seconds."""
    lifetime = int(current_app.config["ACCESS_TOKEN_MINUTES"]) * 60
    claims = {
        "iss": current_app.config["JWT_ISSUER"],
        "aud": current_app.config["JWT_AUDIENCE"],
        "sub": str(user.id),
        "sid": str(session_id),
        "jti": uuid.uuid4().hex,
        "typ": "access",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=lifetime)).timestamp()),
    }
    key = key_ring().current
    token = jwt.encode(claims, key.private_pem, algorithm=ALGORITHM, headers={"kid": key.kid})
    return str(token), lifetime


def decode_access_token(token: str) -> dict[str, Any]:
    """Verify a bearer token and return its claims, or raise NotAuthenticated.

    A client sends one token for minutes: its signature and the claims that never change are
    checked once by each key ring, what time changes (its expiry, its key's retirement) on
    every use."""
    if len(token.encode("utf-8", "replace")) > MAX_TOKEN_BYTES:
        raise refusal("oversized")
    now = datetime.now(UTC)
    ring = key_ring()
    known = ring.recall(token)
    if known is None:
        return _verify(ring, token, now)
    kid, claims = known
    if ring.verifying(kid, now, verification_grace()) is None:
        raise refusal("unknown_or_retired_key")
    if claims["exp"] < int(now.timestamp()):  # python-jose's test, to the second
        raise refusal("expired")
    return claims


def _verify(ring: KeyRing, token: str, now: datetime) -> dict[str, Any]:
    """Every check of a token the ring has not verified, remembering it once it passes."""
    kid = _header(token).get("kid")
    key = ring.verifying(kid, now, verification_grace())
    if key is None:
        raise refusal("unknown_or_retired_key")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.verifier,
            algorithms=[ALGORITHM],
            audience=current_app.config["JWT_AUDIENCE"],
            issuer=current_app.config["JWT_ISSUER"],
            options={f"require_{claim}": True for claim in REQUIRED},
        )
    except ExpiredSignatureError:
        raise refusal("expired") from None
    except JWTClaimsError:
        raise refusal("claims") from None
    except (JOSEError, ValueError, TypeError):
        raise refusal(_missing_claim(token) or "signature") from None
    _check_claims(claims)
    ring.remember(token, key.kid, claims)
    return claims


def _header(token: str) -> dict[str, Any]:
    try:
        header: dict[str, Any] = jwt.get_unverified_header(token)
    except (JOSEError, ValueError, TypeError):
        raise refusal("malformed") from None
    if header.get("alg") != ALGORITHM:
        raise refusal("algorithm")
    if FORBIDDEN_HEADERS & header.keys():
        raise refusal("forbidden_header")
    return header


def _check_claims(claims: dict[str, Any]) -> None:
    if claims.get("typ") != "access" or not isinstance(claims.get("sid"), str):
        raise refusal("wrong_kind")
    issued = claims["iat"]
    if not isinstance(issued, int) or issued_in_future(issued):
        raise refusal("issued_in_future")


def issued_in_future(issued: float) -> bool:
    """Whether a token claims to be issued later than now allows, clock skew included."""
    return issued > (datetime.now(UTC) + CLOCK_SKEW).timestamp()


def _missing_claim(token: str) -> str | None:
    """Name the refusal of a token that lacks a required claim (python-jose says only JWTError)."""
    try:
        present = jwt.get_unverified_claims(token).keys()
    except (JOSEError, ValueError, TypeError, AttributeError):
        return None
    return "claims" if set(REQUIRED) - present else None


def verification_grace() -> timedelta:
    """How long a replaced key still verifies: the tokens it signed live this long at most."""
    return timedelta(minutes=int(current_app.config["ACCESS_TOKEN_MINUTES"])) + CLOCK_SKEW


def refusal(reason: str) -> NotAuthenticated:
    """The one answer to every bad token; only the trail learns which check failed."""
    audit.note(detail={"refused": reason})
    return NotAuthenticated("The access token is missing, invalid or expired.")
