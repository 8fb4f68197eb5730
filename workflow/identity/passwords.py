"""Password hashing with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app

# A hash to verify against when the username is unknown, so both paths take the same time.
_DUMMY = "homeward-no-such-user"


def init_app(app: Flask) -> None:
    hasher = PasswordHasher(
        time_cost=app.config["ARGON2_TIME_COST"],
        memory_cost=app.config["ARGON2_MEMORY_KIB"],
        parallelism=app.config["ARGON2_PARALLELISM"],
    )
    app.extensions["homeward.hasher"] = hasher
    app.extensions["homeward.dummy_hash"] = hasher.hash(_DUMMY)


def _hasher() -> PasswordHasher:
    hasher: PasswordHasher = current_app.extensions["homeward.hasher"]
    return hasher


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash (no such user) spend the same effort and refuse."""
    try:
        ok = bool(
            _hasher().verify(
                password_hash or current_app.extensions["homeward.dummy_hash"], password
            )
        )
    except (VerificationError, InvalidHashError):
        return False
    return ok and password_hash is not None
