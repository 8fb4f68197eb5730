"""Slow down password guessing: failed sign-ins per account, per address and per both, with
waits that double but are capped; and a per-minute limit on public requests."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from workflow.errors import TooManyAttempts
from workflow.models import LoginThrottle
from workflow.transactions import even_if_refused

FORGOTTEN_AFTER = timedelta(hours=1)  # a quiet hour wipes the count
MINUTE = timedelta(minutes=1)


def throttle_keys(username: str, address: str | None) -> dict[str, int]:
    """Name each counter a sign-in touches, with the failures it allows before waits begin."""
    free = int(current_app.config["LOGIN_FREE_FAILURES"])
    where = (address or "unknown")[:64]
    return {
        f"pair:{username[:64]}|{where}": free,
        f"account:{username[:64]}": 4 * free,
        f"address:{where}": 10 * free,
    }


def check_throttle(db: Session, keys: dict[str, int], now: datetime) -> None:
    """Refuse with 429 while a counter that binds this sign-in waits; before argon2 runs."""
    rows = {key: db.get(LoginThrottle, key) for key in keys}
    pair = next(row for key, row in rows.items() if key.startswith("pair:"))
    # A locked account binds only addresses that failed on it lately: guesses spread over many
    # addresses get one try each, while the user at a desk that has not failed signs in.
    failed_here = pair is not None and _recent(pair, now) and pair.count > 0
    waits = [
        row.locked_until
        for key, row in rows.items()
        if row is not None and row.locked_until is not None and row.locked_until > now
        if failed_here or not key.startswith("account:")
    ]
    if waits:
        seconds = max(1, int((max(waits) - now).total_seconds()) + 1)
        raise TooManyAttempts("Too many failed sign-ins; wait before trying again.", seconds)


def count_failure(db: Session, keys: dict[str, int], now: datetime) -> None:
    """Count a failed sign-in on each counter; past its allowance, double the wait, capped."""
    cap = timedelta(minutes=int(current_app.config["LOGIN_MAX_WAIT_MINUTES"]))
    for key, allowed in keys.items():
        row = _counter(db, key)
        if not _recent(row, now):
            row.count = 0
        row.count += 1
        row.counted_at = now
        if row.count > allowed:
            wait = timedelta(seconds=2 ** min(row.count - allowed, 20))
            row.locked_until = now + min(wait, cap)
    db.flush()


def clear_throttle(db: Session, keys: dict[str, int]) -> None:
    """Forget the failures of this user at this address after a correct password."""
    for key in keys:
        if not key.startswith("address:"):  # one good password does not vouch for an address
            row = db.get(LoginThrottle, key)
            if row is not None:
                db.delete(row)


def limit_rate(db: Session, key: str, per_minute: int, now: datetime) -> None:
    """Refuse with 429 past `per_minute` requests in the current minute; count this one even if
    the request then fails, since failures (unknown codes) are what a prober makes."""
    row = db.get(LoginThrottle, key)
    started = row.counted_at if row else None
    if row and started and now - started < MINUTE and row.count >= per_minute:
        wait = max(1, int((started + MINUTE - now).total_seconds()) + 1)
        raise TooManyAttempts("Too many requests; wait a minute before trying again.", wait)
    even_if_refused(lambda kept: _count_use(kept, key, now))


def _count_use(db: Session, key: str, now: datetime) -> None:
    row = _counter(db, key)
    if row.counted_at is None or now - row.counted_at >= MINUTE:
        row.count, row.counted_at = 0, now  # a new minute's window
    row.count += 1
    db.flush()


def _recent(row: LoginThrottle, now: datetime) -> bool:
    return row.counted_at is not None and now - row.counted_at <= FORGOTTEN_AFTER


def _counter(db: Session, key: str) -> LoginThrottle:
    """Return the counter's row, created if need be, locked and read afresh: two requests
    counting at once on PostgreSQL must neither both insert it nor overwrite each other."""
    values = {"key": key, "count": 0}
    if db.get_bind().dialect.name == "postgresql":
        db.execute(postgresql_insert(LoginThrottle).values(values).on_conflict_do_nothing())
    else:
        db.execute(sqlite_insert(LoginThrottle).values(values).on_conflict_do_nothing())
    fresh = select(LoginThrottle).filter_by(key=key).with_for_update()
    return db.scalars(fresh.execution_options(populate_existing=True)).one()
