"""What the duplicate check costs a lawyer opening a case against a large registry: POST
/api/v1/cases timed with the check, and the same opening with the check left out, taken in turn
in the same run over the same seeded registry (each child's digests stored, as opening stores
them). The children opened are drawn from the seeded registry's own names, so each shares its
keys with many recorded children and the check unseals and scores them, up to its bound; each is
sent with `confirm_distinct`, which still runs the whole check (the trail names the matches).

    python -m bench.duplicate_check [--cases 100000] [--opens 200] [--database-url URL]
"""

from __future__ import annotations

import argparse
import random
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from bench.measure import Measurement
from bench.names import FAMILIES, child_names
from bench.seed import seed, sqlite_url, throwaway_app
from workflow.services import cases

LAWYER = "lawyer"
CHECK = "check_new_child"  # as `open_new_case` calls it


def child(rng: random.Random) -> dict[str, Any]:
    """A new child with the registry's kind of names, born on a day of 2010-2022."""
    female = rng.random() < 0.5
    names = child_names(rng, female, rng.choice(FAMILIES))
    born = date(2010, 1, 1) + timedelta(days=rng.randrange(13 * 365))
    return {
        "names": [{"script": n.script.value, "given": n.given, "family": n.family} for n in names],
        "sex": "female" if female else "male",
        "birth_date": {"value": born.isoformat(), "precision": "exact"},
    }


@contextmanager
def check_left_out() -> Iterator[None]:
    """Open cases as before the duplicate check existed."""
    checking = getattr(cases, CHECK)
    setattr(cases, CHECK, lambda *_args: None)
    try:
        yield
    finally:
        setattr(cases, CHECK, checking)


def timed_open(client: FlaskClient, token: str, body: dict[str, Any]) -> float:
    started = perf_counter()
    answer = client.post("/api/v1/cases", json=body, headers={"Authorization": f"Bearer {token}"})
    seconds = perf_counter() - started
    assert answer.status_code == 201, answer.json
    return seconds


def measure_opens(client: FlaskClient, token: str, opens: int) -> tuple[Measurement, ...]:
    """Open `opens` cases each way, in turn, after a few of each to warm up."""
    rng = random.Random(14)
    timed: dict[bool, list[float]] = {True: [], False: []}
    started = perf_counter()
    for turn in range(2 * (opens + 5)):
        checked = turn % 2 == 0
        body = {"child": child(rng), "confirm_distinct": True}
        if checked:
            seconds = timed_open(client, token, body)
        else:
            with check_left_out():
                seconds = timed_open(client, token, body)
        if turn >= 10:
            timed[checked].append(seconds)
    elapsed = perf_counter() - started
    return (
        Measurement("open a case, with the duplicate check", timed[True], elapsed / 2),
        Measurement("open a case, check left out", timed[False], elapsed / 2),
    )


def main(argv: list[str] | None = None) -> int:
    """Seed a throwaway registry, then time opening cases with and without the check."""
    parser = argparse.ArgumentParser(prog="python -m bench.duplicate_check", description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--opens", type=int, default=200)
    parser.add_argument("--database-url", help="PostgreSQL URL; its public schema is replaced")
    args = parser.parse_args(argv)
    password = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="homeward-duplicates-") as directory:
        workdir = Path(directory)
        url = args.database_url or sqlite_url(workdir)
        app = throwaway_app(workdir, url)
        with app.app_context():
            seeded = seed(url, args.cases, password)
        client = app.test_client()
        login = client.post("/api/v1/auth/login", json={"username": LAWYER, "password": password})
        token = str((login.json or {})["access_token"])
        checked, plain = measure_opens(client, token, args.opens)
        app.extensions["homeward.engine"].dispose()
    backend = make_url(url).get_backend_name()
    print(f"{backend}: {seeded.cases:,} cases seeded in {seeded.seconds:.0f} s")
    for measured in (checked, plain):
        print(f"{measured.label:<40} p50 {measured.p50_ms:6.1f} ms  p95 {measured.p95_ms:6.1f} ms")
    print(f"the check adds {checked.p95_ms - plain.p95_ms:.1f} ms at p95")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
