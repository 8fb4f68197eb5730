"""Which cases still take evidence: an open one, and a complete one, whose papers may still be
corrected with evidence of the correction; a closed (withdrawn) case takes none."""

from __future__ import annotations

from workflow.errors import WrongState
from workflow.models import Case
from workflow.vocabulary import CaseStatus


def ensure_takes_evidence(case: Case, refusal: str) -> None:
    """Refuse with `refusal` (naming what cannot change) on a closed case."""
    if case.status is CaseStatus.CLOSED:
        raise WrongState(f"The case is {case.status.value}; {refusal}")
