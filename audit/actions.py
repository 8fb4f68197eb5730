"""What each endpoint is called in the trail. An endpoint missing here leaves no event."""

from __future__ import annotations

ACTIONS = {
    "auth.login": "auth.login",
    "auth.refresh": "auth.refresh",
    "me.logout": "auth.logout",
    "me.me": "auth.me",
    "workflow.get_workflow": "workflow.read",
    "cases.create_case": "case.create",
    "cases.get_cases": "case.list",
    "cases.get_case": "case.read",
    "cases.patch_case": "case.update",
    "cases.post_transition": "case.transition",
    "cases.post_close": "case.close",
    "cases.post_reopen": "case.reopen",
    "cases.get_history": "case.history",
    "cases.post_assignment": "case.assign",
    "break_glass.post_break_glass": "case.break_glass",
    "documents.post_document": "document.upload",
    "documents.get_documents": "document.list",
    "documents.get_document": "document.download",
    "consents.post_consent": "consent.record",
    "consents.get_consents": "consent.list",
    "consents.post_withdrawal": "consent.withdraw",
    "forms.post_form": "form.generate",
    "verify.get_verification": "form.verify",
    "verify.post_verification": "form.verify_file",
    "audit.get_events": "audit.query",
    "audit.get_case_accesses": "audit.case_accesses",
    "audit.get_export": "audit.export",
    "audit.get_verify": "audit.verify",
    "audit.get_checkpoints": "audit.checkpoints",
    "audit.post_checkpoint": "audit.checkpoint",
    "audit.get_report": "audit.report",
    "audit.get_inclusion": "audit.proof",
    "audit.get_consistency": "audit.proof",
}


def action_of(endpoint: str | None) -> str | None:
    return ACTIONS.get(endpoint or "")
