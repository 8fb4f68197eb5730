"""Workflow definitions: read from YAML files, kept in the database by name and version."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.models import WorkflowRecord
from workflow.rules.definition import Definition

BUILT_IN = Path(__file__).resolve().parent.parent / "definitions"

# Definitions never change once stored, so a parsed copy is kept for each database row.
_PARSED: dict[tuple[str, int, str], Definition] = {}


class DefinitionError(ValueError):
    """A workflow file is not a valid definition, or clashes with one already loaded."""


def read_file(path: Path) -> dict[str, Any]:
    """Parse and validate one definition file; return its canonical body."""
    try:
        body = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise DefinitionError(f"{path.name}: cannot be read as YAML ({error})") from None
    try:
        return Definition.model_validate(body).model_dump(mode="json", by_alias=True)
    except ValidationError as error:
        raise DefinitionError(f"{path.name}: {error}") from None


def register(db: Session, body: dict[str, Any]) -> WorkflowRecord:
    """Store a definition body unless the same name and version is stored with the same content."""
    digest = _digest(body)
    existing = db.scalar(
        select(WorkflowRecord).filter_by(name=body["name"], version=body["version"])
    )
    if existing is None:
        record = WorkflowRecord(
            name=body["name"], version=body["version"], sha256=digest, body=body
        )
        db.add(record)
        db.flush()
        return record
    if existing.sha256 != digest:
        raise DefinitionError(
            f"workflow {body['name']} version {body['version']} is already loaded with other "
            "content: give the changed definition a higher version"
        )
    return existing


def register_built_in(db: Session) -> list[WorkflowRecord]:
    """Store every definition shipped with Homeward."""
    return [register(db, read_file(path)) for path in sorted(BUILT_IN.glob("*.yaml"))]


def latest(db: Session, name: str) -> WorkflowRecord | None:
    """The newest stored version of a workflow; new cases open on it."""
    return db.scalar(
        select(WorkflowRecord).filter_by(name=name).order_by(WorkflowRecord.version.desc()).limit(1)
    )


def definition_of(record: WorkflowRecord) -> Definition:
    """The parsed definition a stored record holds."""
    key = (record.name, record.version, record.sha256)
    if key not in _PARSED:
        _PARSED[key] = Definition.model_validate(record.body)
    return _PARSED[key]


def parsed_already(name: str, version: int, sha256: str) -> Definition | None:
    """The definition of this name, version and digest if this process has parsed it."""
    return _PARSED.get((name, version, sha256))


def all_definitions(db: Session) -> list[tuple[WorkflowRecord, Definition]]:
    """Every stored definition, oldest first."""
    records = db.scalars(select(WorkflowRecord).order_by(WorkflowRecord.id)).all()
    return [(record, definition_of(record)) for record in records]


def _digest(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
