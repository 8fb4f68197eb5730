"""Verifying from the newest checkpoint that was verified when it was signed: only the events after
it are read, what they break is found, and anything amiss with the checkpoint itself sends the
verification back to the first event."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from audit import marks, segments, signing, walk
from audit.checkpoints import signing_key
from audit.models import AuditCheckpoint
from tests.audit.helpers import change_event, fill
from tests.audit.test_tampering import (
    checkpoint_by_cli,
    rewrite_chain,
    tampering,
    verify_by_cli,
)
from tests.factories import Api
from tests.statements import statements_run
from workflow import transactions


def verify_since(runner: Any, *held: Path) -> tuple[int, dict[str, Any]]:
    args = ["audit", "verify", "--json", "--since-checkpoint"]
    for path in held:
        args += ["--checkpoint", str(path)]
    result = runner.invoke(args=args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def _mark(app: Any) -> dict[str, Any]:
    with app.app_context():
        marks = transactions.session().scalars(select(AuditCheckpoint.mark)).all()
    assert marks[-1] is not None
    return marks[-1]


def test_a_checkpoint_is_marked_as_verified_up_to_its_head(
    app: Any, runner: Any, tmp_path: Path
) -> None:
    fill(app, 40)
    checkpoint = checkpoint_by_cli(runner, tmp_path / "cp.json")
    mark = _mark(app)
    public = signing_key_of(app).public_key()
    assert mark["verified_through"] == checkpoint["seq"] == 40
    assert mark["checkpoint"] == checkpoint["signature"] and signing.verify(public, mark)


def signing_key_of(app: Any) -> Any:
    with app.app_context():
        return signing_key()


def test_an_incremental_verification_starts_after_the_checkpoint(
    app: Any, runner: Any, tmp_path: Path
) -> None:
    fill(app, 40)
    checkpoint_by_cli(runner, tmp_path / "cp.json")  # leaves its own event, 41
    fill(app, 9)
    exit_code, since = verify_since(runner)
    _code, full = verify_by_cli(runner)
    assert exit_code == 0 and since["verified_from"] == 40
    assert {key: since[key] for key in full} == full
    assert since["ok"] is True and since["events"] == 50


def test_it_reads_only_the_events_after_the_checkpoint(
    app: Any, runner: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """The ranges it checks start after the checkpoint, and it runs as many statements after a
    trail of 60 events as after one of over a thousand."""
    ranges: list[tuple[int, int]] = []
    check = segments.check
    monkeypatch.setattr(
        segments,
        "check",
        lambda c, lo, hi, derived: ranges.append((lo, hi)) or check(c, lo, hi, derived),
    )
    counts = []
    for length in (60, 1000):
        fill(app, length)
        cp = checkpoint_by_cli(runner, tmp_path / f"cp{length}.json")
        fill(app, 5)
        ranges.clear()
        with statements_run(engine_of(app)) as statements:
            assert verify_since(runner)[1]["verified_from"] == cp["seq"]
        assert [lo for lo, _hi in ranges] == [cp["seq"] + 1]
        counts.append(len(statements))
    assert counts[0] == counts[1]


def engine_of(app: Any) -> Any:
    return app.extensions["homeward.engine"]


def test_new_events_are_verified_and_their_breaks_named(
    app: Any, api: Api, runner: Any, tmp_path: Path
) -> None:
    fill(app, 30)
    checkpoint_by_cli(runner, tmp_path / "cp.json")
    fill(app, 10)
    with tampering(api) as connection:
        change_event(connection, 35, outcome="x")
    exit_code, result = verify_since(runner)
    assert exit_code == 1 and result["verified_from"] == 30
    assert result["first_broken"] == {"seq": 35, "problem": "altered_event"}
    assert (result["events"], result["head"]["seq"]) == (34, 34)


def test_events_before_the_checkpoint_are_taken_as_verified_then(
    app: Any, api: Api, runner: Any, tmp_path: Path
) -> None:
    """The trust an incremental verification places in its checkpoint: an event changed before it,
    its hash left alone, is found only by the full verification."""
    fill(app, 30)
    checkpoint_by_cli(runner, tmp_path / "cp.json")
    with tampering(api) as connection:
        change_event(connection, 7, outcome="x")
    assert verify_since(runner)[1]["ok"] is True
    assert verify_by_cli(runner)[1]["first_broken"] == {"seq": 7, "problem": "altered_event"}


def test_a_rewritten_chain_sends_it_back_to_the_first_event(
    app: Any, api: Api, runner: Any, tmp_path: Path
) -> None:
    fill(app, 30)
    checkpoint = checkpoint_by_cli(runner, tmp_path / "cp.json")
    with tampering(api) as connection:
        rewrite_chain(connection, 7, outcome="x")
    exit_code, result = verify_since(runner)
    assert exit_code == 1 and result["verified_from"] == 0
    assert result["first_broken"] == {
        "seq": checkpoint["seq"],
        "problem": "does_not_match_checkpoint",
    }


def test_a_forged_mark_is_no_place_to_start(
    app: Any, api: Api, runner: Any, tmp_path: Path
) -> None:
    fill(app, 30)
    checkpoint_by_cli(runner, tmp_path / "cp.json")
    fill(app, 3)
    mark = _mark(app)
    with tampering(api) as connection:
        connection.execute(update(AuditCheckpoint).values(mark={**mark, "verified_through": 20}))
    assert verify_since(runner)[1]["verified_from"] == 0
    with tampering(api) as connection:
        connection.execute(update(AuditCheckpoint).values(mark=None))
    assert verify_since(runner)[1]["verified_from"] == 0


def test_a_checkpoint_over_a_broken_chain_says_how_far_it_held(
    app: Any, api: Api, runner: Any, tmp_path: Path
) -> None:
    fill(app, 30)
    with tampering(api) as connection:
        change_event(connection, 12, outcome="x")
    checkpoint = checkpoint_by_cli(runner, tmp_path / "cp.json")
    assert checkpoint["seq"] == 30 and _mark(app)["verified_through"] == 11
    exit_code, result = verify_since(runner)
    assert exit_code == 1 and result["verified_from"] == 0
    assert result["first_broken"] == {"seq": 12, "problem": "altered_event"}


def test_checkpoints_held_outside_from_before_are_still_checked(
    app: Any, runner: Any, tmp_path: Path
) -> None:
    fill(app, 20)
    early = tmp_path / "early.json"
    checkpoint_by_cli(runner, early)
    fill(app, 20)
    checkpoint_by_cli(runner, tmp_path / "late.json")
    exit_code, result = verify_since(runner, early)
    assert exit_code == 0 and result["verified_from"] == 41  # 20, its event, 20
    forged = {**json.loads(early.read_text(encoding="utf-8")), "head_hash": "ab" * 32}
    early.write_text(json.dumps(forged), encoding="utf-8")
    exit_code, result = verify_since(runner, early)
    assert exit_code == 1 and result["verified_from"] == 0
    assert result["first_broken"] == {"seq": 20, "problem": "checkpoint_signature_invalid"}


def test_a_walk_from_the_checkpoint_gives_the_full_walk_s_roots(
    app: Any, runner: Any, tmp_path: Path
) -> None:
    fill(app, 70)
    checkpoint_by_cli(runner, tmp_path / "cp.json")
    fill(app, 50)
    with app.app_context():
        session = transactions.session()
        start = marks.anchor(session, signing_key().public_key())
        assert start is not None and start.seq == 70
        sizes = [71, 100, 121]
        assert (
            walk.walk(session, start, sizes, 16).roots
            == walk.walk(session, walk.Start(), sizes, 16).roots
        )
