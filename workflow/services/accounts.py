"""The caller's own account: their password and their reminders, noting the trail (never a
password, never an address)."""

from __future__ import annotations

from audit import recorder as audit
from workflow import transactions
from workflow.errors import InvalidInput
from workflow.identity import operations
from workflow.identity.current import current_session_if_any, current_user
from workflow.identity.operations import PasswordChange
from workflow.models import User
from workflow.reminders.addresses import checked_address


def change_own_password(current: str, new: str, address: str | None) -> int:
    """Change the signed-in user's password and sign them out everywhere but here; return how
    many of their other sessions ended. The trail keeps which rule refused, never a password."""
    change = PasswordChange(current, new, keep_session=current_session_if_any())
    user_id = current_user().id
    try:
        ended = operations.change_password(transactions.session(), user_id, change, address)
    except InvalidInput as refusal:
        audit.note(detail={"refused": _rule_broken(refusal)})
        raise
    audit.note(detail={"other_sessions_ended": ended})
    return ended


def _rule_broken(refusal: InvalidInput) -> str:
    details = refusal.details if isinstance(refusal.details, list) else []
    return str(details[0]["problem"]) if details else "invalid_input"


def change_own_reminders(email: str, reminders: bool) -> None:
    """Set where the signed-in user's reminders go (empty: nowhere) and whether they want them.
    The trail keeps what changed, never the address."""
    session = transactions.session()
    user = session.get(User, current_user().id)
    assert user is not None
    try:
        address = checked_address(email) if email else None
    except InvalidInput:
        audit.note(detail={"refused": "email_invalid"})
        raise
    changed = {"email_changed": address != user.email, "email_set": address is not None}
    user.email, user.reminders = address, reminders
    session.flush()
    audit.note(detail=changed | {"reminders": reminders})
