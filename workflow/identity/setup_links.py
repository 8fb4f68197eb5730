"""One-time links with which a user chooses their password: an administrator hands one over
and never knows the password. The token is random, kept only as its hash, works once and only
until it expires; a new link for a user voids the ones before it."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workflow.db import utcnow
from workflow.errors import NotFound
from workflow.identity.passwords import check_new_password, hash_password
from workflow.models import SetupLink, User

# Longer than any token made here: a longer one names nothing and is not even hashed.
TOKEN_LENGTH = 64
NO_SUCH_LINK = "This link does not work: it is unknown, used or expired."


def issue_link(db: Session, user: User) -> str:
    """Void the user's earlier links and return the token of a new one; only its hash is kept."""
    now = utcnow()
    _void_links(db, user)
    token = secrets.token_urlsafe(32)
    db.add(
        SetupLink(
            token_hash=_digest(token), user_id=user.id, created_at=now, expires_at=now + _lifetime()
        )
    )
    db.flush()
    return token


def unusable_password_hash() -> str:
    """A hash no one knows the password of: an account waiting for its link signs in with none,
    and checking it costs what checking a real one does."""
    return hash_password(secrets.token_urlsafe(32))


def link_user(db: Session, token: str) -> User:
    """The user a usable link is for; an unknown, used or expired link is one refusal."""
    link = _usable_link(db, token)
    user = db.get(User, link.user_id)
    if user is None:
        raise NotFound(NO_SUCH_LINK)
    return user


def choose_password(db: Session, token: str, password: str) -> User:
    """Give the link's user this password (the usual rules apply) and spend the link."""
    link = _usable_link(db, token, lock=True)
    user = db.get(User, link.user_id)
    if user is None:
        raise NotFound(NO_SUCH_LINK)
    check_new_password(password, user.username)
    user.password_hash = hash_password(password)
    link.used_at = utcnow()
    db.flush()
    return user


def _usable_link(db: Session, token: str, lock: bool = False) -> SetupLink:
    if not token or len(token) > TOKEN_LENGTH:
        raise NotFound(NO_SUCH_LINK)
    query = select(SetupLink).filter_by(token_hash=_digest(token))
    link = db.scalar(query.with_for_update() if lock else query)
    if link is None or not link.is_usable(utcnow()):
        raise NotFound(NO_SUCH_LINK)
    return link


def _void_links(db: Session, user: User) -> None:
    db.execute(
        update(SetupLink)
        .where(SetupLink.user_id == user.id, SetupLink.used_at.is_(None))
        .values(used_at=utcnow())
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _lifetime() -> timedelta:
    return timedelta(hours=int(current_app.config["ACCOUNT_SETUP_HOURS"]))
