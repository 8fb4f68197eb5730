"""Who performs each step of the default workflow, and from which states to which, written out
by hand rather than read from its YAML: a test that compares the two, or judges a step by this
table, turns red when an edit hands a step to the wrong agency or moves it."""

from __future__ import annotations

NGO_LAWYER = ("lawyer", "ngo")
REGISTRY = ("official", "civil_registry")
COURT = ("official", "court")
LAB = ("official", "forensic_lab")
GUARDIANSHIP = ("official", "guardianship_authority")
CITIZENSHIP = ("official", "citizenship_authority")

# (track, action): (who performs it, the states it leaves from, the state it goes to)
STEPS: dict[tuple[str, str], tuple[set[tuple[str, str]], set[str], str]] = {
    ("dna", "request"): (
        {NGO_LAWYER},
        {"not_started", "refused", "excluded", "inconclusive"},
        "requested",
    ),
    ("dna", "record_foreign_result"): (
        {NGO_LAWYER},
        {"not_started", "refused", "excluded", "inconclusive"},
        "foreign_result_recorded",
    ),
    ("dna", "accept_foreign_result"): ({COURT}, {"foreign_result_recorded"}, "confirmed"),
    ("dna", "order_new_test"): ({COURT}, {"foreign_result_recorded"}, "authorized"),
    ("dna", "authorize"): ({COURT}, {"requested"}, "authorized"),
    ("dna", "refuse"): ({COURT}, {"requested"}, "refused"),
    ("dna", "collect_samples"): ({LAB}, {"authorized"}, "samples_collected"),
    ("dna", "confirm"): ({LAB}, {"samples_collected"}, "confirmed"),
    ("dna", "exclude"): ({LAB}, {"samples_collected"}, "excluded"),
    ("dna", "report_inconclusive"): ({LAB}, {"samples_collected"}, "inconclusive"),
    ("parentage", "file_petition"): ({NGO_LAWYER}, {"not_started", "dismissed"}, "petition_filed"),
    ("parentage", "establish"): ({COURT}, {"petition_filed"}, "established"),
    ("parentage", "dismiss"): ({COURT}, {"petition_filed"}, "dismissed"),
    ("birth_registration", "file"): (
        {NGO_LAWYER},
        {"not_started", "info_requested", "rejected"},
        "filed",
    ),
    ("birth_registration", "take_review"): ({REGISTRY}, {"filed"}, "under_review"),
    ("birth_registration", "request_info"): ({REGISTRY}, {"under_review"}, "info_requested"),
    ("birth_registration", "register"): ({REGISTRY}, {"under_review"}, "registered"),
    ("birth_registration", "reject"): ({REGISTRY}, {"under_review"}, "rejected"),
    ("birth_registration", "file_amendment"): ({NGO_LAWYER}, {"registered"}, "amendment_filed"),
    ("birth_registration", "approve_amendment"): ({REGISTRY}, {"amendment_filed"}, "registered"),
    ("birth_registration", "refuse_amendment"): ({REGISTRY}, {"amendment_filed"}, "registered"),
    ("guardianship", "require"): ({NGO_LAWYER, GUARDIANSHIP}, {"not_required"}, "required"),
    ("guardianship", "waive"): ({GUARDIANSHIP}, {"required"}, "not_required"),
    ("guardianship", "file_petition"): ({NGO_LAWYER}, {"required", "denied"}, "petition_filed"),
    ("guardianship", "assess_suitable"): ({GUARDIANSHIP}, {"petition_filed"}, "assessed"),
    ("guardianship", "assess_unsuitable"): ({GUARDIANSHIP}, {"petition_filed"}, "required"),
    ("guardianship", "schedule_hearing"): ({COURT}, {"assessed"}, "hearing_scheduled"),
    ("guardianship", "grant"): ({COURT}, {"hearing_scheduled"}, "granted"),
    ("guardianship", "grant_temporarily"): ({COURT}, {"hearing_scheduled"}, "granted_temporarily"),
    ("guardianship", "extend"): ({GUARDIANSHIP}, {"granted_temporarily"}, "granted_temporarily"),
    ("guardianship", "make_permanent"): ({GUARDIANSHIP}, {"granted_temporarily"}, "granted"),
    ("guardianship", "deny"): ({COURT}, {"hearing_scheduled"}, "denied"),
    ("citizenship", "file"): ({NGO_LAWYER}, {"not_started", "info_requested", "refused"}, "filed"),
    ("citizenship", "take_review"): ({CITIZENSHIP}, {"filed"}, "under_review"),
    ("citizenship", "request_info"): ({CITIZENSHIP}, {"under_review"}, "info_requested"),
    ("citizenship", "grant"): ({CITIZENSHIP}, {"under_review"}, "granted"),
    ("citizenship", "refuse"): ({CITIZENSHIP}, {"under_review"}, "refused"),
    ("identity_document", "apply"): ({NGO_LAWYER}, {"not_started"}, "applied"),
    ("identity_document", "issue"): ({CITIZENSHIP}, {"applied"}, "issued"),
}
