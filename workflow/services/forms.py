"""Forms: issue a signed PDF form for a case the caller may see, noting the trail."""

from __future__ import annotations

from audit import recorder as audit
from forms import operations
from workflow import transactions
from workflow.access import current_caller
from workflow.services.cases import find_visible_case
from workflow.services.downloads import Download


def issue_form(
    case_id: str, kind: str, redacted: bool, languages: list[str] | None = None
) -> tuple[Download, str]:
    """The signed PDF of the form in those label languages (else the configured ones), and the
    code that verifies it."""
    session, caller = transactions.session(), current_caller()
    case, facts = find_visible_case(session, caller, case_id)
    record, code, pdf = operations.issue_form(
        session, caller, case, facts, kind, redacted, languages
    )
    audit.note(detail={"form": str(record.id), "kind": record.kind, "variant": record.variant})
    return Download(pdf, "application/pdf", f"{kind}.pdf"), code
