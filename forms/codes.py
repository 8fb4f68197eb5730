"""Verification codes: unguessable, short enough to type from paper, forgiving of misreading."""

from __future__ import annotations

import base64
import hashlib
import secrets

RANDOM_BYTES = 15  # 120 bits: 24 characters of base32
GROUP = 4
# Base32 has no 0, 1 or 8: read from paper, they can only be O, I and B.
MISREADINGS = str.maketrans({"0": "O", "1": "I", "8": "B"})
ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def new_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(RANDOM_BYTES)).decode()
    return _grouped(raw)


def normalise(typed: str) -> str | None:
    """The code as issued, from what a person typed; None if it cannot be a code."""
    if len(typed) > 64:
        return None
    cleaned = typed.upper().replace("-", "").replace(" ", "").translate(MISREADINGS)
    if len(cleaned) != RANDOM_BYTES * 8 // 5 or not set(cleaned) <= ALPHABET:
        return None
    return _grouped(cleaned)


def digest(code: str) -> str:
    """Hash the code for storage, so a copy of the database hands out no working links."""
    return hashlib.sha256(code.encode()).hexdigest()


def _grouped(raw: str) -> str:
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))
