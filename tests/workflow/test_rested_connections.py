"""A pooled connection that rested is tested before use and replaced if it is gone (on
PostgreSQL, the server dropped it); one used a moment ago goes straight back to work."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from tests.audit.helpers import events
from tests.factories import Api
from workflow import db
from workflow.http import trail


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


def _read_events_connection(app: Any, api: Api, case: dict[str, Any]) -> Any:
    """The connection reads' events are written on, kept after a read."""
    assert api.get("lawyer", f"/api/v1/cases/{case['id']}").status_code == 200
    driver = app.extensions[trail.KEPT].driver
    assert driver is not None
    return driver


def test_the_connection_kept_for_reads_events_is_replaced_if_dropped_while_it_rested(
    app: Any, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine: Engine = app.extensions["homeward.engine"]
    case = api.create_case()
    dropped = _read_events_connection(app, api, case)
    _drop(engine, [dropped])
    monkeypatch.setattr(db, "RESTED_SECONDS", 0.0)  # as if it had rested a while
    before = len(events(app))

    assert api.get("lawyer", f"/api/v1/cases/{case['id']}").status_code == 200
    assert len(events(app)) == before + 1
    assert app.extensions[trail.KEPT].driver is not dropped


def test_a_read_whose_event_cannot_be_written_is_refused_and_the_next_is_served(
    app: Any, api: Api
) -> None:
    """The kept connection dropped while in use (the server gone mid-write): the read whose
    event it was to write is refused, nothing served without its event; the next read writes
    its event on another connection."""
    engine: Engine = app.extensions["homeward.engine"]
    case = api.create_case()
    _drop(engine, [_read_events_connection(app, api, case)])
    before = len(events(app))

    refused = api.get("lawyer", f"/api/v1/cases/{case['id']}")
    assert refused.status_code >= 500
    assert "child" not in (refused.json or {})
    assert api.get("lawyer", f"/api/v1/cases/{case['id']}").status_code == 200
    assert len(events(app)) == before + 2  # the refusal's, then the read's
