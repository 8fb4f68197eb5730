"""Rows that only ever grow unless someone prunes them: ended sessions, the refresh tokens they
traded in, and throttle counters nobody is counted on any more. `homeward upkeep` runs these
on a schedule; each is one statement, bounded by an index or by the table's small size."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from workflow.identity.throttle import FORGOTTEN_AFTER
from workflow.models import AuthSession, LoginThrottle, SpentRefreshToken


class Pruned(NamedTuple):
    sessions: int
    refresh_tokens: int
    throttles: int


def prune(db: Session, now: datetime, idle_limit: timedelta) -> Pruned:
    """Delete what can no longer be used: a session ended, past its end or idle too long, and
    the refresh tokens it spent (kept while it lives, to catch a stolen one shown again); a
    throttle counter whose wait is over and whose last count is forgotten."""
    over = select(AuthSession.id).where(_over(now, idle_limit))
    tokens = db.execute(delete(SpentRefreshToken).where(SpentRefreshToken.session_id.in_(over)))
    sessions = db.execute(delete(AuthSession).where(_over(now, idle_limit)))
    throttles = db.execute(
        delete(LoginThrottle).where(
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
            or_(
                LoginThrottle.counted_at.is_(None),
                LoginThrottle.counted_at < now - FORGOTTEN_AFTER,
            ),
        )
    )
    db.flush()
    return Pruned(sessions.rowcount, tokens.rowcount, throttles.rowcount)  # type: ignore[attr-defined]


def _over(now: datetime, idle_limit: timedelta) -> ColumnElement[bool]:
    """A session no refresh can revive: `AuthSession.is_live`, negated, in SQL."""
    last_seen = func.coalesce(AuthSession.last_seen_at, AuthSession.created_at)
    return or_(
        AuthSession.ended_at.is_not(None),
        AuthSession.expires_at <= now,
        last_seen <= now - idle_limit,
    )
