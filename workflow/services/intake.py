"""Bulk intake: check a manifest (the dry run), or open all its cases in the request's one
transaction. The untrusted file is read and validated with no transaction open; the trail keeps
counts, never a name."""

from __future__ import annotations

from flask import current_app

from audit import recorder as audit
from workflow import transactions
from workflow.access import current_caller
from workflow.errors import InvalidInput, NotPermitted
from workflow.intake.checking import Intake, check_manifest
from workflow.intake.manifest import Limits
from workflow.intake.opening import open_family_group
from workflow.intake.report import row_problems
from workflow.intake.rows import IntakeRow
from workflow.models import Case
from workflow.permissions import can_open_case
from workflow.rules import catalogue


def dry_run(raw: bytes) -> Intake:
    """Check every row of the manifest and list its possible duplicates; open nothing."""
    intake = _checked(raw)
    audit.add_detail(commit=False)
    return intake


def take_in(raw: bytes) -> list[tuple[IntakeRow, Case]]:
    """Open a case for every row, each family's in turn, all or none: one row with a problem
    and nothing is opened (422, every row's problems named)."""
    intake = _checked(raw)
    audit.add_detail(commit=True)
    if intake.with_problems:
        raise InvalidInput(
            "No case was opened: some rows have problems; correct them and send the manifest "
            "again.",
            [problem for row in intake.with_problems for problem in row_problems(row)],
        )
    session, caller = transactions.session(), current_caller()
    record = catalogue.latest(session, current_app.config["WORKFLOW"])
    if record is None:
        raise RuntimeError("no workflow is loaded: run `homeward db upgrade`")
    opened = [
        pair
        for group in intake.families
        for pair in zip(group, open_family_group(session, caller, record.id, group), strict=True)
    ]
    audit.add_detail(opened=[case.reference for _row, case in opened])
    return opened


def _checked(raw: bytes) -> Intake:
    """The manifest checked with no transaction open: a crafted file holds no lock meanwhile."""
    if not can_open_case(current_caller()):
        raise NotPermitted("Only NGO lawyers take in manifests.")
    transactions.end_reads()
    config = current_app.config
    intake = check_manifest(raw, Limits(config["MAX_INTAKE_ROWS"], config["MAX_INTAKE_BYTES"]))
    audit.add_detail(
        rows=len(intake.rows),
        families=len(intake.families),
        rows_with_problems=len(intake.with_problems),
        possible_duplicates=sum(1 for row in intake.rows if row.duplicates),
    )
    return intake
