"""What a copy of the database and the document store reveals: nothing about the children.

Also: sealed values that were tampered with fail loudly, `homeward keys rotate-data` re-seals
everything under a new key while the service reads on, and `homeward cases purge` erases a case
closed past its retention period while the audit trail still verifies.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select, text, update

from tests.factories import Api, sample_pdf
from workflow import sealing, transactions
from workflow.config import ConfigError
from workflow.db import utcnow
from workflow.models import Case, Consent, Document, Person, PersonName, TransitionRecord
from workflow.rekeying import sealed_columns
from workflow.sealing import data_keys

# What the API's demo child and family carry, as they would leak: names in each script, the
# place of birth, where the child lives, a step's data and note.
SECRETS = ["Нұрғалиева", "Әлия", "عالية", "Nurgalieva", "Aliya", "Raqqa", "Almaty region"]
STEP_SECRETS = ["FL-SECRET-0932", "the mother phoned from Baghdad"]


def _case_with_evidence(api: Api) -> tuple[dict[str, Any], str]:
    case = api.create_case()
    api.request_dna(case)
    document = api.upload("lawyer", case["id"], "identity_record", sample_pdf("Aliya Nurgalieva"))
    assert document.status_code == 201
    note = api.post(
        "lawyer",
        f"/api/v1/cases/{case['id']}/transitions",
        {
            "track": "parentage",
            "action": "file_petition",
            "data": {"grounds": STEP_SECRETS[0]},
            "note": STEP_SECRETS[1],
        },
        **{"If-Match": f'"{api.case_version("lawyer", case["id"])}"'},
    )
    assert note.status_code == 200, note.json
    return case, str(document.json["id"])


def _every_stored_value(app: Any) -> str:
    """Every row of every table, as text, as someone holding a copy of the database sees it."""
    with app.app_context():
        engine = app.extensions["homeward.engine"]
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
            return "\n".join(
                json.dumps([str(value) for value in row], ensure_ascii=False)
                for name in tables
                for row in connection.execute(text(f"SELECT * FROM {name}"))  # noqa: S608
            )


def _store_files(app: Any) -> list[Path]:
    return [p for p in Path(app.config["DOCUMENT_STORE"]).rglob("*") if p.is_file()]


def test_a_copy_of_the_database_and_store_reveals_no_names_places_or_steps(
    app: Any, api: Api
) -> None:
    case, _document = _case_with_evidence(api)
    copied = _every_stored_value(app)
    assert case["reference"] in copied  # the copy is real: the case is in it
    for secret in SECRETS + STEP_SECRETS:
        assert secret not in copied, secret
    database = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    files = [*_store_files(app)]
    if database.is_file():  # SQLite: the file and its write-ahead log, byte for byte
        files += [database, database.with_name(database.name + "-wal")]
    for path in files:
        raw = path.read_bytes() if path.exists() else b""
        for secret in [*SECRETS, *STEP_SECRETS, "%PDF"]:
            assert secret.encode() not in raw, (path.name, secret)


def test_names_are_found_by_word_prefixes_in_any_script(api: Api) -> None:
    case = api.create_case()

    def found(q: str) -> bool:
        listed = api.get("lawyer", "/api/v1/cases", query_string={"q": q}).json["cases"]
        return case["id"] in {c["id"] for c in listed}

    assert found("Нұрғалиева") and found("нурғал") and found("NURGAL") and found("عالية")
    assert found("aliya nurgalieva")
    assert not found("galieva")  # inside a word: blind tokens match word beginnings only
    assert not found("Aliyah")


def test_a_tampered_sealed_value_is_an_error_never_garbage(app: Any, api: Api) -> None:
    case = api.create_case()
    with app.app_context(), transactions.unit_of_work() as session:
        stored = session.execute(
            text("SELECT id, family FROM person_names WHERE family IS NOT NULL LIMIT 1")
        ).one()
        flipped = (
            stored.family[:-6] + ("A" if stored.family[-6] != "A" else "B") + stored.family[-5:]
        )
        session.execute(
            text("UPDATE person_names SET family = :value WHERE id = :id"),
            {"value": flipped, "id": stored.id},
        )
    response = api.get("lawyer", f"/api/v1/cases/{case['id']}")
    assert response.status_code == 500
    assert response.json["error"]["code"] == "integrity_failure"


def test_a_value_sealed_under_a_key_added_during_a_request_opens(app: Any, api: Api) -> None:
    """A request looks at the key folder once; `rotate-data` in another process may then add
    a key and re-seal a row the request reads next. The row opens: it is no tampering."""
    api.create_case()
    folder = Path(app.config["DATA_KEYS_DIR"])
    with app.test_request_context(), transactions.unit_of_work() as session:
        looked = data_keys()  # this request has looked at the folder
        kid = sealing.create(folder)  # as `rotate-data` does, elsewhere
        resealed = sealing.load(folder).seal_text("Nurgalieva", "person_names.family")
        row = session.execute(
            text("SELECT id FROM person_names WHERE family IS NOT NULL LIMIT 1")
        ).one()
        session.execute(
            text("UPDATE person_names SET family = :value WHERE id = :id"),
            {"value": resealed, "id": row.id},
        )
        family = session.scalars(select(PersonName.family).where(PersonName.id == row.id))
        assert kid not in looked.keys
        assert list(family) == ["Nurgalieva"]
        assert data_keys().current == kid  # the request holds the new key now


def test_rotate_data_reseals_everything_and_frees_the_old_key(
    app: Any, api: Api, runner: Any
) -> None:
    case, document_id = _case_with_evidence(api)
    before = api.case("lawyer", case["id"])
    with app.app_context():
        old_key = data_keys().current
    old_objects = set(_store_files(app))

    result = runner.invoke(args=["keys", "rotate-data"])
    assert result.exit_code == 0, result.output
    assert f"{old_key}.key" in result.output  # named as no longer used

    with app.app_context():
        keys = data_keys()
        assert keys.current != old_key
        session = transactions.session()
        for model_table, name, _context in sealed_columns():
            for stored in session.scalars(text(f"SELECT {name} FROM {model_table.name}")):  # noqa: S608
                assert stored is None or keys.stored_key_id(stored) == keys.current
        assert set(session.scalars(select(Document.key_id))) == {keys.current}
    assert not old_objects & set(_store_files(app))  # the old ciphertexts are gone

    (Path(app.config["DATA_KEYS_DIR"]) / f"{old_key}.key").unlink()
    assert api.case("lawyer", case["id"]) == before
    download = api.get("lawyer", f"/api/v1/documents/{document_id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")


def test_purge_erases_a_case_closed_past_retention_and_the_trail_still_verifies(
    app: Any, api: Api, runner: Any
) -> None:
    kept_open = api.create_case()
    case, _document = _case_with_evidence(api)
    closed = api.post(
        "lawyer",
        f"/api/v1/cases/{case['id']}/close",
        {"reason": "transferred"},
        **{"If-Match": f'"{api.case_version("lawyer", case["id"])}"'},
    )
    assert closed.status_code == 200
    assert "0 case(s)" in runner.invoke(args=["cases", "purge"]).output  # not old enough yet

    days = app.config["RETENTION_DAYS"]
    with app.app_context(), transactions.unit_of_work() as session:
        session.execute(
            update(Case)
            .where(Case.id == uuid.UUID(case["id"]))
            .values(updated_at=utcnow() - timedelta(days=days + 1))
        )
    dry = runner.invoke(args=["cases", "purge", "--dry-run"])
    assert f"would purge {case['reference']}" in dry.output
    result = runner.invoke(args=["cases", "purge"])
    assert result.exit_code == 0 and f"purging {case['reference']}" in result.output

    with app.app_context():
        session = transactions.session()
        case_id = uuid.UUID(case["id"])
        for model in (Person, PersonName, Consent, Document):
            assert session.scalars(select(model).filter_by(case_id=case_id)).all() == []
        steps = session.execute(
            select(TransitionRecord.data, TransitionRecord.note).filter_by(case_id=case_id)
        ).all()
        assert steps and all(row == (None, None) for row in steps)
    assert _store_files(app) == []
    assert api.get("lawyer", f"/api/v1/cases/{case['id']}").status_code == 404
    assert api.case("lawyer", kept_open["id"])["id"] == kept_open["id"]

    verified = runner.invoke(args=["audit", "verify", "--json"])
    assert verified.exit_code == 0 and json.loads(verified.stdout)["ok"] is True
    events = api.get("auditor", "/api/v1/audit/events", query_string={"case": case["reference"]})
    assert "admin.case_purge" in {event["action"] for event in events.json["events"]}


def test_production_refuses_to_run_without_data_keys_until_they_are_made(
    app: Any, runner: Any, tmp_path: Path
) -> None:
    app.config.update(ENV="production", DATA_KEYS_DIR=str(tmp_path / "prod-data-keys"))
    app.extensions.pop("homeward.data_keys", None)
    with app.app_context(), pytest.raises(ConfigError, match="rotate-data"):
        data_keys()
    result = runner.invoke(args=["keys", "rotate-data"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert data_keys().current in result.output
