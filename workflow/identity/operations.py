"""Signing in and out: sessions with rotating refresh tokens, and user accounts."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.db import utcnow
from workflow.errors import Conflict, InvalidInput, NotAuthenticated
from workflow.identity.passwords import hash_password, verify_password
from workflow.identity.tokens import issue_access_token
from workflow.models import Agency, AuthSession, User
from workflow.vocabulary import AgencyKind, Role

ROLE_AGENCY_KINDS = {
    Role.LAWYER: {AgencyKind.NGO},
    Role.OFFICIAL: {
        AgencyKind.CIVIL_REGISTRY,
        AgencyKind.COURT,
        AgencyKind.FORENSIC_LAB,
        AgencyKind.GUARDIANSHIP_AUTHORITY,
        AgencyKind.CITIZENSHIP_AUTHORITY,
    },
    Role.AUDITOR: {AgencyKind.OMBUDSMAN, AgencyKind.PROSECUTOR, AgencyKind.OPERATOR},
    Role.ADMIN: {AgencyKind.OPERATOR},
}


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User

    def as_json(self) -> dict[str, object]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        }


def login(db: Session, username: str, password: str) -> TokenPair:
    """Check the credentials and open a session."""
    found = db.execute(
        select(User.id, User.password_hash, User.active).filter_by(username=username)
    ).first()
    # Nothing is written yet: end the read so that no lock is held (on SQLite, the database's
    # write lock) during the quarter second argon2 takes.
    db.rollback()
    if not verify_password(found.password_hash if found else None, password):
        raise NotAuthenticated("The username or password is wrong.")
    user = db.get(User, found.id) if found else None
    if user is None or not user.active:
        raise NotAuthenticated("The username or password is wrong.")
    now = utcnow()
    session = AuthSession(
        id=uuid.uuid4(), user_id=user.id, refresh_hash="", expires_at=now + _refresh_lifetime()
    )
    return _issue(db, user, session, now)


def refresh(db: Session, refresh_token: str) -> TokenPair:
    """Trade a refresh token for a new pair; the old refresh token stops working."""
    now = utcnow()
    session = db.scalar(
        select(AuthSession).filter_by(refresh_hash=_digest(refresh_token)).with_for_update()
    )
    user = db.get(User, session.user_id) if session else None
    if session is None or user is None or not user.active or not session.is_live(now):
        raise NotAuthenticated("The refresh token is invalid or expired.")
    return _issue(db, user, session, now)


def logout(db: Session, session_id: uuid.UUID) -> None:
    """End a session: its refresh token and every access token issued for it stop working."""
    session = db.get(AuthSession, session_id)
    if session is not None and session.ended_at is None:
        session.ended_at = utcnow()
        db.flush()


def live_session_user(db: Session, session_id: uuid.UUID, user_id: uuid.UUID) -> User | None:
    """The user of a session that has not ended, if they are still active."""
    session = db.get(AuthSession, session_id)
    if session is None or session.user_id != user_id or not session.is_live(utcnow()):
        return None
    user = db.get(User, user_id)
    return user if user is not None and user.active else None


def create_user(db: Session, username: str, password: str, role: Role, agency: Agency) -> User:
    """Add an account; the role must fit the kind of its agency."""
    if agency.kind not in ROLE_AGENCY_KINDS[role]:
        raise InvalidInput(
            f"A {role.value} cannot belong to an agency of kind {agency.kind.value}."
        )
    if db.scalar(select(User.id).filter_by(username=username)) is not None:
        raise Conflict("That username is taken.")
    user = User(username=username, password_hash=hash_password(password), role=role, agency=agency)
    db.add(user)
    db.flush()
    return user


def _issue(db: Session, user: User, session: AuthSession, now: datetime) -> TokenPair:
    refresh_token = secrets.token_urlsafe(32)
    session.refresh_hash = _digest(refresh_token)
    db.add(session)
    db.flush()
    access_token, expires_in = issue_access_token(user, session.id, now)
    return TokenPair(access_token, refresh_token, expires_in, user)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _refresh_lifetime() -> timedelta:
    return timedelta(hours=int(current_app.config["REFRESH_TOKEN_HOURS"]))
