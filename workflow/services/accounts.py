"""The caller's own account: their password (changed, or chosen through a one-time setup link),
their reminders and the language of their mail; each notes the trail, never a password, a token
or an address."""

from __future__ import annotations

from audit import recorder as audit
from workflow import transactions
from workflow.errors import InvalidInput
from workflow.identity import operations, setup_links
from workflow.identity.current import current_session_if_any, current_user
from workflow.identity.operations import PasswordChange
from workflow.models import User
from workflow.reminders.addresses import checked_address
from workflow.reminders.languages import checked_language
from workflow.vocabulary import Language


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


def setup_link_user(token: str) -> User:
    """The user a usable setup link is for; any other link is one and the same refusal."""
    return setup_links.link_user(transactions.session(), token)


def choose_password_with_link(token: str, password: str) -> User:
    """Set the password of the link's user and spend the link; any session still open for the
    account ends. The trail names the user, never the password nor the token."""
    db = transactions.session()
    try:
        user = setup_links.choose_password(db, token, password)
    except InvalidInput as refusal:
        audit.note(detail={"refused": _rule_broken(refusal)})
        raise
    ended = operations.end_user_sessions(db, user.id, "password_set")
    audit.note(actor=user, object_type="user", object_id=user.username)
    audit.note(detail={"sessions_ended": ended})
    return user


def change_own_reminders(email: str, reminders: bool, language: str | None = None) -> None:
    """Set where the signed-in user's reminders go (empty: nowhere), whether they want them and,
    when given, their language; nothing is written unless all of it is valid. The trail keeps
    what changed, never the address."""
    session = transactions.session()
    user = session.get(User, current_user().id)
    assert user is not None
    address, chosen = _checked_choices(email, language)
    changed: dict[str, object] = {
        "email_changed": address != user.email,
        "email_set": address is not None,
    }
    user.email, user.reminders = address, reminders
    if chosen is not None:
        user.language = chosen
        changed["language"] = chosen.value
    session.flush()
    audit.note(detail=changed | {"reminders": reminders})


def _checked_choices(email: str, language: str | None) -> tuple[str | None, Language | None]:
    try:
        address = checked_address(email) if email else None
        return address, checked_language(language) if language is not None else None
    except InvalidInput as refusal:
        audit.note(detail={"refused": _rule_broken(refusal)})
        raise


def remember_language(language: Language) -> None:
    """Keep the language the signed-in user picked on the pages as their mail's, too."""
    session = transactions.session()
    user = session.get(User, current_user().id)
    assert user is not None
    if user.language is not language:
        user.language = language
        session.flush()
    audit.note(detail={"language": language.value})
