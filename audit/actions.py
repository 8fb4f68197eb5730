"""What each endpoint is called in the trail. An endpoint missing from ACTIONS leaves no event,
so every other endpoint is in NOT_AUDITED with the reason it needs none."""

from __future__ import annotations

ACTIONS = {
    "auth.login": "auth.login",
    "auth.refresh": "auth.refresh",
    "me.logout": "auth.logout",
    "me.me": "auth.me",
    "me.change_password": "auth.password_change",
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
    "cases.delete_assignment": "case.unassign",
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
    # The web pages leave the same events as the API calls they stand for.
    "web.sign_in": "auth.login",
    "web.sign_out": "auth.logout",
    "web.change_password": "auth.password_change",
    "web.change_account": "auth.account_change",
    "web.my_cases": "case.list",
    "web.agency_queue": "case.list",
    "web.open_case": "case.create",
    "web.case_page": "case.read",
    "web.particulars_page": "case.read",
    "web.change_particulars": "case.update",
    "web.take_step": "case.transition",
    "web.record_consent": "consent.record",
    "web.upload_document": "document.upload",
    "web.download_document": "document.download",
    "web.generate_form": "form.generate",
    "web.access_log": "audit.query",
    "web.case_accesses": "audit.case_accesses",
    "web.export_events": "audit.export",
    "web.chain": "audit.verify",
    "web.make_checkpoint": "audit.checkpoint",
    "web.dashboard": "report.dashboard",
}

# Endpoints that leave no event: none of them reads or changes a case, a document or an account.
NOT_AUDITED = {
    "static": "files shipped with the code, the same for everyone",
    "web.static": "the pages' stylesheet and scripts, the same for everyone and before sign-in",
    "system.healthz": "liveness: whether the service reaches its database; it names nobody",
    "system.readyz": "readiness: whether the database answers at this code's schema; names nobody",
    "system.metrics": "counts by route and agency kind for the operator's monitoring; names nobody",
    "system.jwks": "the public keys that verify tokens, public by design",
    "system.openapi_document": "the API's public description",
    "verify.get_certificate": "the public certificate that verifies signed forms",
    "web.home": "only sends the user on to their start page, which leaves its own event",
    "web.sign_in_page": "the empty sign-in form; signing in leaves auth.login",
    "web.password_page": "the empty form to change one's password; changing it leaves "
    "auth.password_change",
    "web.account_page": "one's own address and choice of reminders, shown to oneself; changing "
    "them leaves auth.account_change",
    "web.new_case": "the empty form for a new case; opening it leaves case.create",
    "web.choose_language": "keeps the browser's choice of language, nothing of a case or user",
}


def action_of(endpoint: str | None) -> str | None:
    return ACTIONS.get(endpoint or "")
