"""`homeward upkeep`, as a timer runs it: what can no longer be used is pruned and nothing else,
the trail gets a signed checkpoint, and the cases past retention are purged."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from audit.models import AuditCheckpoint, AuditEvent
from tests.factories import Api
from workflow import transactions
from workflow.db import utcnow
from workflow.models import AuthSession, Case, LoginThrottle, SpentRefreshToken

HOUR = timedelta(hours=1)


def sessions_of_every_kind(app: Any, user_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """A live session and three that no refresh can revive, each with a spent refresh token."""
    now, idle = utcnow(), timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    kinds = {
        "live": {"expires_at": now + HOUR},
        "ended": {"expires_at": now + HOUR, "ended_at": now - HOUR, "end_reason": "logout"},
        "expired": {"expires_at": now - HOUR},
        "idle": {"expires_at": now + HOUR, "last_seen_at": now - idle - HOUR},
    }
    with app.app_context(), transactions.unit_of_work() as session:
        made = {}
        for kind, values in kinds.items():
            row = AuthSession(user_id=user_id, refresh_hash=uuid.uuid4().hex, **values)
            session.add(row)
            session.flush()
            session.add(SpentRefreshToken(token_hash=uuid.uuid4().hex, session_id=row.id))
            made[kind] = row.id
        return made


def throttles_of_every_kind(app: Any) -> None:
    now = utcnow()
    counters = {
        "pair:forgotten|192.0.2.1": {"counted_at": now - 2 * HOUR},
        "address:still-locked": {"counted_at": now - 2 * HOUR, "locked_until": now + HOUR},
        "account:counted-lately": {"counted_at": now - timedelta(minutes=5)},
        "verify:never-counted": {},
    }
    with app.app_context(), transactions.unit_of_work() as session:
        session.add_all(LoginThrottle(key=key, count=3, **kept) for key, kept in counters.items())


def test_upkeep_prunes_only_what_can_no_longer_be_used(
    app: Any, runner: Any, accounts: dict[str, uuid.UUID], tmp_path: Path
) -> None:
    made = sessions_of_every_kind(app, accounts["lawyer"])
    throttles_of_every_kind(app)

    result = runner.invoke(args=["upkeep", "--checkpoint-out", str(tmp_path / "checkpoint.json")])

    assert result.exit_code == 0, result.output
    assert "pruned 3 session(s), 3 spent refresh token(s) and 2 throttle counter(s)" in (
        result.output
    )
    with app.app_context():
        session = transactions.session()
        assert set(session.scalars(select(AuthSession.id))) == {made["live"]}
        assert set(session.scalars(select(SpentRefreshToken.session_id))) == {made["live"]}
        assert set(session.scalars(select(LoginThrottle.key))) == {
            "address:still-locked",
            "account:counted-lately",
        }
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
    assert actions[-2:] == ["admin.upkeep_prune", "audit.checkpoint"]


def test_upkeep_signs_a_checkpoint_and_keeps_it_outside_too(
    app: Any, api: Api, runner: Any, tmp_path: Path
) -> None:
    api.create_case()
    out = tmp_path / "checkpoints" / "latest.json"
    out.parent.mkdir()

    result = runner.invoke(args=["upkeep", "--checkpoint-out", str(out)])

    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text(encoding="utf-8"))
    with app.app_context():
        session = transactions.session()
        stored = session.scalars(select(AuditCheckpoint.body)).one()
        events = session.scalar(select(func.max(AuditEvent.seq)))
    assert written == stored
    assert written["seq"] == events - 1  # signed before its own event was appended
    assert f"checkpoint at event {written['seq']} written to {out}" in result.output
    verified = runner.invoke(args=["audit", "verify", "--checkpoint", str(out)])
    assert verified.exit_code == 0, verified.output


def test_upkeep_purges_the_cases_past_retention(app: Any, api: Api, runner: Any) -> None:
    kept, purged = api.create_case(), api.create_case()
    closed = api.post(
        "lawyer",
        f"/api/v1/cases/{purged['id']}/close",
        {"reason": "transferred"},
        **{"If-Match": f'"{api.case_version("lawyer", purged["id"])}"'},
    )
    assert closed.status_code == 200
    long_ago = utcnow() - timedelta(days=app.config["RETENTION_DAYS"] + 1)
    with app.app_context(), transactions.unit_of_work() as session:
        session.execute(
            update(Case).where(Case.id == uuid.UUID(purged["id"])).values(updated_at=long_ago)
        )

    result = runner.invoke(args=["upkeep"])

    assert result.exit_code == 0, result.output
    assert f"purging {purged['reference']}" in result.output
    assert "1 case(s) closed over" in result.output
    assert api.get("lawyer", f"/api/v1/cases/{purged['id']}").status_code == 404
    assert api.get("lawyer", f"/api/v1/cases/{kept['id']}").status_code == 200


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    return {"AUDIT_KEY_FILE": str(tmp_path / "keys" / "audit.key")}


def test_without_a_checkpoint_key_upkeep_does_the_rest_and_fails(
    app: Any, runner: Any, accounts: dict[str, uuid.UUID]
) -> None:
    sessions_of_every_kind(app, accounts["lawyer"])
    app.config["ENV"] = "production"  # which never makes a checkpoint key of its own

    result = runner.invoke(args=["upkeep"])

    assert result.exit_code == 1
    assert "error: no checkpoint signed:" in result.output
    assert "pruned 3 session(s)" in result.output
    assert "0 case(s) closed over" in result.output  # the purge ran after the failure
    assert not Path(app.config["AUDIT_KEY_FILE"]).exists()


@pytest.mark.parametrize(
    "arguments",
    [
        ["--checkpoint-out"],
        ["--checkpoint-out", "."],
        ["--checkpoint-out", "/proc/version/ünïcode.json"],
        ["--dry-run"],
        ["extra"],
    ],
)
def test_upkeep_refuses_bad_arguments_before_changing_anything(
    app: Any, runner: Any, accounts: dict[str, uuid.UUID], arguments: list[str]
) -> None:
    made = sessions_of_every_kind(app, accounts["lawyer"])

    result = runner.invoke(args=["upkeep", *arguments])

    assert result.exit_code == 2
    with app.app_context():
        left = set(transactions.session().scalars(select(AuthSession.id)))
    assert left == set(made.values())
