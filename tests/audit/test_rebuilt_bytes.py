"""Each event's columns, derived from its stored text, give back exactly the bytes Python hashes;
where the columns are plain (a table as before migration 0024, or rebuilt so), the database
rebuilds those bytes from them, and a value stored in any other form gives other bytes and is
judged by decoding it, with the same verdict as ever."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy import select, text

from audit import walk
from audit.chain import canonical, canonical_json, event_hash
from audit.encoding import canonical_bytes
from audit.models import AuditEvent
from audit.trail import append
from tests.audit.helpers import store_otherwise
from tests.audit.test_tampering import tampering, verify_by_cli
from tests.factories import Api
from workflow import transactions

AWKWARD = [
    'a "quoted" \\ backslash',
    "controls \x01\x07\x1f\t\n\r\x08\x0c and DEL \x7f",
    "Нұрғалиева, ‏عائشة‎, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂, line\u2028separator",
    "",
]
DETAILS: list[dict[str, Any]] = [
    {},
    {"z": 1, "a": [1.5, -0.0, 1e300, None, True], "m": {"y": "é", "b": {"": []}}},
    {"returned": ["HW-7KQ2-M9XD-4TRB"] * 3, "filters": ["q", "track"], "n": 2**70},
    {text: text for text in AWKWARD},
]


def _append_awkward_events(app: Any) -> None:
    with app.app_context(), transactions.unit_of_work() as session:
        for n, value in enumerate(AWKWARD):
            append(
                session,
                action="test.awkward",
                outcome=value[:40] or "success",
                username=value[:64] or None,
                object_id=value[:64],
                client_address=None,
                case_id=uuid.uuid4() if n % 2 else None,
                actor_id=uuid.uuid4(),
                detail=DETAILS[n % len(DETAILS)],
                purpose=value[:40] or None,
            )


def _rebuilt(app: Any) -> list[tuple[bytes, dict[str, Any]]]:
    with app.app_context():
        session = transactions.session()
        dialect = session.get_bind().dialect.name
        query = f"SELECT seq, {canonical_bytes(dialect)} FROM audit_events"  # noqa: S608
        built = {seq: rebuilt for seq, rebuilt in session.execute(text(query))}
        rows = session.execute(select(AuditEvent.__table__)).mappings()
        return [(bytes(built[row["seq"]]), dict(row)) for row in rows]


def test_the_database_rebuilds_exactly_the_bytes_python_hashes(app: Any, api: Api) -> None:
    api.create_case()
    _append_awkward_events(app)
    rebuilt = _rebuilt(app)
    assert len(rebuilt) > len(AWKWARD)
    for stored_bytes, row in rebuilt:
        assert stored_bytes == canonical(row)
        assert hashlib.sha256(stored_bytes).hexdigest() == row["hash"] == event_hash(row)


def test_detail_is_stored_as_the_text_the_hash_covers(app: Any) -> None:
    _append_awkward_events(app)
    with app.app_context():
        session = transactions.session()
        stored = session.execute(text("SELECT seq, detail FROM audit_events ORDER BY seq")).all()
        details = session.scalars(select(AuditEvent.detail).order_by(AuditEvent.seq)).all()
    for (_seq, raw), detail in zip(stored, details, strict=True):
        assert (raw if isinstance(raw, str) else canonical_json(raw)) == canonical_json(detail)


def test_a_trail_written_by_homeward_is_verified_without_decoding_a_row(
    app: Any, api: Api, runner: Any
) -> None:
    api.create_case()
    _append_awkward_events(app)
    with app.app_context():
        walked = walk.walk(transactions.session(), walk.Start(), [], 3)
    assert walked.broken is None and walked.count > len(AWKWARD) and walked.slow == 0
    assert verify_by_cli(runner)[1]["ok"] is True


def test_values_stored_in_another_form_are_decoded_and_still_verify(
    app: Any, api: Api, runner: Any
) -> None:
    _append_awkward_events(app)
    with tampering(api) as connection:
        otherwise = store_otherwise(connection)
    with app.app_context():
        walked = walk.walk(transactions.session(), walk.Start(), [], 2)
    assert (walked.broken, walked.count, walked.slow) == (None, len(AWKWARD), otherwise)
    assert verify_by_cli(runner)[1]["ok"] is True


def test_a_value_changed_in_another_form_is_still_an_altered_event(
    api: Api, app: Any, runner: Any
) -> None:
    _append_awkward_events(app)
    with tampering(api) as connection:
        store_otherwise(connection)
        connection.execute(text("UPDATE audit_events SET detail = '{\"b\": 2}' WHERE seq = 2"))
    _exit_code, result = verify_by_cli(runner)
    assert result["first_broken"] == {"seq": 2, "problem": "altered_event"}
