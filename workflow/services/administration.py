"""What an administrator does with accounts and agencies: list them, add them, change a user's
role or agency, disable and enable an account, and hand out a one-time link to choose a password
(an administrator never types nor sees one), and reset a lost second factor. Every change passes
`_authorised_change` first, which asks an administrator who has a second factor for a fresh code
(step-up), and notes the trail with the username it concerns, never a password, code or token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from audit import recorder as audit
from workflow import transactions
from workflow.access import current_caller
from workflow.errors import (
    Conflict,
    HomewardError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    NotPermitted,
    SecondFactorRequired,
)
from workflow.identity import operations, second_factor, setup_links
from workflow.identity.current import current_user
from workflow.models import Agency, AuthSession, Case, User
from workflow.permissions import can_administer
from workflow.schemas import AccountIn, AgencyIn, NewAccountIn
from workflow.services.second_factor import StepUp, confirm_step_up
from workflow.vocabulary import Role

NOT_AN_ADMINISTRATOR = "Accounts and agencies are managed by administrators."
STEP_UP = "Type a fresh code from your authenticator app to make this change."


@dataclass(frozen=True)
class Account:
    """One row of the list of accounts: the user and when they last signed in, if ever."""

    user: User
    last_sign_in: datetime | None


@dataclass(frozen=True)
class IssuedLink:
    """A user and the token of their new setup link, to be shown once and never again."""

    user: User
    token: str


def agencies() -> list[Agency]:
    """Every agency, by name."""
    _administrator()
    return list(transactions.session().scalars(select(Agency).order_by(Agency.name)))


def accounts() -> list[Account]:
    """Every account, by username, with its last sign-in (sessions record one)."""
    _administrator()
    last = (
        select(AuthSession.user_id, func.max(AuthSession.created_at).label("at"))
        .group_by(AuthSession.user_id)
        .subquery()
    )
    rows = transactions.session().execute(
        select(User, last.c.at).outerjoin(last, last.c.user_id == User.id).order_by(User.username)
    )
    found = [Account(user, at) for user, at in rows]
    audit.add_detail(returned=len(found))
    return found


def account(user_id: str) -> User:
    """One account, by its id; an unknown or malformed id is a missing account."""
    _administrator()
    return _user(user_id)


def create_agency(entry: AgencyIn, step_up: StepUp) -> Agency:
    """Add an agency of a kind the domain knows; its name must be new."""
    _authorised_change(step_up)
    db = transactions.session()
    if db.scalar(select(Agency.id).filter_by(name=entry.name)) is not None:
        raise _refused(Conflict, "name", "taken", "An agency with that name exists.")
    agency = Agency(name=entry.name, kind=entry.kind)
    db.add(agency)
    db.flush()
    audit.note(object_type="agency", object_id=str(agency.id))
    audit.add_detail(kind=entry.kind.value)
    return agency


def create_account(entry: NewAccountIn, step_up: StepUp) -> IssuedLink:
    """Add an account with no password yet, and the link with which its user chooses one."""
    _authorised_change(step_up)
    db = transactions.session()
    agency = _agency(entry.agency)
    if db.scalar(select(User.id).filter_by(username=entry.username)) is not None:
        raise _refused(Conflict, "username", "taken", "That username is taken.")
    user = operations.create_user(db, entry.username, None, entry.role, agency)
    _note_change(user, role=entry.role.value, agency_kind=agency.kind.value)
    return IssuedLink(user, setup_links.issue_link(db, user))


def reset_password(user_id: str, step_up: StepUp) -> IssuedLink:
    """Stop the user's password working at once, end their sessions, and return the link with
    which they choose a new one."""
    _authorised_change(step_up)
    db = transactions.session()
    user = _user(user_id)
    user.password_hash = setup_links.unusable_password_hash()
    ended = operations.end_user_sessions(db, user.id, "password_reset")
    _note_change(user, sessions_ended=ended)
    return IssuedLink(user, setup_links.issue_link(db, user))


def disable(user_id: str, step_up: StepUp) -> int:
    """Stop the user signing in and end their sessions; an administrator can neither disable
    themselves nor the last enabled administrator. Return how many sessions ended."""
    _authorised_change(step_up)
    user = _user(user_id)
    _keep_an_administrator(user, "active")
    update = operations.update_user(transactions.session(), user, active=False)
    _note_change(user, disabled=True, sessions_ended=update.sessions_ended)
    return update.sessions_ended


def enable(user_id: str, step_up: StepUp) -> None:
    """Let a disabled user sign in again (with the password they had, or a new link)."""
    _authorised_change(step_up)
    user = _user(user_id)
    operations.update_user(transactions.session(), user, active=True)
    _note_change(user, disabled=False)


def change_account(user_id: str, change: AccountIn, step_up: StepUp) -> list[Case]:
    """Give the user a new role or agency; their sessions end, and a lawyer moved to another
    NGO leaves the cases of the old one. Return the cases they left."""
    _authorised_change(step_up)
    user = _user(user_id)
    if change.role is not Role.ADMIN:
        _keep_an_administrator(user, "role")
    agency = _agency(change.agency)
    update = operations.update_user(transactions.session(), user, change.role, agency)
    _note_change(
        user,
        role=change.role.value,
        agency_kind=agency.kind.value,
        sessions_ended=update.sessions_ended,
        assignments_ended=len(update.cases_left),
    )
    return update.cases_left


def second_factor_confirmed(user: User) -> bool:
    """Whether the user has confirmed a second factor (the account page says so)."""
    _administrator()
    return second_factor.confirmed_factor(transactions.session(), user.id) is not None


def reset_second_factor(user_id: str, step_up: StepUp) -> int:
    """Forget a user's lost second factor and recovery codes and end their sessions, so that
    they enrol a new one at their next sign-in. Return how many sessions ended."""
    _authorised_change(step_up)
    db = transactions.session()
    user = _user(user_id)
    if not second_factor.remove_factor(db, user.id):
        raise _refused(
            Conflict, "totp_reset", "no_second_factor", "This account has no second factor."
        )
    ended = operations.end_user_sessions(db, user.id, "second_factor_reset")
    _note_change(user, second_factor_reset=True, sessions_ended=ended)
    return ended


def _authorised_change(step_up: StepUp) -> None:
    """The one check every administrator's change passes before it is made: an administrator,
    with a fresh code if they have a second factor. A refused code is a problem beside the
    form's code field, not a sign-out; it is counted and noted like a failed sign-in."""
    _administrator()
    try:
        confirm_step_up(transactions.session(), current_user(), step_up.code, step_up.address)
    except (SecondFactorRequired, NotAuthenticated) as refusal:
        problem = {"field": "totp", "problem": "step_up", "message": STEP_UP}
        raise InvalidInput(STEP_UP, [problem]) from refusal


def _administrator() -> None:
    if not can_administer(current_caller()):
        raise NotPermitted(NOT_AN_ADMINISTRATOR)


def _keep_an_administrator(user: User, field: str) -> None:
    """Refuse to take away the caller's own administration, or the last one's standing: there
    would be nobody left to undo it."""
    if user.id == current_user().id:
        raise _refused(Conflict, field, "own_account", "You cannot do this to your own account.")
    if user.role is not Role.ADMIN or not user.active:
        return
    # Locked, so that two administrators disabling each other at once cannot both succeed.
    enabled = transactions.session().scalars(
        select(User.id).filter_by(role=Role.ADMIN, active=True).with_for_update()
    )
    if len(enabled.all()) <= 1:
        raise _refused(
            Conflict, field, "last_administrator", "This is the last enabled administrator."
        )


def _user(user_id: str) -> User:
    try:
        user = transactions.session().get(User, uuid.UUID(user_id))
    except ValueError:
        user = None
    if user is None:
        raise NotFound("There is no such account.")
    audit.note(object_type="user", object_id=user.username)
    return user


def _agency(agency_id: uuid.UUID) -> Agency:
    agency = transactions.session().get(Agency, agency_id)
    if agency is None:
        raise _refused(InvalidInput, "agency", "unknown", "There is no such agency.")
    return agency


def _note_change(user: User, **detail: Any) -> None:
    audit.note(object_type="user", object_id=user.username)
    audit.add_detail(**detail)


def _refused(kind: type[HomewardError], field: str, problem: str, message: str) -> HomewardError:
    """The refusal to raise, naming the field and the rule for the page; the trail keeps which
    rule refused."""
    audit.add_detail(refused=problem)
    return kind(message, [{"field": field, "problem": problem, "message": message}])
