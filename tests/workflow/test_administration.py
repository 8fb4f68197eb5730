"""The administration services on their own: every change passes one guard, the last enabled
administrator stays, and the trail's facts name the account but never a token."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, g
from sqlalchemy import select, update

from workflow import transactions
from workflow.errors import Conflict, NotPermitted
from workflow.models import SetupLink, User
from workflow.schemas import AgencyIn, NewAccountIn
from workflow.services import administration
from workflow.services.second_factor import StepUp
from workflow.vocabulary import AgencyKind, Role

NO_CODE = StepUp(None, None)  # administrators without a second factor are asked for none


@pytest.fixture
def acting(app: Flask, accounts: dict[str, uuid.UUID]) -> Iterator[Any]:
    """Act, in a request of its own, as one of the demo users."""
    with app.test_request_context():
        g.audit_facts = {}

        def as_user(username: str) -> None:
            g.user = transactions.session().get(User, accounts[username])

        yield as_user
        transactions.session().rollback()


def test_every_change_is_refused_to_anyone_but_an_administrator(acting: Any) -> None:
    acting("auditor")
    lawyer = str(transactions.session().scalar(select(User.id).filter_by(username="lawyer")))
    changes = [
        lambda: administration.create_agency(AgencyIn(name="X", kind=AgencyKind.COURT), NO_CODE),
        lambda: administration.reset_password(lawyer, NO_CODE),
        lambda: administration.disable(lawyer, NO_CODE),
        lambda: administration.enable(lawyer, NO_CODE),
        administration.accounts,
    ]
    for change in changes:
        with pytest.raises(NotPermitted):
            change()
    assert transactions.session().scalar(select(SetupLink.token_hash)) is None


def test_the_last_enabled_administrator_is_never_disabled(acting: Any) -> None:
    acting("admin")
    session = transactions.session()
    other = administration.create_account(
        _new_admin(session.scalar(select(User.agency_id).filter_by(username="admin"))), NO_CODE
    ).user
    # As if another administrator had disabled this one a moment ago, while it was still acting.
    session.execute(update(User).where(User.username == "admin").values(active=False))

    with pytest.raises(Conflict) as refused:
        administration.disable(str(other.id), NO_CODE)

    assert refused.value.details[0]["problem"] == "last_administrator"
    assert other.active
    assert g.audit_facts["detail"]["refused"] == "last_administrator"


def test_a_reset_notes_the_account_and_never_the_token(acting: Any) -> None:
    acting("admin")
    lawyer = str(transactions.session().scalar(select(User.id).filter_by(username="lawyer")))

    issued = administration.reset_password(lawyer, NO_CODE)

    assert g.audit_facts["object_id"] == "lawyer"
    assert issued.token not in repr(g.audit_facts)
    assert len(issued.token) >= 43  # 256 random bits


def _new_admin(agency_id: uuid.UUID) -> NewAccountIn:
    return NewAccountIn(username="second.admin", role=Role.ADMIN, agency=agency_id)
