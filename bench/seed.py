"""Build a database of many cases fast: the real migrations, real accounts, then bulk inserts.

Run inside an application context (passwords are hashed with the app's argon2 settings):
`python -m bench.seed --cases 1000` seeds a throwaway SQLite file and reports the time.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

from flask import current_app
from flask_openapi3 import OpenAPI
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.caseload import Account, Batch, Cast, add_case
from bench.stories import write_stories
from workflow import create_app, migrations, tallies
from workflow.db import Base, utcnow
from workflow.demo import AGENCIES, USERS
from workflow.identity.operations import create_user
from workflow.models import Agency, User, WorkflowRecord
from workflow.rules import catalogue
from workflow.rules.definition import Definition
from workflow.vocabulary import AgencyKind, Role

DEFAULT_CASES = 100_000
CASES_PER_BATCH = 2_000
STORIES = 3_000
RANDOM_SEED = 20_261_122
BUSY_LAWYER, BUSY_SHARE = "lawyer", 0.2  # one lawyer carries a fifth of all cases
EXTRA_AGENCIES = {"Children's Rights Clinic": AgencyKind.NGO}
EXTRA_LAWYERS = {
    "lawyer4": "Hope Legal Aid",
    "lawyer5": "Hope Legal Aid",
    "lawyer6": "Safe Return Lawyers",
    "lawyer7": "Safe Return Lawyers",
    "lawyer8": "Children's Rights Clinic",
}


@dataclass(frozen=True)
class Seeded:
    """What the seeder built, and how long it took."""

    cases: int
    rows: dict[str, int]
    seconds: float


def sqlite_url(directory: Path) -> str:
    """A SQLite file inside the run's own temporary directory."""
    return f"sqlite:///{directory / 'homeward.sqlite3'}"


def throwaway_app(workdir: Path, url: str) -> OpenAPI:
    """The real application, with its instance folder (signing keys) inside `workdir`."""
    os.environ["HOMEWARD_INSTANCE_PATH"] = str(workdir / "instance")
    return create_app({"DATABASE_URL": url})


def seed(url: str, cases: int, password: str) -> Seeded:
    """Migrate an empty schema, create the accounts (all with `password`), load the cases."""
    started = perf_counter()
    engine = loading_engine(url)
    try:
        reset_schema(engine)
        migrations.upgrade(engine)
        cast = create_cast(engine, password)
        rows = load_cases(engine, cast, cases)
        with engine.begin() as connection:  # bulk inserts bypass the operations that keep them
            tallies.derive(connection)
        analyze(engine)
    finally:
        engine.dispose()
    return Seeded(cases, rows, perf_counter() - started)


def loading_engine(url: str) -> Engine:
    """An engine for bulk loading; on SQLite it skips fsync, since the file is thrown away."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _fast_sqlite)
    return engine


def _fast_sqlite(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


def reset_schema(engine: Engine) -> None:
    """On PostgreSQL, start from an empty public schema; a SQLite file is new already."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))


def create_cast(engine: Engine, password: str) -> Cast:
    """Register the built-in workflows; create the demo's agencies and users, and more lawyers."""
    with Session(engine, expire_on_commit=False) as session:
        catalogue.register_built_in(session)
        workflow = catalogue.latest(session, current_app.config["WORKFLOW"])
        assert workflow is not None
        agencies = {name: Agency(name=name, kind=kind) for name, kind in _agencies().items()}
        session.add_all(agencies.values())
        users = {
            username: create_user(session, username, password, role, agencies[agency])
            for username, (role, agency) in _users().items()
        }
        definition = catalogue.definition_of(workflow)  # its body is read on demand, in session
        session.commit()
    return _cast(workflow.id, definition, users)


def _agencies() -> dict[str, AgencyKind]:
    return {**AGENCIES, **EXTRA_AGENCIES}


def _users() -> dict[str, tuple[Role, str]]:
    extra = {username: (Role.LAWYER, agency) for username, agency in EXTRA_LAWYERS.items()}
    return {**USERS, **extra}


def _cast(workflow_id: int, definition: Definition, users: dict[str, User]) -> Cast:
    lawyers = [user for user in users.values() if user.role is Role.LAWYER]
    others = (1 - BUSY_SHARE) / (len(lawyers) - 1)
    shares = [BUSY_SHARE if user.username == BUSY_LAWYER else others for user in lawyers]
    colleagues = {
        user.id: [_account(other) for other in lawyers if _colleagues(user, other)]
        for user in lawyers
    }
    officials = {
        user.agency.kind: _account(user) for user in users.values() if user.role is Role.OFFICIAL
    }
    accounts = [_account(user) for user in lawyers]
    return Cast(workflow_id, definition, accounts, shares, colleagues, officials)


def _colleagues(user: User, other: User) -> bool:
    return user.agency_id == other.agency_id and user.id != other.id


def _account(user: User) -> Account:
    return Account(user.id, user.agency_id)


def load_cases(engine: Engine, cast: Cast, cases: int) -> dict[str, int]:
    """Insert the cases batch by batch with SQLAlchemy Core; return the row count per table."""
    rng = random.Random(RANDOM_SEED)
    with Session(engine) as session:
        record = session.get(WorkflowRecord, cast.workflow_id)
        assert record is not None
        stories = write_stories(catalogue.definition_of(record), STORIES, rng)
    now, counts, started = utcnow(), dict.fromkeys(Batch().tables(), 0), perf_counter()
    for first in range(0, cases, CASES_PER_BATCH):
        batch = Batch()
        for _ in range(min(CASES_PER_BATCH, cases - first)):
            add_case(batch, rng.choice(stories), cast, now, rng)
        _insert(engine, batch, counts)
        _progress(first + len(batch.cases), cases, started)
    return counts


def _insert(engine: Engine, batch: Batch, counts: dict[str, int]) -> None:
    with engine.begin() as connection:
        for name, rows in batch.tables().items():
            if rows:
                connection.execute(Base.metadata.tables[name].insert(), rows)
                counts[name] += len(rows)


def _progress(done: int, total: int, started: float) -> None:
    if done == total or done % (total // 10 or 1) < CASES_PER_BATCH:
        print(
            f"  seeded {done:,} of {total:,} cases ({perf_counter() - started:.1f} s)", flush=True
        )


def analyze(engine: Engine) -> None:
    """On PostgreSQL, VACUUM ANALYZE as autovacuum soon would after a bulk load."""
    if engine.dialect.name != "postgresql":
        return  # Homeward never runs ANALYZE on SQLite, so neither does the benchmark
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


def main(argv: list[str] | None = None) -> int:
    """Seed a throwaway database and report how long it took."""
    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=main.__doc__)
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES)
    parser.add_argument("--database-url", help="PostgreSQL URL; its public schema is replaced")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="homeward-seed-") as directory:
        workdir = Path(directory)
        url = args.database_url or sqlite_url(workdir)
        app = throwaway_app(workdir, url)
        with app.app_context():
            seeded = seed(url, args.cases, secrets.token_urlsafe(16))
        app.extensions["homeward.engine"].dispose()
    print(f"{make_url(url).get_backend_name()}: {seeded.cases:,} cases in {seeded.seconds:.1f} s")
    print(", ".join(f"{name} {count:,}" for name, count in seeded.rows.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
