"""A pooled connection that rested is tested before use and replaced if it is gone (on
PostgreSQL, the server dropped it); one used a moment ago goes straight back to work."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from tests.factories import Api
from workflow import db


def _connections(engine: Engine) -> list[Any]:
    """Two of the pool's connections as the driver holds them, both back in the pool."""
    with engine.connect() as first, engine.connect() as second:
        return [connection.connection.dbapi_connection for connection in (first, second)]


def _drop(engine: Engine, connections: list[Any]) -> None:
    """End these connections behind the pool's back, as a restarted server would."""
    if engine.dialect.name != "postgresql":
        for connection in connections:
            connection.close()
        return
    outside = create_engine(engine.url, poolclass=NullPool)
    with outside.connect() as connection:
        for dropped in connections:
            pid = {"pid": dropped.info.backend_pid}
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), pid)
    outside.dispose()


def test_a_connection_dropped_while_it_rested_is_replaced(
    app: Any, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine: Engine = app.extensions["homeward.engine"]
    assert api.get("lawyer", "/api/v1/cases").status_code == 200
    dropped = _connections(engine)
    _drop(engine, dropped)
    monkeypatch.setattr(db, "RESTED_SECONDS", 0.0)  # as if they had rested a while

    assert api.get("lawyer", "/api/v1/cases").status_code == 200
    assert not {id(c) for c in _connections(engine)} & {id(c) for c in dropped}


def test_a_connection_used_a_moment_ago_is_not_tested(
    app: Any, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine: Engine = app.extensions["homeward.engine"]
    assert api.get("lawyer", "/api/v1/cases").status_code == 200
    pinged: list[object] = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pinged.append(c) or ping(c))

    assert api.get("lawyer", "/api/v1/cases").status_code == 200
    assert pinged == []
    monkeypatch.setattr(db, "RESTED_SECONDS", 0.0)
    assert api.get("lawyer", "/api/v1/cases").status_code == 200
    assert pinged
