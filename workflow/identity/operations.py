"""Signing in and out: sessions with rotating refresh tokens, and user accounts."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from audit import recorder as audit
from workflow.assignments import end_assignments_elsewhere
from workflow.db import utcnow
from workflow.driver_statements import for_driver
from workflow.errors import Conflict, InvalidInput, NotAuthenticated, SecondFactorRequired
from workflow.identity import second_factor
from workflow.identity.passwords import check_new_password, hash_password, verify_password
from workflow.identity.setup_links import unusable_password_hash
from workflow.identity.throttle import (
    Counters,
    check_throttle,
    clear_throttle,
    count_failure,
    throttle_keys,
)
from workflow.identity.tokens import issue_access_token
from workflow.loaded import as_loaded
from workflow.models import Agency, AuthSession, Case, SpentRefreshToken, User
from workflow.models.auth_session import Liveness
from workflow.transactions import even_if_refused
from workflow.vocabulary import AgencyKind, Role

SEEN_PRECISION = timedelta(minutes=1)
WRONG_CURRENT = "The current password is wrong."

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
class PasswordChange:
    """A user's own change of password: the one they have, the one they want, and the session
    asking, which stays signed in (none for a provider's token)."""

    current: str
    new: str
    keep_session: uuid.UUID | None


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User
    session_id: uuid.UUID

    def as_json(self) -> dict[str, object]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        }


def login(
    db: Session,
    username: str,
    password: str,
    address: str | None = None,
    totp: str | None = None,
) -> TokenPair:
    """Check the credentials, and the second factor if the user has one, and open a session;
    failures from the same places slow down."""
    now = utcnow()
    counters = throttle_keys(username, address)
    check_throttle(db, counters, now)
    user = _password_holder(db, username, password, counters, now)
    check_second_factor(db, user, totp, counters, now)
    return _open_session(db, user, counters, now)


def finish_login(
    db: Session, user_id: uuid.UUID, totp: str, address: str | None = None
) -> TokenPair:
    """The second step of a sign-in whose password was checked a moment ago (the pages ask
    for the code on a page of its own, holding no password meanwhile)."""
    now = utcnow()
    user = db.get(User, user_id)
    if user is None or not user.active:
        raise NotAuthenticated("The username or password is wrong.")
    counters = throttle_keys(user.username, address)
    check_throttle(db, counters, now)
    check_second_factor(db, user, totp, counters, now)
    return _open_session(db, user, counters, now)


def check_second_factor(
    db: Session, user: User, code: str | None, counters: Counters, now: datetime
) -> None:
    """Accept the user's second factor once, if they have one; a wrong or replayed code counts
    as a failed sign-in, and the trail keeps why it was refused (never the code)."""
    factor = second_factor.confirmed_factor(db, user.id)
    if factor is None:
        return
    audit.note(actor=user)  # the password was right: the refusal names whom it concerns
    if code is None:
        raise SecondFactorRequired("Send the code from your authenticator app as `totp`.", user.id)
    try:
        kind = second_factor.accept_code(db, factor, code, now)
    except second_factor.WrongCode as wrong:
        even_if_refused(lambda kept: count_failure(kept, counters, now))
        audit.note(actor=user, detail={"refused": f"second_factor_{wrong.reason}"})
        raise NotAuthenticated("The code is wrong or was used already.") from None
    if kind == "recovery_code":
        left = second_factor.recovery_codes_left(db, user.id)
        audit.note(actor=user, detail={"recovery_code_used": True, "recovery_codes_left": left})


def _password_holder(
    db: Session, username: str, password: str, counters: Counters, now: datetime
) -> User:
    """The active user with this username and password, or a failed sign-in counted."""
    found = db.execute(
        select(User.id, User.password_hash, User.active).filter_by(username=username)
    ).first()
    # Nothing is written yet: end the read so that no lock is held (on SQLite, the database's
    # write lock) during the quarter second argon2 takes.
    db.rollback()
    if not verify_password(found.password_hash if found else None, password) or not (
        found and found.active
    ):
        even_if_refused(lambda kept: count_failure(kept, counters, now))
        raise NotAuthenticated("The username or password is wrong.")
    user = db.get(User, found.id)  # the write lock again, only once the password is right
    if user is None:
        raise NotAuthenticated("The username or password is wrong.")
    return user


def _open_session(db: Session, user: User, counters: Counters, now: datetime) -> TokenPair:
    clear_throttle(db, counters)
    session = AuthSession(
        id=uuid.uuid4(), user_id=user.id, refresh_hash="", expires_at=now + _refresh_lifetime()
    )
    return _issue(db, user, session, now)


def refresh(db: Session, refresh_token: str) -> TokenPair:
    """Trade a refresh token for a new pair; the old one is spent, and showing it again ends
    the session, since only a thief or a replay would."""
    now = utcnow()
    digest = _digest(refresh_token)
    session = db.scalar(select(AuthSession).filter_by(refresh_hash=digest).with_for_update())
    if session is None:
        _end_if_spent(db, digest, now)
        raise NotAuthenticated("The refresh token is invalid or expired.")
    user = db.get(User, session.user_id)
    if user is None or not user.active or not session.is_live(now, _idle_limit()):
        raise NotAuthenticated("The refresh token is invalid or expired.")
    db.add(SpentRefreshToken(token_hash=session.refresh_hash, session_id=session.id, spent_at=now))
    session.last_seen_at = now
    return _issue(db, user, session, now)


def logout(db: Session, session_id: uuid.UUID) -> None:
    """End a session: its refresh token and every access token issued for it stop working."""
    end_session(db, session_id, "logout", utcnow())


def end_session(db: Session, session_id: uuid.UUID, reason: str, now: datetime) -> None:
    """End one session, if it is still live, and say why (logout, refresh_reuse, …)."""
    session = db.get(AuthSession, session_id)
    if session is not None and session.ended_at is None:
        session.ended_at, session.end_reason = now, reason
        db.flush()


def end_user_sessions(
    db: Session, user_id: uuid.UUID, reason: str, keep: uuid.UUID | None = None
) -> int:
    """End every live session of the user at once, but the one to `keep` (the one asking, if
    any); return how many ended."""
    now = utcnow()
    live = db.scalars(
        select(AuthSession)
        .filter_by(user_id=user_id, ended_at=None)
        .where(AuthSession.expires_at > now, AuthSession.id != keep)
    ).all()
    for session in live:
        session.ended_at, session.end_reason = now, reason
    db.flush()
    return len(live)


# One query, built once since every request asks it: the user and their agency as plain rows,
# and the columns that say whether the session is live. The user and agency are then put in the
# session as a query of objects would have loaded them (`as_loaded`): the ORM's setup for
# loading them, at every request, cost a fiftieth of a case read. The password's hash and the
# sealed email are left out, loaded only where they are asked for: no request needs them in
# memory, and the email would be unsealed at every request.
_USERS, _AGENCIES, _SESSIONS = User.__table__, Agency.__table__, AuthSession.__table__
_NOT_LOADED = {_USERS.c.password_hash, _USERS.c.email}
_USER_READ = [column for column in _USERS.columns if column not in _NOT_LOADED]
SESSION_USER = (
    select(
        *_USER_READ,
        *_AGENCIES.columns,
        _SESSIONS.c.ended_at,
        _SESSIONS.c.expires_at,
        _SESSIONS.c.last_seen_at,
        _SESSIONS.c.created_at,
    )
    .select_from(_SESSIONS)
    .join(_USERS, _USERS.c.id == _SESSIONS.c.user_id)
    .join(_AGENCIES, _AGENCIES.c.id == _USERS.c.agency_id)
    .where(_SESSIONS.c.id == bindparam("session"), _SESSIONS.c.user_id == bindparam("user"))
)
_USER_KEYS = tuple(User.__mapper__.get_property_by_column(c).key for c in _USER_READ)
_AGENCY_KEYS = tuple(Agency.__mapper__.get_property_by_column(c).key for c in _AGENCIES.columns)
# Where each part of the query's row is.
_USER_COLUMNS = slice(0, len(_USER_KEYS))
_AGENCY_COLUMNS = slice(len(_USER_KEYS), len(_USER_KEYS) + len(_AGENCY_KEYS))
_SESSION_COLUMNS = slice(len(_USER_KEYS) + len(_AGENCY_KEYS), None)


def live_session_user(db: Session, session_id: uuid.UUID, user_id: uuid.UUID) -> User | None:
    """The user of a session that has not ended or idled out, if they are still active."""
    now = utcnow()
    connection = db.connection()
    found = for_driver(SESSION_USER, connection.dialect).rows(
        connection, {"session": session_id, "user": user_id}
    )
    if not found:
        return None
    (row,) = found
    user = dict(zip(_USER_KEYS, row[_USER_COLUMNS], strict=True))
    session = Liveness(*row[_SESSION_COLUMNS])
    if not session.at(now, _idle_limit()) or not user["active"]:
        return None
    if now - session.last_seen > SEEN_PRECISION:
        # At most once a minute (a write on every request is waste), and in the request's final
        # write: a request that only reads takes no write lock before its end.
        even_if_refused(lambda kept: _note_seen(kept, session_id, now))
    agency = as_loaded(db, Agency, dict(zip(_AGENCY_KEYS, row[_AGENCY_COLUMNS], strict=True)))
    signed_in = as_loaded(db, User, user)
    set_committed_value(signed_in, "agency", agency)
    return signed_in


def _note_seen(db: Session, session_id: uuid.UUID, now: datetime) -> None:
    db.execute(update(AuthSession).where(AuthSession.id == session_id).values(last_seen_at=now))


def create_user(
    db: Session, username: str, password: str | None, role: Role, agency: Agency
) -> User:
    """Add an account; the role must fit the kind of its agency, the password the rules. With
    no password, none signs in until the user chooses one through a setup link."""
    check_role_fits(role, agency)
    if password is not None:
        check_new_password(password, username)
    if db.scalar(select(User.id).filter_by(username=username)) is not None:
        raise Conflict("That username is taken.")
    password_hash = hash_password(password) if password is not None else unusable_password_hash()
    user = User(username=username, password_hash=password_hash, role=role, agency=agency)
    db.add(user)
    db.flush()
    return user


@dataclass(frozen=True)
class UserUpdate:
    """What changing a user ended: their sessions, and the cases of an NGO they left."""

    sessions_ended: int
    cases_left: list[Case]


def update_user(
    db: Session,
    user: User,
    role: Role | None = None,
    agency: Agency | None = None,
    active: bool | None = None,
) -> UserUpdate:
    """Change a user's role, agency or standing; any change ends their sessions at once, so no
    token outlives the rights it was issued under, and a move to another agency ends their
    assignments on the cases the old one holds."""
    new_role, new_agency = role or user.role, agency or user.agency
    check_role_fits(new_role, new_agency)
    changed = (new_role, new_agency.id, user.active if active is None else active) != (
        user.role,
        user.agency_id,
        user.active,
    )
    user.role, user.agency = new_role, new_agency
    user.active = user.active if active is None else active
    db.flush()
    left = end_assignments_elsewhere(db, user.id, new_agency.id)
    ended = end_user_sessions(db, user.id, "account_changed") if changed else 0
    return UserUpdate(ended, left)


def change_password(
    db: Session, user_id: uuid.UUID, change: PasswordChange, address: str | None
) -> int:
    """Give a user the new password once they show the current one, and end their other
    sessions, so that whoever learned the old password is signed out everywhere. A wrong current
    password counts as a failed sign-in: this is no way round the throttle. Return how many
    sessions ended."""
    now = utcnow()
    username, password_hash = db.execute(
        select(User.username, User.password_hash).filter_by(id=user_id)
    ).one()
    counters = throttle_keys(username, address)
    check_throttle(db, counters, now)
    db.rollback()  # as at sign-in: no lock held while argon2 runs, twice here
    if not verify_password(password_hash, change.current):
        even_if_refused(lambda kept: count_failure(kept, counters, now))
        raise InvalidInput(WRONG_CURRENT, [_wrong_password_field()])
    check_new_password(change.new, username, field="new_password")
    new_hash = hash_password(change.new)
    user = db.get(User, user_id)
    if user is None:
        raise NotAuthenticated("The session has ended; sign in again.")
    user.password_hash = new_hash
    clear_throttle(db, counters)
    return end_user_sessions(db, user_id, "password_changed", keep=change.keep_session)


def _wrong_password_field() -> dict[str, str]:
    return {"field": "current_password", "problem": "wrong_password", "message": WRONG_CURRENT}


def check_role_fits(role: Role, agency: Agency) -> None:
    """Refuse a role that the kind of the agency does not hold (an NGO has no auditors)."""
    if agency.kind not in ROLE_AGENCY_KINDS[role]:
        message = f"A {role.value} cannot belong to an agency of kind {agency.kind.value}."
        problem = {"field": "agency", "problem": "role_agency_mismatch", "message": message}
        raise InvalidInput(message, [problem])


def _end_if_spent(db: Session, digest: str, now: datetime) -> None:
    """A refresh token already traded in ends its session, even though this request fails."""
    spent = db.get(SpentRefreshToken, digest)
    if spent is not None:
        session_id = spent.session_id
        even_if_refused(lambda kept: end_session(kept, session_id, "refresh_reuse", now))
        audit.note(detail={"refused": "refresh_token_reused", "session_ended": True})


def _issue(db: Session, user: User, session: AuthSession, now: datetime) -> TokenPair:
    refresh_token = secrets.token_urlsafe(32)
    session.refresh_hash = _digest(refresh_token)
    db.add(session)
    db.flush()
    access_token, expires_in = issue_access_token(user, session.id, now)
    return TokenPair(access_token, refresh_token, expires_in, user, session.id)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _refresh_lifetime() -> timedelta:
    return timedelta(hours=int(current_app.config["REFRESH_TOKEN_HOURS"]))


def _idle_limit() -> timedelta:
    return timedelta(minutes=int(current_app.config["SESSION_IDLE_MINUTES"]))
