"""A database holding cases from before sealing is sealed by `homeward db upgrade`, in place."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import JSON, MetaData, select, text

from tests.factories import Api
from workflow import migrations, transactions
from workflow.models import PersonName, TransitionRecord
from workflow.sealing import data_keys


def _plain_case(app: Any, user_id: uuid.UUID) -> uuid.UUID:
    """Insert a case as schema 0003 held it: names and step data in plain text."""
    engine = app.extensions["homeward.engine"]
    sqlite = engine.dialect.name == "sqlite"

    def key(value: uuid.UUID) -> Any:
        return value.hex if sqlite else value

    def document(value: Any) -> Any:  # a JSON column reflected without its type takes text
        typed = isinstance(tables.tables["transition_history"].c.data.type, JSON)
        return value if typed else json.dumps(value)

    tables = MetaData()
    tables.reflect(engine)
    case_id, child = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    with engine.begin() as connection:
        workflow_id = connection.scalar(text("SELECT min(id) FROM workflow_definitions"))
        agency_id = connection.scalar(
            select(tables.tables["users"].c.agency_id).where(
                tables.tables["users"].c.id == key(user_id)
            )
        )
        connection.execute(
            tables.tables["cases"].insert(),
            {
                "id": key(case_id), "reference": "HW-0000-0000-0001", "workflow_id": workflow_id,
                "status": "open", "version": 1, "created_at": now, "updated_at": now,
                "opened_by_id": key(user_id),
            },
        )  # fmt: skip
        connection.execute(
            tables.tables["people"].insert(),
            {
                "id": key(child), "case_id": key(case_id), "position": 0, "relation": "child",
                "birth_date": datetime(2016, 1, 1).date(), "birth_locality": "Raqqa",
                "residence": "With her grandmother",
            },
        )  # fmt: skip
        connection.execute(
            tables.tables["person_names"].insert(),
            {
                "person_id": key(child), "case_id": key(case_id), "position": 0,
                "script": "Cyrl", "given": "Әлия", "family": "Нұрғалиева",
                "search_key": "әлия нұрғалиева",
            },
        )  # fmt: skip
        connection.execute(
            tables.tables["transition_history"].insert(),
            {
                "case_id": key(case_id), "track": "parentage", "action": "file_petition",
                "from_state": "not_started", "to_state": "petition_filed",
                "actor_id": key(user_id), "agency_id": agency_id, "at": now,
                "data": document({"grounds": "Camp records"}), "evidence_ids": document([]),
                "note": "Called the camp",
            },
        )  # fmt: skip
    return case_id


def test_plain_rows_are_sealed_on_upgrade_and_read_back_the_same(
    app: Any, api: Api, accounts: dict[str, uuid.UUID]
) -> None:
    engine = app.extensions["homeward.engine"]
    migrations.downgrade(engine, "0003")
    case_id = _plain_case(app, accounts["lawyer"])

    with pytest.raises(RuntimeError, match="homeward db upgrade"):
        migrations.upgrade(engine)  # without the data keys, nothing is touched
    with app.app_context():
        migrations.upgrade(engine, data_keys=data_keys())

    with engine.connect() as connection:
        stored = connection.execute(text("SELECT given, family, search_key FROM person_names"))
        given, family, tokens = stored.one()
        assert "Әлия" not in given and "Нұрғалиева" not in family and "нұрғ" not in tokens
        raw_steps = connection.execute(text("SELECT data, note FROM transition_history")).one()
        assert "Camp" not in str(raw_steps)
    with app.app_context():
        session = transactions.session()
        name = session.scalars(select(PersonName).filter_by(case_id=case_id)).one()
        step = session.scalars(select(TransitionRecord).filter_by(case_id=case_id)).one()
        assert (name.given, name.family) == ("Әлия", "Нұрғалиева")
        assert (step.data, step.note) == ({"grounds": "Camp records"}, "Called the camp")
