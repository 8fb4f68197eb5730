"""Tokens from an agency's own identity provider, verified the RFC 8725 way, mapped to a user."""

from __future__ import annotations

import base64
import logging
from typing import Any

from jose import jwk, jwt
from jose.exceptions import JOSEError
from sqlalchemy.orm import Session

from workflow.identity.providers import Provider, trusted
from workflow.identity.tokens import CLOCK_SKEW, FORBIDDEN_HEADERS, issued_in_future, refusal
from workflow.models import ExternalIdentity, User

log = logging.getLogger(__name__)

MAX_TOKEN_BYTES = 8192  # a provider's tokens carry more claims (groups, scopes) than ours
REQUIRED = ("exp", "iat", "aud", "iss")
KEY_TYPES = {"RS": "RSA", "ES": "EC"}
CURVES = {"ES256": "P-256", "ES384": "P-384"}
PUBLIC_MEMBERS = {"RSA": ("kty", "n", "e"), "EC": ("kty", "crv", "x", "y")}
MIN_RSA_BITS = 2048


def unverified_issuer(token: str) -> object:
    """The `iss` a token claims, read before any check, only to choose who verifies it."""
    if len(token.encode("utf-8", "replace")) > MAX_TOKEN_BYTES:
        raise refusal("oversized")
    try:
        claims = jwt.get_unverified_claims(token)
    except (JOSEError, ValueError, TypeError):
        raise refusal("malformed") from None
    return claims.get("iss") if isinstance(claims, dict) else None


def signed_in_user(db: Session, token: str, issuer: object) -> User:
    """Verify a provider's token and return the active user its subject is linked to."""
    provider = trusted().provider(issuer)
    if provider is None:
        raise refusal("unknown_issuer")
    subject = verify(token, provider).get(provider.subject_claim)
    if not isinstance(subject, str) or not subject:
        raise refusal("claims")
    link = db.get(ExternalIdentity, (provider.issuer, subject))
    user = db.get(User, link.user_id) if link is not None else None
    # The role and agency are the Homeward account's, never the token's: a provider's groups
    # claim must not be able to grant a Homeward role, so accounts are never made on sign-in.
    if user is None or not user.active or user.agency.name != provider.agency:
        log.info("identity provider %s: token for no active linked user", provider.name)
        raise refusal("unlinked_or_inactive_user")
    return user


def verify(token: str, provider: Provider) -> dict[str, Any]:
    """Check a token's signature and claims against one provider; return the claims."""
    if len(token.encode("utf-8", "replace")) > MAX_TOKEN_BYTES:
        raise refusal("oversized")
    header = _header(token, provider)
    key = _public_key(provider, header["kid"], header["alg"])
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[header["alg"]],
            audience=provider.audience,
            issuer=provider.issuer,
            options={"leeway": CLOCK_SKEW.total_seconds()}
            | {f"require_{claim}": True for claim in REQUIRED},
        )
    except (JOSEError, ValueError, TypeError):
        raise refusal("signature_or_claims") from None
    _check_issued_at(claims)
    return claims


def _header(token: str, provider: Provider) -> dict[str, Any]:
    try:
        header: dict[str, Any] = jwt.get_unverified_header(token)
    except (JOSEError, ValueError, TypeError):
        raise refusal("malformed") from None
    if header.get("alg") not in provider.algorithms:
        raise refusal("algorithm")
    if FORBIDDEN_HEADERS & header.keys():
        raise refusal("forbidden_header")
    if not isinstance(header.get("kid"), str):
        raise refusal("unknown_or_retired_key")
    return header


def _public_key(provider: Provider, kid: str, alg: str) -> Any:
    """The provider's key for this kid, built for exactly this algorithm, or refuse."""
    found = trusted().public_jwk(provider, kid)
    if found is None or not _fits(found, alg):
        raise refusal("unknown_or_retired_key")
    public = {member: found[member] for member in PUBLIC_MEMBERS[found["kty"]]}
    try:
        # A key object, never a PEM string: python-jose would verify an HMAC over a string.
        return jwk.construct(public, alg)
    except (JOSEError, ValueError, TypeError):
        raise refusal("unknown_or_retired_key") from None


def _fits(key: dict[str, Any], alg: str) -> bool:
    """Whether a published key may verify this algorithm: its type, curve, use and size."""
    kty = KEY_TYPES[alg[:2]]
    if key.get("kty") != kty or key.get("use", "sig") != "sig":
        return False
    if not all(isinstance(key.get(member), str) for member in PUBLIC_MEMBERS[kty]):
        return False
    if key.get("alg", alg) != alg or key.get("crv", CURVES.get(alg)) != CURVES.get(alg):
        return False
    return kty != "RSA" or _modulus_bits(key["n"]) >= MIN_RSA_BITS


def _modulus_bits(value: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        return 0
    return int.from_bytes(raw, "big").bit_length()


def _check_issued_at(claims: dict[str, Any]) -> None:
    issued = claims["iat"]
    if isinstance(issued, bool) or not isinstance(issued, int | float):
        raise refusal("claims")
    if issued_in_future(issued):
        raise refusal("issued_in_future")
