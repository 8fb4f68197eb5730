"""Possible duplicates in a manifest: within the file a warning, against a case already open a
refusal of the commit unless the row confirms it is another child."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.audit.helpers import events
from tests.factories import Api
from tests.intake.manifests import COLUMNS, as_csv, child_row, operation, send
from tests.intake.test_intake import counts

# Held by another NGO, written in Cyrillic; the manifest writes him in Latin.
HELD = {
    "names": [{"script": "Cyrl", "given": "Мұхаммед", "family": "Жұмабаев"}],
    "sex": "male",
    "birth_date": {"value": "2015-03-07", "precision": "exact"},
}
IN_LATIN = {
    "child_script": "Latn",
    "child_given": "Mukhammed",
    "child_family": "Zhumabayev",
    "child2_script": "",
    "child2_given": "",
    "child2_family": "",
    "sex": "male",
    "birth_date": "2015-01-01",
    "birth_date_precision": "year",
}
WITH_CONFIRM = [*COLUMNS, "confirm_distinct"]


def rows_of(answer: Any) -> list[dict[str, Any]]:
    assert answer.status_code == 200, answer.json
    return list(answer.json["rows"])


def test_siblings_with_their_own_names_are_not_duplicates(api: Api) -> None:
    rows = rows_of(send(api, as_csv(operation())))
    assert [row["possible_duplicates"] for row in rows] == [[]] * 40


def test_one_child_twice_in_the_file_in_two_scripts_is_a_warning(app: Flask, api: Api) -> None:
    first = child_row(0, 0, birth_date="2016-01-01", birth_date_precision="year")
    again = child_row(
        1,
        2,
        child_script="Latn",
        child_given="ALIYA",
        child_family="Nurgaliyeva",
        child2_script="",
        child2_given="",
        child2_family="",
        sex="female",
        birth_date="2016-06-02",
    )
    namesake = child_row(0, 0, family_group="F9", birth_date="2019-01-01")  # born later
    rows = rows_of(send(api, as_csv([first, again, namesake])))
    assert [[d["row"] for d in row["possible_duplicates"]] for row in rows] == [[3], [2], []]
    assert all(row["problems"] == [] for row in rows)
    assert send(api, as_csv([first, again, namesake]), commit=True).status_code == 201


def test_a_child_another_ngo_holds_names_only_the_agency(app: Flask, api: Api) -> None:
    assert api.post("lawyer3", "/api/v1/cases", {"child": HELD}).status_code == 201
    row = rows_of(send(api, as_csv([child_row(0, 0, **IN_LATIN)])))[0]
    assert row["possible_duplicates"] == [
        {"row": None, "agency": "Safe Return Lawyers", "case": None, "case_id": None}
    ]
    assert [(p["column"], p["problem"]) for p in row["problems"]] == [
        ("confirm_distinct", "possible_duplicate")
    ]
    assert "Safe Return Lawyers" in row["problems"][0]["message"]
    assert "Mukhammed" not in str(row["problems"])


def test_the_commit_is_refused_until_the_row_confirms_another_child(app: Flask, api: Api) -> None:
    held = api.post("lawyer3", "/api/v1/cases", {"child": HELD}).json
    refused = send(api, as_csv([child_row(0, 0, **IN_LATIN), child_row(1, 1)]), commit=True)
    assert refused.status_code == 422
    details = refused.json["error"]["details"]
    assert [(d["row"], d["problem"]) for d in details] == [(2, "possible_duplicate")]
    assert counts(app)["cases"] == 1
    confirmed = [child_row(0, 0, **IN_LATIN, confirm_distinct="true"), child_row(1, 1)]
    taken = send(api, as_csv(confirmed, WITH_CONFIRM), commit=True)
    assert taken.status_code == 201 and taken.json["opened"] == 2
    intake = [e for e in events(app) if e.action == "case.intake" and e.outcome == "success"]
    assert intake[-1].detail["possible_duplicates"] == [held["id"]]
    assert intake[-1].detail["confirm_distinct"] is True


def test_a_case_the_lawyer_may_see_is_named_by_reference(api: Api) -> None:
    held = api.post("lawyer", "/api/v1/cases", {"child": HELD}).json
    row = rows_of(send(api, as_csv([child_row(0, 0, **IN_LATIN)])))[0]
    [match] = row["possible_duplicates"]
    assert (match["case"], match["case_id"]) == (held["reference"], held["id"])


def test_confirm_distinct_takes_only_true_or_false(api: Api) -> None:
    rows = [child_row(0, 0, confirm_distinct="yes"), child_row(0, 1, confirm_distinct="FALSE")]
    checked = rows_of(send(api, as_csv(rows, WITH_CONFIRM)))
    assert [[p["column"] for p in row["problems"]] for row in checked] == [["confirm_distinct"], []]
