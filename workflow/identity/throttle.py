"""Slow down password guessing: failed sign-ins per account, per address and per both, with
waits that double but are capped, and failures that leak away with time; and a per-minute limit
on public requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from workflow.errors import TooManyAttempts
from workflow.models import LoginThrottle
from workflow.networks import in_networks
from workflow.transactions import even_if_refused

FORGOTTEN_AFTER = timedelta(hours=1)  # a quiet hour wipes the count, whatever is left of it
MINUTE = timedelta(minutes=1)
OFFICE_FACTOR = 10  # an office's many people mistype more often than one person does


@dataclass(frozen=True)
class Counter:
    """How many failures a counter allows before waits begin, how often it forgets one, and the
    longest wait it imposes."""

    allowed: int
    leak: timedelta
    longest_wait: timedelta


Counters = dict[str, Counter]  # each counter a sign-in touches, by its key


def throttle_keys(username: str, address: str | None) -> Counters:
    """Name each counter a sign-in touches, with its allowance, leak and longest wait. An
    address binds everyone behind it, colleagues who never failed included: its waits last a
    minute at most and its failures leak away a minute each, so that one person mistyping in an
    office keeps nobody else out; a guesser trying many accounts from it still gets one try a
    minute once past its allowance, and each account's own counter binds them longer."""
    free = int(current_app.config["LOGIN_FREE_FAILURES"])
    cap = timedelta(minutes=int(current_app.config["LOGIN_MAX_WAIT_MINUTES"]))
    where = (address or "unknown")[:64]
    office = in_networks(address, current_app.config["LOGIN_OFFICE_NETWORKS"] or "")
    slow = timedelta(minutes=5)
    return {
        f"pair:{username[:64]}|{where}": Counter(free, slow, cap),
        f"account:{username[:64]}": Counter(4 * free, slow, cap),
        f"address:{where}": Counter(10 * free * (OFFICE_FACTOR if office else 1), MINUTE, MINUTE),
    }


def check_throttle(db: Session, keys: Counters, now: datetime) -> None:
    """Refuse with 429 while a counter that binds this sign-in waits; before argon2 runs."""
    rows = {key: db.get(LoginThrottle, key) for key in keys}
    pair_key = next(key for key in keys if key.startswith("pair:"))
    pair = rows[pair_key]
    # A locked account binds only addresses that failed on it lately: guesses spread over many
    # addresses get one try each, while the user at a desk that has not failed signs in.
    failed_here = pair is not None and _remaining(pair, keys[pair_key], now) > 0
    waits = [
        row.locked_until
        for key, row in rows.items()
        if row is not None and row.locked_until is not None and row.locked_until > now
        if failed_here or not key.startswith("account:")
    ]
    if waits:
        seconds = max(1, int((max(waits) - now).total_seconds()) + 1)
        raise TooManyAttempts("Too many failed sign-ins; wait before trying again.", seconds)


def count_failure(db: Session, keys: Counters, now: datetime) -> None:
    """Count a failed sign-in on each counter, after forgetting what has leaked away since it
    was last counted; past its allowance, double the wait, capped at its longest."""
    for key, counter in keys.items():
        row = _counter(db, key)
        _leak(row, counter, now)
        row.count += 1
        if row.count > counter.allowed:
            wait = timedelta(seconds=2 ** min(row.count - counter.allowed, 20))
            row.locked_until = now + min(wait, counter.longest_wait)
    db.flush()


def clear_throttle(db: Session, keys: Counters) -> None:
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


def _remaining(row: LoginThrottle, counter: Counter, now: datetime) -> int:
    """The failures a counter still holds now, once those leaked away are forgotten."""
    if row.counted_at is None or now - row.counted_at > FORGOTTEN_AFTER:
        return 0
    return max(0, row.count - (now - row.counted_at) // counter.leak)


def _leak(row: LoginThrottle, counter: Counter, now: datetime) -> None:
    """Forget the failures leaked away; the clock moves on by whole leaks only, so that a
    failure every 50 seconds still drains a counter that forgets one a minute."""
    remaining = _remaining(row, counter, now)
    if remaining == 0 or row.counted_at is None:
        row.count, row.counted_at = 0, now
        return
    leaked = row.count - remaining
    row.count, row.counted_at = remaining, row.counted_at + leaked * counter.leak


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
