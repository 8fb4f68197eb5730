"""Bulk intake: check a manifest (the dry run), or open all its cases in the request's one
transaction. The untrusted file is read and validated with no transaction open; the trail keeps
counts, never a name."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from audit import recorder as audit
from workflow import transactions
from workflow.access import current_caller
from workflow.duplicates.keys import child_spec
from workflow.duplicates.matching import ChildSpec
from workflow.errors import InvalidInput, NotPermitted
from workflow.intake.checking import Intake, check_manifest
from workflow.intake.duplicates import PossibleDuplicate
from workflow.intake.manifest import Limits
from workflow.intake.opening import open_family_group
from workflow.intake.report import row_problems
from workflow.intake.rows import IntakeRow, Problem
from workflow.models import Case
from workflow.permissions import Caller, can_open_case
from workflow.rules import catalogue
from workflow.services.duplicates import Match, check_new_child, possible_duplicates


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
    for row in intake.rows:
        if row.case is not None and any(d.agency for d in row.duplicates):
            # As POST /api/v1/cases does: refused unless confirmed, and the trail keeps which.
            check_new_child(session, caller, row.case.child, row.case.confirm_distinct)
    opened = [
        pair
        for group in intake.families
        for pair in zip(group, open_family_group(session, caller, record.id, group), strict=True)
    ]
    audit.add_detail(opened=[case.reference for _row, case in opened])
    return opened


def _checked(raw: bytes) -> Intake:
    """The manifest checked with no transaction open (a crafted file holds no lock meanwhile),
    then its valid rows compared with the children already recorded."""
    caller = current_caller()
    if not can_open_case(caller):
        raise NotPermitted("Only NGO lawyers take in manifests.")
    transactions.end_reads()
    config = current_app.config
    intake = check_manifest(raw, Limits(config["MAX_INTAKE_ROWS"], config["MAX_INTAKE_BYTES"]))
    found: dict[ChildSpec, list[Match]] = {}  # a child repeated in the file is sought once
    for row in intake.rows:
        _compare_with_cases(transactions.session(), caller, row, found)
    audit.add_detail(
        rows=len(intake.rows),
        families=len(intake.families),
        rows_with_problems=len(intake.with_problems),
        rows_with_possible_duplicates=sum(1 for row in intake.rows if row.duplicates),
    )
    return intake


def _compare_with_cases(
    session: Session, caller: Caller, row: IntakeRow, found: dict[ChildSpec, list[Match]]
) -> None:
    """List the open cases the row's child may have; unless the row confirms it is another
    child, that is a problem of the row, naming the agencies that hold them."""
    if row.case is None:
        return
    spec = child_spec(row.case.child)
    if spec not in found:
        found[spec] = possible_duplicates(session, spec, caller)
    matches = found[spec]
    row.duplicates += [_shown(match) for match in matches]
    if matches and not row.case.confirm_distinct:
        agencies = ", ".join(sorted({match.agency for match in matches}))
        message = (
            f"the child may already have a case at {agencies}; if it is another child, "
            "write true in confirm_distinct"
        )
        row.problems.append(Problem("confirm_distinct", "possible_duplicate", message))


def _shown(match: Match) -> PossibleDuplicate:
    if not match.visible:
        return PossibleDuplicate(agency=match.agency)
    return PossibleDuplicate(agency=match.agency, case=match.reference, case_id=str(match.case_id))
