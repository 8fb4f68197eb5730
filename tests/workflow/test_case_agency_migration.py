"""A database from before cases named their NGO gets it from `homeward db upgrade`: the NGO of
the lawyer who opened each case, as opening a case now records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select

from tests.factories import Api
from workflow import migrations, transactions
from workflow.models import Case, User

BEFORE = "0010"


def test_upgrading_gives_each_case_its_openers_ngo(api: Api, app: Any) -> None:
    ours, theirs = api.create_case("lawyer"), api.create_case("lawyer3")
    engine = app.extensions["homeward.engine"]

    migrations.downgrade(engine, BEFORE)
    with engine.connect() as connection:
        assert "agency_id" not in {c["name"] for c in inspect(connection).get_columns("cases")}
    migrations.upgrade(engine)

    with app.app_context():
        session = transactions.session()
        agency_of = {
            str(case_id): agency
            for case_id, agency in session.execute(select(Case.id, Case.agency_id))
        }
        for case, username in ((ours, "lawyer"), (theirs, "lawyer3")):
            user = session.scalar(select(User).filter_by(username=username))
            assert user is not None and agency_of[case["id"]] == user.agency_id
    assert api.get("lawyer", f"/api/v1/cases/{ours['id']}").status_code == 200
    assert api.get("lawyer", f"/api/v1/cases/{theirs['id']}").status_code == 404
