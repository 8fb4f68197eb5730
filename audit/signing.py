"""The Ed25519 key that signs checkpoints, kept in a file outside the database."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from workflow.config import ConfigError


def load_or_create(path: Path, *, create: bool) -> Ed25519PrivateKey:
    """Read the checkpoint key; in development make one on first use."""
    if not path.exists():
        if not create:
            raise ConfigError(f"no audit signing key at {path}: run `homeward audit keygen`")
        return generate(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{path.name} is not an Ed25519 private key")
    return key


def generate(path: Path) -> Ed25519PrivateKey:
    """Write a new key readable only by its owner."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.touch(mode=0o600)
    path.write_bytes(pem)
    return key


def public_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(base64.b64decode(public_text(key))).hexdigest()[:16]


def _signed_bytes(statement: dict[str, Any]) -> bytes:
    unsigned = {k: v for k, v in statement.items() if k != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":")).encode()


def sign(key: Ed25519PrivateKey, statement: dict[str, Any]) -> dict[str, Any]:
    """The statement with its key id and an Ed25519 signature over everything else."""
    body = {**statement, "key_id": key_id(key.public_key())}
    signature = key.sign(_signed_bytes(body))
    return {**body, "signature": base64.b64encode(signature).decode()}


def verify(public: Ed25519PublicKey, statement: dict[str, Any]) -> bool:
    """Whether the statement was signed by this key and not changed since."""
    try:
        public.verify(
            base64.b64decode(str(statement.get("signature", ""))), _signed_bytes(statement)
        )
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
