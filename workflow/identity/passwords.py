"""Password hashing with argon2id."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path
from typing import NoReturn

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app

from workflow.errors import InvalidInput

MIN_LENGTH, MAX_LENGTH = 12, 256
BREACHED = Path(__file__).parent / "common-passwords.txt.gz"
OWASP_MIN_MEMORY_KIB, OWASP_MIN_TIME_COST = 19 * 1024, 2

# A hash to verify against when the username is unknown, so both paths take the same time.
_DUMMY = "homeward-no-such-user"


def init_app(app: Flask) -> None:
    """Set up the argon2id hasher (production has refused settings below OWASP's floor, in
    `workflow.preflight`)."""
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


def check_new_password(password: str, username: str, field: str = "password") -> None:
    """Refuse a new password that is short, overlong, the username, or among those most often
    found in breaches; the refusal names the field and the rule, for a page to say in its
    reader's language."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        _refuse(
            field,
            "password_length",
            f"A password must be {MIN_LENGTH} to {MAX_LENGTH} characters long.",
        )
    folded = password.casefold()
    if username.casefold() in folded or folded in _breached():
        _refuse(field, "password_guessable", "That password is too easy to guess; choose another.")


def _refuse(field: str, problem: str, message: str) -> NoReturn:
    raise InvalidInput(message, [{"field": field, "problem": problem, "message": message}])


@cache
def _breached() -> frozenset[str]:
    with gzip.open(BREACHED, "rt", encoding="utf-8") as listed:
        return frozenset(line.strip().casefold() for line in listed if line.strip())


def hash_password(password: str) -> str:
    """Hash a password with argon2id and a fresh salt."""
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
