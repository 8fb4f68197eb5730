"""A PostgreSQL connection that rested in the pool is tested before use and replaced if the
server dropped it; one used a moment ago goes straight back to work."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from tests.factories import Api
from workflow import db


def _postgresql(app: Any) -> Engine | None:
    engine: Engine = app.extensions["homeward.engine"]
    return engine if engine.dialect.name == "postgresql" else None


def _backends(engine: Engine) -> set[int]:
    """The server processes behind two of the pool's connections, both back in the pool."""
    with engine.connect() as first, engine.connect() as second:
        return {
            connection.connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
            for connection in (first, second)
        }


def test_a_connection_the_server_dropped_while_it_rested_is_replaced(
    app: Any, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _postgresql(app)
    if engine is None:
        return  # a SQLite file has no server to drop its connections
    assert api.get("lawyer", "/api/v1/cases").status_code == 200
    dropped = _backends(engine)
    outside = create_engine(engine.url, poolclass=NullPool)
    with outside.connect() as connection:
        for pid in dropped:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    outside.dispose()
    monkeypatch.setattr(db, "RESTED_SECONDS", 0.0)  # as if they had rested a while

    assert api.get("lawyer", "/api/v1/cases").status_code == 200
    assert _backends(engine).isdisjoint(dropped)


def test_a_connection_used_a_moment_ago_is_not_tested(
    app: Any, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _postgresql(app)
    if engine is None:
        return
    assert api.get("lawyer", "/api/v1/cases").status_code == 200
    pinged: list[object] = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pinged.append(c) or ping(c))

    assert api.get("lawyer", "/api/v1/cases").status_code == 200
    assert pinged == []
    monkeypatch.setattr(db, "RESTED_SECONDS", 0.0)
    assert api.get("lawyer", "/api/v1/cases").status_code == 200
    assert pinged
