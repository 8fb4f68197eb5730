"""The statements sent to the driver directly read back what SQLAlchemy's execution reads: the
same values, of the same Python types (ids, moments, enumerations, unsealed text); the engine's
listeners see them; a driver's error comes as SQLAlchemy's."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import bindparam, exc, literal_column, select, table

from tests.factories import Api
from tests.statements import statements_run
from tests.workflow.test_registered_particulars import registered_case
from workflow import transactions
from workflow.driver_statements import for_driver
from workflow.identity.operations import SESSION_USER
from workflow.models import AuthSession, User
from workflow.particulars import SHOWN_VERSIONS


def both_ways(statement: Any, parameters: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """The statement's rows as the driver's way reads them, and as SQLAlchemy's."""
    connection = transactions.session().connection()
    sent = for_driver(statement, connection.dialect).rows(connection, parameters)
    return [tuple(row) for row in sent], [
        tuple(row) for row in connection.execute(statement, parameters)
    ]


def test_the_session_check_reads_as_sqlalchemy_does(app: Any, api: Api) -> None:
    api.headers("lawyer")  # signs in: a live session
    with app.app_context():
        session = transactions.session()
        user_id = session.scalar(select(User.id).filter_by(username="lawyer"))
        session_id = session.scalar(select(AuthSession.id).filter_by(user_id=user_id))
        sent, executed = both_ways(SESSION_USER, {"session": session_id, "user": user_id})

    assert len(sent) == 1
    assert sent == executed
    assert [type(value) for value in sent[0]] == [type(value) for value in executed[0]]
    assert isinstance(sent[0][0], uuid.UUID)


def test_particulars_read_as_sqlalchemy_does(app: Any, api: Api) -> None:
    case = registered_case(api, app)
    with app.app_context():
        sent, executed = both_ways(SHOWN_VERSIONS, {"case": uuid.UUID(case["id"])})

    assert sent == executed
    assert [type(value) for value in sent[0]] == [type(value) for value in executed[0]]
    assert "Әлия" in sent[0]  # unsealed


def test_the_engine_listeners_see_a_statement_sent_directly(app: Any, api: Api) -> None:
    case = registered_case(api, app)
    engine = app.extensions["homeward.engine"]
    with app.app_context(), statements_run(engine) as seen:
        connection = transactions.session().connection()
        for_driver(SHOWN_VERSIONS, connection.dialect).rows(
            connection, {"case": uuid.UUID(case["id"])}
        )

    assert [text for text, _ in seen] == [for_driver(SHOWN_VERSIONS, engine.dialect).text]


def test_a_driver_error_comes_as_sqlalchemys(app: Any) -> None:
    missing = (
        select(literal_column("1"))
        .select_from(table("no_such_table"))
        .where(literal_column("x") == bindparam("x"))
    )
    with app.app_context():
        connection = transactions.session().connection()
        with pytest.raises(exc.DBAPIError, match="no_such_table"):
            for_driver(missing, connection.dialect).rows(connection, {"x": 1})
        transactions.session().rollback()


@pytest.mark.parametrize(
    "condition",
    [
        literal_column("1") == 1,  # a literal's value
        literal_column("1").in_(bindparam("many", expanding=True)),  # a list, expanded
    ],
    ids=["literal", "expanding"],
)
def test_a_statement_sqlalchemy_fills_in_at_each_run_is_refused(app: Any, condition: Any) -> None:
    statement = select(literal_column("1")).where(condition)
    with app.app_context(), pytest.raises(ValueError, match="named parameter"):
        for_driver(statement, transactions.session().connection().dialect)
