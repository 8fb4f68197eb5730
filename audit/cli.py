"""`homeward audit`: verify the trail, sign checkpoints, make the checkpoint key."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app
from flask.cli import AppGroup

from audit import checkpoints, signing
from audit.recorder import record_command
from audit.verification import count, verify_since_checkpoint, verify_trail
from workflow import transactions
from workflow.config import ConfigError


@click.group("audit", cls=AppGroup)
def audit_group() -> None:
    """The tamper-evident audit trail."""


@audit_group.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--checkpoint",
    "held",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A checkpoint kept outside Homeward; may be given several times.",
)
@click.option(
    "--since-checkpoint",
    "incremental",
    is_flag=True,
    help="Verify only the events after the newest checkpoint verified when it was signed.",
)
@click.option(
    "--every-column",
    is_flag=True,
    help="Check each column against the text its hash covers, whatever the database's catalogue"
    " says (slower; for a database whose catalogue may itself have been edited).",
)
def audit_verify(
    as_json: bool, held: tuple[Path, ...], incremental: bool, every_column: bool
) -> None:
    """Recompute the chain and the checkpoints; exit 1 when the trail is broken."""
    if incremental and every_column:
        raise click.UsageError("--every-column verifies the whole trail: drop --since-checkpoint")
    outside = [_read_checkpoint(path) for path in held]
    session = transactions.session()
    public = _checkpoint_key().public_key()
    with click.progressbar(
        length=count(session), label="verifying", file=sys.stderr, show_pos=True
    ) as bar:
        if incremental:
            result = verify_since_checkpoint(session, public, outside, progress=bar.update)
        else:
            result = verify_trail(session, public, outside, bar.update, every_column)
    session.rollback()
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        _say(result)
    sys.exit(0 if result["ok"] else 1)


@audit_group.command("checkpoint")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the signed checkpoint (keep it outside Homeward).",
)
def audit_checkpoint(out: Path) -> None:
    """Sign the chain's head and write the checkpoint as JSON."""
    signed = sign_checkpoint(_checkpoint_key(), out)
    click.echo(f"checkpoint at event {signed['seq']} written to {out}")


def sign_checkpoint(key: Ed25519PrivateKey, out: Path | None = None) -> dict[str, Any]:
    """Create a checkpoint and its event in one transaction; then, if asked, write it where it
    is kept outside Homeward. For `homeward audit checkpoint` and `homeward upkeep`."""
    with transactions.unit_of_work() as session:
        signed = checkpoints.create(session, key)
        record_command(session, "audit.checkpoint", detail={"seq": signed["seq"]})
    if out is not None:
        out.write_text(json.dumps(signed, indent=2) + "\n", encoding="utf-8")
    return signed


@audit_group.command("keygen")
def audit_keygen() -> None:
    """Create the Ed25519 key that signs checkpoints (once, before production use)."""
    path = Path(current_app.config["AUDIT_KEY_FILE"])
    if path.exists():
        click.echo(f"error: {path} exists; a checkpoint key is never replaced silently", err=True)
        sys.exit(2)
    key = signing.generate(path)
    click.echo(f"checkpoint key {signing.key_id(key.public_key())} written to {path}")


def _checkpoint_key() -> Ed25519PrivateKey:
    """The checkpoint key, or a usage error (exit 2) saying how to make one; exit 1 is kept for
    a broken trail, so that monitoring never mistakes a missing key for tampering."""
    try:
        return checkpoints.signing_key()
    except ConfigError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)


def _read_checkpoint(path: Path) -> dict[str, Any]:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("seq"), int):
        click.echo(f"error: {path.name} is not a Homeward checkpoint", err=True)
        sys.exit(2)
    return body


def _say(result: dict[str, Any]) -> None:
    head = result["head"]
    if result.get("verified_from"):
        click.echo(f"events 1 to {result['verified_from']} taken as verified at their checkpoint")
    if result["ok"]:
        click.echo(f"trail intact: {result['events']} events, head {head['seq']} {head['hash']}")
        return
    broken = result["first_broken"]
    click.echo(
        f"trail BROKEN at event {broken['seq']}: {broken['problem']} "
        f"({result['events']} events verified before it)"
    )
