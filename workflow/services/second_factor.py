"""The caller's second factor: setting it up, and the fresh code asked for before an action that
needs more than a signed-in session (step-up). The trail keeps what happened, never a secret or
a code."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from audit import recorder as audit
from workflow import transactions
from workflow.db import utcnow
from workflow.errors import InvalidInput, NotAuthenticated, SecondFactorRequired
from workflow.identity import second_factor
from workflow.identity.current import current_user
from workflow.identity.second_factor import Enrolment, WrongCode
from workflow.identity.throttle import check_throttle, count_failure, throttle_keys
from workflow.models import User
from workflow.transactions import even_if_refused

WRONG_CODE = "The code is wrong; check the time on the device that shows it."


@dataclass(frozen=True)
class StepUp:
    """The fresh code a sensitive action came with, and the address it came from."""

    code: str | None
    address: str | None


def start_own_enrolment() -> Enrolment:
    """Start setting up the signed-in user's second factor; the secret is shown to them alone."""
    enrolment = second_factor.start_enrolment(transactions.session(), current_user())
    audit.note(detail={"second_factor": "enrolment_started"})
    return enrolment


def confirm_own_enrolment(code: str) -> list[str]:
    """Finish setting it up with a first code; return the recovery codes, shown this once."""
    db, user = transactions.session(), current_user()
    try:
        codes = second_factor.confirm_enrolment(db, user, code, utcnow())
    except WrongCode as wrong:
        audit.note(detail={"refused": f"second_factor_{wrong.reason}"})
        problem = {"field": "code", "problem": wrong.reason, "message": WRONG_CODE}
        raise InvalidInput(WRONG_CODE, [problem]) from None
    audit.note(detail={"second_factor": "confirmed", "recovery_codes": len(codes)})
    return codes


def own_enrolment() -> tuple[bool, Enrolment | None]:
    """Whether the signed-in user has a second factor, and the enrolment they left pending."""
    db, user = transactions.session(), current_user()
    if second_factor.confirmed_factor(db, user.id) is not None:
        return True, None
    return False, second_factor.pending_enrolment(db, user)


def confirm_step_up(db: Session, user: User, code: str | None, address: str | None = None) -> None:
    """Insist on a fresh code from a user who has a second factor before a sensitive action
    (break-glass, an account change): missing, 401 second_factor_required; wrong or replayed,
    401 not_authenticated, counted like a failed sign-in. A user without a factor passes."""
    factor = second_factor.confirmed_factor(db, user.id)
    if factor is None:
        return
    if code is None:
        _refuse_step_up("missing")
        raise SecondFactorRequired("Send a fresh code from your authenticator app as `totp`.")
    now = utcnow()
    counters = throttle_keys(user.username, address)
    check_throttle(db, counters, now)
    try:
        second_factor.accept_code(db, factor, code, now)
    except WrongCode as wrong:
        even_if_refused(lambda kept: count_failure(kept, counters, now))
        _refuse_step_up(wrong.reason)
        raise NotAuthenticated("The code is wrong or was used already.") from None


def _refuse_step_up(reason: str) -> None:
    audit.note(detail={"refused": f"step_up_{reason}"})
