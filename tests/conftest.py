"""Fixtures: a real database per test (SQLite file, or PostgreSQL when configured), the app,
real users with real tokens, and factories that drive cases through the HTTP API."""

from __future__ import annotations

import copy
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from audit import stored
from audit.chain import GENESIS
from tests.factories import Api
from workflow import create_app, db, migrations, transactions
from workflow.demo import AGENCIES, USERS
from workflow.identity.operations import create_user
from workflow.models import Agency
from workflow.rules import catalogue


def _worker_database(url: str | None) -> str | None:
    """Under pytest-xdist each worker tests against a PostgreSQL database of its own on the same
    server (`<database>_gw0`, …), so workers never truncate each other's tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


SERVER_URL = os.environ.get("HOMEWARD_TEST_DATABASE_URL")
POSTGRES_URL = _worker_database(SERVER_URL)
PASSWORD = "correct horse battery staple"
FAST_HASHING = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 1024, "ARGON2_PARALLELISM": 1}
KEEP_TABLES = {"alembic_version"}


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated once per run: a SQLite file to copy, or the PostgreSQL database."""
    if POSTGRES_URL:
        _create_database(POSTGRES_URL)
        engine = create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        url = POSTGRES_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'homeward.sqlite3'}"
    engine = db.build_engine(url)
    migrations.upgrade(engine)
    engine.dispose()
    return url


def _create_database(url: str) -> None:
    """Create the worker's database on the test server unless it is there already."""
    assert SERVER_URL is not None
    name = make_url(url).database
    server = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()


@pytest.fixture(scope="session")
def built_in_definitions() -> list[dict[str, Any]]:
    """The shipped workflow definitions, parsed and validated once per test process."""
    return [catalogue.read_file(path) for path in sorted(catalogue.BUILT_IN.glob("*.yaml"))]


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path) -> str:
    """A migrated, empty database of its own for this test."""
    if not POSTGRES_URL:
        source = make_url(migrated_template).database
        assert source is not None
        shutil.copy(source, tmp_path / "homeward.sqlite3")
        return f"sqlite:///{tmp_path / 'homeward.sqlite3'}"
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        tables = [t for t in inspect(connection).get_table_names() if t not in KEEP_TABLES]
        connection.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        connection.execute(
            text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :genesis)"),
            {"genesis": GENESIS},
        )
        rebuilt = not stored.vouched_for(connection)
    if rebuilt:  # a test gave the events plain columns: they are derived again, as migrated
        migrations.downgrade(engine, "0023")
        migrations.upgrade(engine)
    engine.dispose()
    return POSTGRES_URL


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Settings a test module adds to the app's; override it there, e.g. to lower a limit."""
    return {}


@pytest.fixture
def app(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    app_config: dict[str, Any],
    built_in_definitions: list[dict[str, Any]],
) -> Iterator[Any]:
    monkeypatch.setenv("HOMEWARD_INSTANCE_PATH", str(tmp_path / "instance"))
    application = create_app(
        {"DATABASE_URL": database_url, "TESTING": True, **FAST_HASHING, **app_config}
    )
    with application.app_context(), transactions.unit_of_work() as session:
        for body in built_in_definitions:  # as `homeward db upgrade` does
            catalogue.register(session, copy.deepcopy(body))  # stored bodies stay apart
    yield application
    application.extensions["homeward.engine"].dispose()


@pytest.fixture
def runner(app: Any) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def client(app: Any) -> FlaskClient:
    """A client that, unlike pytest-flask's, keeps no context pushed after a request: a kept `g`
    would lend the last request's CSRF token and session to every browser signed in after it."""
    client: FlaskClient = app.test_client()
    return client


@pytest.fixture(autouse=True)
def _push_request_context() -> None:
    """Override pytest-flask's: each test request must get its own app context and session."""


@pytest.fixture
def accounts(app: Any) -> dict[str, uuid.UUID]:
    """The demo's agencies and users (without its cases), all with PASSWORD."""
    with app.app_context(), transactions.unit_of_work() as session:
        agencies = {name: Agency(name=name, kind=kind) for name, kind in AGENCIES.items()}
        session.add_all(agencies.values())
        users = {
            username: create_user(session, username, PASSWORD, role, agencies[agency])
            for username, (role, agency) in USERS.items()
        }
        return {username: user.id for username, user in users.items()}


@pytest.fixture
def api(client: FlaskClient, accounts: dict[str, uuid.UUID]) -> Api:
    """Drive the HTTP API as any demo user."""
    return Api(client, PASSWORD)


_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI every test must run: a skipped test fails the run."""
    if os.environ.get("HOMEWARD_FAIL_ON_SKIP") and _skipped and exitstatus == 0:
        session.exitstatus = 1
        print(f"\n{len(_skipped)} test(s) skipped; CI runs every test, so this run fails.")
