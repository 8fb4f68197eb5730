"""GET /readyz: 200 only when the database answers at the schema this code was written for;
else 503, saying which, and naming no database, address or secret."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from workflow import db, migrations


def test_ready_when_the_schema_is_at_the_head(client: FlaskClient) -> None:
    answer = client.get("/readyz")

    assert answer.status_code == 200
    assert answer.json == {"status": "ok", "database": "ok", "schema": "current"}


def test_not_ready_while_the_schema_is_behind(
    app: Any, client: FlaskClient, database_url: str
) -> None:
    engine = db.build_engine(database_url)
    migrations.downgrade(engine, "-1")
    try:
        answer = client.get("/readyz")
        alive = client.get("/healthz")
    finally:  # on PostgreSQL the next test shares this database: leave it at the head
        migrations.upgrade(engine)
        engine.dispose()

    assert answer.status_code == 503
    assert answer.json == {"status": "unavailable", "database": "ok", "schema": "behind"}
    assert alive.status_code == 200  # alive all the same: only not ready


def test_not_ready_when_the_database_does_not_answer(app: Any, client: FlaskClient) -> None:
    app.extensions["homeward.engine"].dispose()
    missing = db.build_engine("sqlite:////nonexistent-folder/homeward.sqlite3")
    for kind in ("homeward.sessions", "homeward.read_sessions"):
        app.extensions[kind].configure(bind=missing)

    answer = client.get("/readyz")

    assert answer.status_code == 503
    assert answer.json == {"status": "unavailable", "database": "unreachable"}
    assert "sqlite" not in answer.get_data(as_text=True)
