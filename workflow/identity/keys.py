"""The key ring that signs and verifies Homeward's tokens: EC P-256 keys chosen by `kid`."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jose import jwk
from jose.backends.base import Key

from workflow.config import ConfigError

ALGORITHM = "ES256"
STAMP = "%Y%m%dT%H%M%S%f"
STAMP_LENGTH = len("20260101T000000000000")
MOST_REMEMBERED_TOKENS = 4096  # the kid and claims of each: a few MiB at most


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_pem: str
    public_pem: str
    created: datetime  # from the file name, which every key must start with

    @cached_property
    def verifier(self) -> Key:
        """The public key, parsed once: a token is verified on every request."""
        return jwk.construct(self.public_pem, ALGORITHM)

    def public_jwk(self) -> dict[str, Any]:
        key: dict[str, Any] = self.verifier.to_dict()
        return {**key, "kid": self.kid, "use": "sig", "alg": ALGORITHM}


class KeyRing:
    """Every key that may verify; the newest one signs."""

    def __init__(self, keys: list[SigningKey], loaded_at: int = 0) -> None:
        self.loaded_at = loaded_at  # the key directory's mtime when read
        # The tokens these keys verified, by their digest: the kid and claims of each. A ring
        # belongs to one app and is read afresh when a key comes or goes, forgetting them all.
        self._verified_tokens: dict[bytes, tuple[str, dict[str, Any]]] = {}
        if not keys:
            raise ConfigError("no signing key: run `homeward keys rotate` or set HOMEWARD_KEYS_DIR")
        self._keys = {key.kid: key for key in keys}
        self.current = max(keys, key=lambda key: key.kid)

    def get(self, kid: object) -> SigningKey | None:
        """Find a key by its kid, which the token names and we only look up, never follow."""
        return self._keys.get(kid) if isinstance(kid, str) else None

    def remember(self, token: str, kid: str, claims: dict[str, Any]) -> None:
        """Keep a token that passed every check, with the kid that verified it; past
        `MOST_REMEMBERED_TOKENS` the ring forgets them all and starts again."""
        if len(self._verified_tokens) >= MOST_REMEMBERED_TOKENS:
            self._verified_tokens.clear()
        self._verified_tokens[_digest(token)] = (kid, dict(claims))

    def remembers(self, token: str) -> bool:
        """Whether this ring verified the token (and still remembers it)."""
        return _digest(token) in self._verified_tokens

    def recall(self, token: str) -> tuple[str, dict[str, Any]] | None:
        """The kid and claims of a token this ring verified, if it remembers it."""
        known = self._verified_tokens.get(_digest(token))
        return (known[0], dict(known[1])) if known else None

    def verifying(self, kid: object, now: datetime, grace: timedelta) -> SigningKey | None:
        """The key named by kid, unless a newer key replaced it longer than `grace` ago: by then
        every token it signed has expired, and a stolen old key signs nothing that passes."""
        key = self.get(kid)
        if key is None or key is self.current:
            return key
        replaced_at = min(k.created for k in self._keys.values() if k.kid > key.kid)
        return key if now < replaced_at + grace else None

    def jwks(self, now: datetime, grace: timedelta) -> dict[str, Any]:
        """The public keys that still verify."""
        ordered = sorted(self._keys.values(), key=lambda k: k.kid)
        return {
            "keys": [key.public_jwk() for key in ordered if self.verifying(key.kid, now, grace)]
        }


def _digest(token: str) -> bytes:
    """What a remembered token is kept under: never the bearer token itself."""
    return hashlib.sha256(token.encode("utf-8", "replace")).digest()


def _created(kid: str) -> datetime | None:
    """Read when a key was made from its name; None for a name that does not start with it."""
    try:
        return datetime.strptime(kid[:STAMP_LENGTH], STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None


def load(directory: Path) -> KeyRing:
    """Read every `*.pem` private key in a directory."""
    paths = sorted(directory.glob("*.pem")) if directory.is_dir() else []
    stamp = directory.stat().st_mtime_ns if directory.is_dir() else 0
    return KeyRing([_read(path) for path in paths], stamp)


def create(directory: Path) -> SigningKey:
    """Generate a new key, readable only by its owner; its kid sorts after the older ones."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    stamp = datetime.now(UTC).strftime(STAMP)
    path = directory / f"{stamp}-{hashlib.sha256(pem).hexdigest()[:8]}.pem"
    # Written aside and renamed into place: a worker that reloads the ring when the folder
    # changes must never find a half-written key.
    partial = directory / f".{path.name}.partial"
    partial.touch(mode=0o600)
    partial.write_bytes(pem)
    os.replace(partial, path)
    return _read(path)


def _read(path: Path) -> SigningKey:
    created = _created(path.stem)
    if created is None:  # the name orders the keys and dates their replacement
        raise ConfigError(
            f"signing key {path.name} must be named by its creation time, as `homeward keys "
            "rotate` names keys"
        )
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise ConfigError(f"signing key {path.name} cannot be read: {error}") from None
    if not isinstance(private, ec.EllipticCurvePrivateKey) or private.curve.name != "secp256r1":
        raise ConfigError(f"signing key {path.name} is not an EC P-256 key")
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return SigningKey(
        kid=path.stem,
        private_pem=private_pem.decode(),
        public_pem=public_pem.decode(),
        created=created,
    )
