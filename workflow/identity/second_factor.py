"""The second factor: a time-based one-time code (RFC 6238) after the password, with single-use
recovery codes for a lost authenticator. Codes are accepted once: the last time step a code was
accepted in is kept, and a recovery code is spent when used."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

import pyotp
from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from workflow.errors import AlreadyEnrolled, Conflict
from workflow.models import RecoveryCode, SecondFactor, User
from workflow.vocabulary import Role

ISSUER = "Homeward"
STEP_SECONDS = 30
DRIFT_STEPS = 1  # a code from the step before or after is accepted: clocks drift
RECOVERY_CODES = 10
TOTP_CODE = re.compile(r"[0-9]{6}")  # ASCII digits only: int() would read '١٢٣٤٥٦' too
# Whom HOMEWARD_REQUIRE_SECOND_FACTOR binds: everyone but lawyers.
FORCED_ROLES = frozenset({Role.OFFICIAL, Role.AUDITOR, Role.ADMIN})


class WrongCode(Exception):
    """A code that was not accepted, and why (kept in the trail, never the code)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Enrolment:
    """A secret to put in an authenticator app, and the otpauth:// URI its QR code carries."""

    secret: str
    otpauth_uri: str


def confirmed_factor(db: Session, user_id: uuid.UUID) -> SecondFactor | None:
    """The user's second factor, if they have confirmed one."""
    factor = db.get(SecondFactor, user_id)
    return factor if factor is not None and factor.confirmed_at is not None else None


def remove_factor(db: Session, user_id: uuid.UUID) -> bool:
    """Forget the user's second factor and recovery codes; return whether one was confirmed."""
    had = confirmed_factor(db, user_id) is not None
    db.execute(delete(RecoveryCode).filter_by(user_id=user_id))
    db.execute(delete(SecondFactor).filter_by(user_id=user_id))
    return had


def pending_enrolment(db: Session, user: User) -> Enrolment | None:
    """The enrolment the user started and has not confirmed yet, if any."""
    factor = db.get(SecondFactor, user.id)
    if factor is None or factor.confirmed_at is not None:
        return None
    return _enrolment(factor.secret, user.username)


def start_enrolment(db: Session, user: User) -> Enrolment:
    """Give the user a new secret, pending until a code confirms it; a confirmed factor is
    never replaced this way (409): whoever holds a stolen session could otherwise take it."""
    factor = db.get(SecondFactor, user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise AlreadyEnrolled("A second factor is set up already; it cannot be replaced here.")
    secret = pyotp.random_base32()
    if factor is None:
        db.add(SecondFactor(user_id=user.id, secret=secret))
    else:
        factor.secret, factor.last_step = secret, None
    db.flush()
    return _enrolment(secret, user.username)


def confirm_enrolment(db: Session, user: User, code: str, now: datetime) -> list[str]:
    """Confirm the pending secret with a code from it; return new recovery codes, shown once
    and kept only as hashes."""
    factor = db.get(SecondFactor, user.id)
    if factor is None or factor.confirmed_at is not None:
        raise Conflict("There is no enrolment to confirm; start one first.")
    step = _matching_step(factor.secret, code, now)
    if step is None:
        raise WrongCode("wrong_code")
    factor.confirmed_at, factor.last_step = now, step
    return _new_recovery_codes(db, user.id)


def accept_code(db: Session, factor: SecondFactor, code: str, now: datetime) -> str:
    """Accept a code of the factor once, or one of its recovery codes once; return which kind
    it was, or raise WrongCode saying why not."""
    if not TOTP_CODE.fullmatch(code):
        _spend_recovery_code(db, factor.user_id, code, now)
        return "recovery_code"
    step = _matching_step(factor.secret, code, now)
    if step is None:
        raise WrongCode("wrong_code")
    # Compare and set in one statement: two requests with one code cannot both get in.
    claimed = db.execute(
        update(SecondFactor)
        .where(SecondFactor.user_id == factor.user_id)
        .where(or_(SecondFactor.last_step.is_(None), SecondFactor.last_step < step))
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise WrongCode("code_replayed")
    return "code"


def recovery_codes_left(db: Session, user_id: uuid.UUID) -> int:
    return int(
        db.scalar(
            select(func.count()).select_from(RecoveryCode).filter_by(user_id=user_id, used_at=None)
        )
        or 0
    )


def must_enrol(db: Session, user: User) -> bool:
    """Whether the setting holds this user to nothing but setting up their second factor."""
    if not current_app.config["REQUIRE_SECOND_FACTOR"] or user.role not in FORCED_ROLES:
        return False
    return confirmed_factor(db, user.id) is None


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    if not TOTP_CODE.fullmatch(code):
        return None
    totp, current = pyotp.TOTP(secret), int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _spend_recovery_code(db: Session, user_id: uuid.UUID, code: str, now: datetime) -> None:
    spent = db.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
        .where(RecoveryCode.code_hash == _digest(code))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(spent, "rowcount", 0) != 1:
        raise WrongCode("wrong_code")


def _new_recovery_codes(db: Session, user_id: uuid.UUID) -> list[str]:
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    db.add_all(RecoveryCode(user_id=user_id, code_hash=_digest(code)) for code in codes)
    db.flush()
    return codes


def _recovery_code() -> str:
    """80 random bits as 16 letters and digits, in groups of four for copying by hand."""
    text = base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()
    return "-".join(text[start : start + 4] for start in range(0, len(text), 4))


def _digest(code: str) -> str:
    """The hash of a recovery code as typed: case, spaces and hyphens do not count."""
    folded = "".join(code.split()).replace("-", "").lower()
    return hashlib.sha256(folded.encode("utf-8", "replace")).hexdigest()


def _enrolment(secret: str, username: str) -> Enrolment:
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)
    return Enrolment(secret, uri)
