"""Bulk intake: a manifest of an operation's children is checked row by row, then opened whole
in one transaction or not at all."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select, text

from tests.factories import Api
from tests.intake.manifests import as_csv, child_row, operation, send
from workflow import transactions
from workflow.models import Case, CasePerson, ExternalReference, Person
from workflow.vocabulary import Relation


def counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        session = transactions.session()
        created = session.execute(
            text("SELECT count(*) FROM audit_events WHERE action = 'case.create'")
        ).scalar_one()
        return {
            "cases": session.scalar(select(func.count()).select_from(Case)) or 0,
            "people": session.scalar(select(func.count()).select_from(Person)) or 0,
            "references": session.scalar(select(func.count()).select_from(ExternalReference)) or 0,
            "case.create": created,
        }


def test_forty_children_in_five_families_open_in_one_commit(app: Flask, api: Api) -> None:
    answer = send(api, as_csv(operation()), commit=True)
    assert answer.status_code == 201, answer.json
    assert answer.json["opened"] == 40
    assert {case["assigned_to"] for case in answer.json["cases"]} == {"lawyer"}
    listed = api.get("lawyer", "/api/v1/cases?per_page=100").json
    assert listed["total"] == 40
    # Each mother was entered once, on her family's first row, and is on every child's case.
    last_of_family = api.case("lawyer", answer.json["cases"][7]["id"])
    mother = next(p for p in last_of_family["people"] if p["relation"] == "mother")
    assert mother["names"][0]["given"] == "Гүлнар" and mother["whereabouts"] == "detained_abroad"
    assert counts(app)["people"] == 45


def test_each_mother_is_one_person_on_all_her_childrens_cases(app: Flask, api: Api) -> None:
    opened = send(api, as_csv(operation()), commit=True).json["cases"]
    with app.app_context():
        session = transactions.session()
        mothers = session.scalars(select(Person).where(Person.relation == Relation.MOTHER)).all()
        on = {
            mother.id: set(
                session.scalars(select(CasePerson.case_id).filter_by(person_id=mother.id))
            )
            for mother in mothers
        }
    families = [{uuid.UUID(case["id"]) for case in opened[i : i + 8]} for i in range(0, 40, 8)]
    assert sorted(on.values(), key=sorted) == sorted(families, key=sorted)
    cases = [api.case("lawyer", case["id"]) for case in opened[:8]]
    assert len({case["family"]["id"] for case in cases}) == 1
    assert [c["reference"] for c in cases[0]["family"]["cases"]] == [c["reference"] for c in cases]


def test_her_consent_recorded_once_counts_on_each_sibling(api: Api) -> None:
    opened = send(api, as_csv(operation(1, 3)), commit=True).json["cases"]
    first, *siblings = (api.case("lawyer", case["id"]) for case in opened)
    mother = api.person(first, "mother")
    letter = api.upload("lawyer", first["id"], "consent").json["id"]
    body = {"person_id": mother, "purpose": "dna_testing", "given_on": "2026-01-15"}
    recorded = api.post(
        "lawyer", f"/api/v1/cases/{first['id']}/consents", body | {"document_id": letter}
    )
    assert recorded.status_code == 201, recorded.json
    data = {"reference_person": mother, "relationship_tested": "maternity"}
    for case in siblings:
        assert api.person(case, "mother") == mother
        answer = api.transition("lawyer", case["id"], "dna", "request", data, evidence_ids=[letter])
        assert answer.status_code == 200, answer.json


def test_the_dry_run_opens_nothing_and_names_each_rows_problems(app: Flask, api: Api) -> None:
    rows = operation(1, 4)
    rows[1]["sex"] = "boy"
    rows[2]["birth_date"] = "2016-13-40"
    rows[3]["child_given"] = rows[3]["child_family"] = ""
    rows[3]["child2_given"] = rows[3]["child2_family"] = ""
    answer = send(api, as_csv(rows))
    assert answer.status_code == 200, answer.json
    by_row = {row["row"]: row for row in answer.json["rows"]}
    assert by_row[2]["problems"] == [] and by_row[2]["child"]["given"] == "Әлия"
    assert [(p["column"], p["problem"]) for p in by_row[3]["problems"]] == [("sex", "enum")]
    assert [p["column"] for p in by_row[4]["problems"]] == ["birth_date"]
    assert [p["column"] for p in by_row[5]["problems"]] == ["child_given", "child2_given"]
    assert answer.json["with_problems"] == 3 and answer.json["families"] == 1
    assert counts(app)["cases"] == 0


def test_a_row_is_valid_exactly_when_the_same_case_opens(api: Api) -> None:
    future = child_row(0, 0, birth_date="2999-01-01")
    answer = send(api, as_csv([future]))
    assert [p["column"] for p in answer.json["rows"][0]["problems"]] == ["birth_date"]
    body = {
        "child": {
            "names": [{"script": "Cyrl", "given": "Әлия"}],
            "birth_date": {"value": "2999-01-01", "precision": "exact"},
        }
    }
    assert api.post("lawyer", "/api/v1/cases", body).status_code == 422


def test_one_bad_row_and_nothing_is_opened(app: Flask, api: Api) -> None:
    rows = operation(2, 5)
    rows[6]["mother_whereabouts"] = "detained_abroad"  # another mother than the family's
    answer = send(api, as_csv(rows), commit=True)
    assert answer.status_code == 422
    details = answer.json["error"]["details"]
    assert {(d["row"], d["problem"]) for d in details} == {
        (8, "mother_differs_within_family"),
        (8, "too_short"),  # and a mother needs a name
    }
    assert counts(app)["cases"] == 0


def test_a_failure_in_the_middle_of_the_commit_leaves_nothing(
    app: Flask, api: Api, monkeypatch: Any
) -> None:
    from workflow.intake import opening

    real, opened = opening.operations.open_case, []

    def fails_on_the_thirtieth(*args: Any) -> Any:
        if len(opened) == 29:
            raise RuntimeError("the database went away")
        opened.append(real(*args))
        return opened[-1]

    monkeypatch.setattr(opening.operations, "open_case", fails_on_the_thirtieth)
    rows = [
        row | {"reference_issuer": "camp", "reference_value": f"AH-{i}"}
        for i, row in enumerate(operation())
    ]
    answer = send(api, as_csv(rows), commit=True)
    assert answer.status_code == 500
    assert len(opened) == 29
    assert counts(app) == {"cases": 0, "people": 0, "references": 0, "case.create": 0}
    with app.app_context():
        session = transactions.session()
        assert session.execute(text("SELECT count(*) FROM transition_history")).scalar_one() == 0
        event = session.execute(
            text("SELECT outcome, detail FROM audit_events WHERE action = 'case.intake'")
        ).one()
    assert event.outcome != "success" and "opened" not in str(event.detail)


def test_references_in_the_manifest_are_on_the_cases(api: Api) -> None:
    rows = [child_row(0, 0, reference_issuer="unhcr", reference_value="KZ-2019/000451")]
    case = send(api, as_csv(rows), commit=True).json["cases"][0]
    found = api.get("lawyer", "/api/v1/cases?reference=KZ2019000451").json["cases"]
    assert [c["id"] for c in found] == [case["id"]]


def test_the_trail_counts_rows_and_names_nobody(app: Flask, api: Api) -> None:
    send(api, as_csv(operation(1, 3)))
    send(api, as_csv(operation(1, 3)), commit=True)
    with app.app_context():
        events = (
            transactions.session()
            .execute(
                text("SELECT detail FROM audit_events WHERE action = 'case.intake' ORDER BY seq")
            )
            .all()
        )
    dry, taken = (_json(event.detail) for event in events)
    assert dry["rows"] == 3 and dry["commit"] is False and "opened" not in dry
    assert taken["commit"] is True and len(taken["opened"]) == 3
    shown = json.dumps([dry, taken], ensure_ascii=False)
    assert all(name not in shown for name in ("Әлия", "Гүлнар", "Aliya", "Нұрғалиева"))


def _json(detail: Any) -> dict[str, Any]:
    return dict(json.loads(detail) if isinstance(detail, str) else detail)


def test_officials_and_auditors_cannot_take_in_a_manifest(app: Flask, api: Api) -> None:
    for who in ("registrar", "auditor", "admin"):
        assert send(api, as_csv(operation(1, 2)), commit=True, who=who).status_code == 403
    assert counts(app)["cases"] == 0


def test_the_documented_sample_opens_as_it_says(api: Api) -> None:
    sample = (Path(__file__).parents[2] / "docs" / "samples" / "intake-manifest.csv").read_bytes()
    checked = send(api, sample).json
    assert checked["total"] == 5 and checked["families"] == 2 and checked["with_problems"] == 0
    assert send(api, sample, commit=True).json["opened"] == 5
