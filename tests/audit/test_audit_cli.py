"""`homeward audit`: verify (text and JSON), checkpoint to a file, and the checkpoint key."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask.testing import FlaskClient
from sqlalchemy import select, update

from audit import merkle, signing
from audit.chain import GENESIS
from audit.models import AuditCheckpoint, AuditEvent, AuditHead
from tests.factories import Api
from workflow import transactions


def _invoke(runner: Any, *args: str) -> Any:
    """Run a command; whatever it says, it must not crash with a traceback."""
    result = runner.invoke(args=list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _some_events(api: Api) -> int:
    """Sign in, open and read a case: a few real events; return the head's sequence number."""
    case = api.create_case()
    api.case("lawyer", case["id"])
    api.get("lawyer", "/api/v1/cases")
    return _head(api)[0]


def _head(api: Api) -> tuple[int, str]:
    with api.client.application.app_context():
        head = transactions.session().get(AuditHead, 1)
        assert head is not None
        return head.seq, head.hash


def _key_file(app: Any) -> Path:
    return Path(app.config["AUDIT_KEY_FILE"])


def test_verify_an_empty_trail(runner: Any) -> None:
    result = _invoke(runner, "audit", "verify")
    assert result.exit_code == 0
    assert result.stdout == f"trail intact: 0 events, head 0 {GENESIS}\n"

    result = _invoke(runner, "audit", "verify", "--json")
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert body["ok"] is True and body["events"] == 0 and body["first_broken"] is None
    assert body["head"] == {"seq": 0, "hash": GENESIS}


def test_verify_a_populated_trail_with_a_progress_bar(api: Api, runner: Any) -> None:
    size = _some_events(api)
    seq, last = _head(api)
    result = _invoke(runner, "audit", "verify")
    assert result.exit_code == 0
    assert result.stdout == f"trail intact: {size} events, head {seq} {last}\n"
    assert "verifying" in result.stderr


def test_verify_json_has_the_contract_shape(api: Api, runner: Any) -> None:
    size = _some_events(api)
    result = _invoke(runner, "audit", "verify", "--json")
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert {"ok", "events", "head", "first_broken"} <= set(body)
    assert body["ok"] is True and body["first_broken"] is None
    assert body["events"] == size
    assert body["head"] == {"seq": size, "hash": _head(api)[1]}


def test_verify_exits_1_and_names_the_break(app: Any, api: Api, runner: Any) -> None:
    size = _some_events(api)
    # The head row is not append-only: moving it past the last event claims an event that is gone.
    with app.app_context(), transactions.unit_of_work() as session:
        session.execute(update(AuditHead).values(seq=size + 1, hash="c" * 64))

    result = _invoke(runner, "audit", "verify")
    assert result.exit_code == 1
    assert f"trail BROKEN at event {size + 1}: missing_tail" in result.stdout

    result = _invoke(runner, "audit", "verify", "--json")
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["ok"] is False
    assert body["first_broken"] == {"seq": size + 1, "problem": "missing_tail"}
    assert body["events"] == size and body["head"]["seq"] == size


def test_checkpoint_writes_a_signed_statement_of_the_head(
    app: Any, api: Api, runner: Any, tmp_path: Path
) -> None:
    size = _some_events(api)
    head_hash = _head(api)[1]
    out = tmp_path / "checkpoint.json"

    result = _invoke(runner, "audit", "checkpoint", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"checkpoint at event {size} written to {out}\n"

    checkpoint = json.loads(out.read_text(encoding="utf-8"))
    assert set(checkpoint) == {
        "seq",
        "head_hash",
        "merkle_root",
        "issued_at",
        "key_id",
        "signature",
    }
    assert checkpoint["seq"] == size and checkpoint["head_hash"] == head_hash
    with app.app_context():
        session = transactions.session()
        hashes = session.scalars(select(AuditEvent.hash).order_by(AuditEvent.seq)).all()
        stored = session.scalars(select(AuditCheckpoint.body)).all()
        last = session.get(AuditEvent, size + 1)
    assert checkpoint["merkle_root"] == merkle.root([bytes.fromhex(h) for h in hashes[:size]]).hex()
    assert stored == [checkpoint]
    assert last is not None and last.action == "audit.checkpoint"  # the command left its event

    listed = api.get("auditor", "/api/v1/audit/checkpoints").json
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(listed["public_key"]))
    assert listed["checkpoints"] == [checkpoint]
    assert signing.verify(public, checkpoint)
    assert not signing.verify(public, {**checkpoint, "seq": size - 1})

    result = _invoke(runner, "audit", "verify", "--checkpoint", str(out))
    assert result.exit_code == 0, result.output


def test_a_checkpoint_signed_by_another_key_is_refused(
    api: Api, runner: Any, tmp_path: Path
) -> None:
    _some_events(api)
    out = tmp_path / "checkpoint.json"
    assert _invoke(runner, "audit", "checkpoint", "--out", str(out)).exit_code == 0
    checkpoint = json.loads(out.read_text(encoding="utf-8"))
    stranger = signing.generate(tmp_path / "stranger.pem")
    out.write_text(json.dumps(signing.sign(stranger, checkpoint)), encoding="utf-8")

    result = _invoke(runner, "audit", "verify", "--json", "--checkpoint", str(out))
    assert result.exit_code == 1
    assert json.loads(result.stdout)["first_broken"] == {
        "seq": checkpoint["seq"],
        "problem": "checkpoint_signature_invalid",
    }


@pytest.mark.parametrize(
    "content",
    [
        b"this is not JSON",
        b"",
        b"\xff\xfe\x00binary",
        b"[1, 2, 3]",
        b'"a string"',
        b'{"hello": "world"}',
        b'{"seq": "12", "head_hash": "00"}',
        b'{"seq": null}',
    ],
)
def test_verify_refuses_a_file_that_is_not_a_checkpoint(
    api: Api, runner: Any, tmp_path: Path, content: bytes
) -> None:
    _some_events(api)
    path = tmp_path / "held.json"
    path.write_bytes(content)
    result = _invoke(runner, "audit", "verify", "--checkpoint", str(path))
    assert result.exit_code == 2
    assert "held.json is not a Homeward checkpoint" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("kind", ["missing", "a directory"])
def test_verify_refuses_a_checkpoint_path_that_is_no_file(
    runner: Any, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "held"
    if kind == "a directory":
        path.mkdir()
    result = _invoke(runner, "audit", "verify", "--checkpoint", str(path))
    assert result.exit_code == 2
    assert "--checkpoint" in result.stderr and str(path) in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["verify", "checkpoint"])
def test_without_a_key_in_production_the_commands_say_how_to_make_one(
    app: Any, runner: Any, tmp_path: Path, command: str
) -> None:
    app.config["ENV"] = "production"
    options = ["--out", str(tmp_path / "checkpoint.json")] if command == "checkpoint" else []
    result = _invoke(runner, "audit", command, *options)
    # Not 1, which says the trail is broken: the trail was never looked at.
    assert result.exit_code == 2
    assert "homeward audit keygen" in result.stderr
    assert not _key_file(app).exists()


def test_keygen_makes_a_private_key_once(app: Any, runner: Any) -> None:
    path = _key_file(app)
    assert not path.exists()
    result = _invoke(runner, "audit", "keygen")
    assert result.exit_code == 0, result.output
    assert str(path) in result.stdout
    assert path.stat().st_mode & 0o777 == 0o600
    key = signing.load_or_create(path, create=False)
    assert signing.key_id(key.public_key()) in result.stdout

    before = path.read_bytes()
    again = _invoke(runner, "audit", "keygen")
    assert again.exit_code == 2
    assert "exists" in again.stderr and "never replaced" in again.stderr
    assert path.read_bytes() == before


def test_keygen_refuses_to_replace_the_key_made_on_first_use(
    app: Any, api: Api, client: FlaskClient, runner: Any, tmp_path: Path
) -> None:
    _some_events(api)
    out = tmp_path / "checkpoint.json"
    assert _invoke(runner, "audit", "checkpoint", "--out", str(out)).exit_code == 0
    before = _key_file(app).read_bytes()

    result = _invoke(runner, "audit", "keygen")
    assert result.exit_code == 2
    assert _key_file(app).read_bytes() == before
    assert _invoke(runner, "audit", "verify", "--checkpoint", str(out)).exit_code == 0
