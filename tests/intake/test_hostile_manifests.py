"""Hostile manifests: each refused with a clear error, whole or by row, never echoed back, and
never half-opened."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.factories import Api
from tests.intake.manifests import COLUMNS, as_csv, child_row, operation, send
from tests.intake.test_intake import counts


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"MAX_INTAKE_BYTES": 3 * 1024 * 1024}


def problems_of(answer: Any) -> list[tuple[str, str]]:
    return [(p["column"], p["problem"]) for row in answer.json["rows"] for p in row["problems"]]


def test_a_manifest_in_another_encoding_is_refused(api: Api) -> None:
    latin = "family_group,child_script,child_given\nF1,Latn,Zoé\n".encode("cp1252")
    answer = send(api, latin)
    assert answer.status_code == 415 and "UTF-8" in answer.json["error"]["message"]
    utf16 = as_csv(operation(1, 1)).decode().encode("utf-16")
    assert send(api, utf16).status_code == 415


def test_a_byte_order_mark_is_accepted(app: Flask, api: Api) -> None:
    answer = send(api, as_csv(operation(1, 2), bom=True), commit=True)
    assert answer.status_code == 201 and answer.json["opened"] == 2


@pytest.mark.parametrize(
    "formula", ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", " =1+1", "\t=1"]
)
def test_a_formula_cell_is_refused_and_never_echoed(app: Flask, api: Api, formula: str) -> None:
    rows = [child_row(0, 0, child_family=formula), child_row(0, 1)]
    answer = send(api, as_csv(rows))
    assert problems_of(answer) == [("child_family", "formula")]
    assert formula.strip() not in answer.get_data(as_text=True)
    assert send(api, as_csv(rows), commit=True).status_code == 422
    assert counts(app)["cases"] == 0


def test_ten_thousand_rows_are_checked(api: Api) -> None:
    rows = [child_row(i % 2000, i % 7, family_group=f"F{i // 5}") for i in range(10_000)]
    answer = send(api, as_csv(rows))
    assert answer.status_code == 200 and answer.json["total"] == 10_000


def test_more_rows_than_the_cap_is_too_large(api: Api) -> None:
    rows = [child_row(0, i % 7) for i in range(10_001)]
    answer = send(api, as_csv(rows))
    assert answer.status_code == 413 and "10000" in answer.json["error"]["message"]


def test_more_bytes_than_the_cap_is_too_large(app: Flask, api: Api) -> None:
    huge = as_csv([child_row(0, 0, birth_locality="x" * (3 * 1024 * 1024))])
    assert send(api, huge, commit=True).status_code == 413
    assert counts(app)["cases"] == 0


def test_a_huge_single_cell_within_the_cap_is_a_clear_error(api: Api) -> None:
    answer = send(api, as_csv([child_row(0, 0, child_given="Ә" * 300_000)]))
    assert answer.status_code == 422
    assert answer.json["error"]["details"][0]["problem"] == "malformed_csv"
    assert "ӘӘӘ" not in answer.get_data(as_text=True)


def test_a_long_name_is_a_problem_of_its_row(api: Api) -> None:
    answer = send(api, as_csv([child_row(0, 0, child_given="Ә" * 500), child_row(0, 1)]))
    assert problems_of(answer) == [("child_given", "string_too_long")]


@pytest.mark.parametrize(
    ("columns", "problem"),
    [
        ([c for c in COLUMNS if c != "sex"], "missing_column"),
        ([*COLUMNS, "sex"], "duplicate_column"),
        ([*COLUMNS, "favourite_colour"], "unknown_column"),
    ],
)
def test_wrong_columns_refuse_the_file(api: Api, columns: list[str], problem: str) -> None:
    content = as_csv([], columns)
    answer = send(api, content + b"F1" + b"," * (len(columns) - 1) + b"\r\n")
    assert answer.status_code == 422
    assert problem in {d["problem"] for d in answer.json["error"]["details"]}


def test_an_unknown_column_named_like_a_formula_is_not_echoed(api: Api) -> None:
    content = as_csv([], [*COLUMNS, "=cmd|' /C calc'!A0"])
    answer = send(api, content)
    assert answer.json["error"]["details"][0]["column"] == f"(column {len(COLUMNS) + 1})"
    assert "calc" not in answer.get_data(as_text=True)


def test_column_names_are_read_whatever_their_case_and_spacing(api: Api) -> None:
    content = as_csv(operation(1, 1)).replace(b"child_given", b" Child_Given ", 1)
    assert send(api, content).json["with_problems"] == 0


def test_quotes_and_newlines_inside_names(api: Api) -> None:
    rows = [
        child_row(0, 0, child2_given='Aliya "Ali"', child2_family="O'Neil, Nurgalieva"),
        child_row(0, 1, child2_given="Ali\nya"),
    ]
    answer = send(api, as_csv(rows))
    first, second = answer.json["rows"]
    assert first["problems"] == [] and first["row"] == 2
    assert [(p["column"], p["problem"]) for p in second["problems"]] == [
        ("child2_given", "value_error")
    ]


def test_blank_lines_are_skipped_and_rows_keep_their_line_numbers(api: Api) -> None:
    content = as_csv(operation(1, 2)).replace(b"\r\n", b"\r\n\r\n,,,\r\n", 1)
    answer = send(api, content)
    assert [row["row"] for row in answer.json["rows"]] == [4, 5]


def test_nul_bytes_are_a_problem_of_their_row(api: Api) -> None:
    answer = send(api, as_csv([child_row(0, 0, child_given="Ә\x00лия"), child_row(0, 1)]))
    assert answer.status_code == 200
    assert problems_of(answer) == [("child_given", "value_error")]


def test_names_in_mixed_scripts_open_as_the_api_would(api: Api) -> None:
    row = child_row(0, 0, child2_script="Arab", child2_given="عالية", child2_family="Nurgalieva")
    answer = send(api, as_csv([row]), commit=True)
    assert answer.status_code == 201
    case = api.case("lawyer", answer.json["cases"][0]["id"])
    assert [n["script"] for n in case["child"]["names"]] == ["Cyrl", "Arab"]


def test_extra_cells_are_a_problem_of_their_row(api: Api) -> None:
    content = as_csv(operation(1, 1)) + b"F1" + b",x" * (len(COLUMNS) + 2) + b"\r\n"
    answer = send(api, content)
    assert ("(row)", "extra_cells") in problems_of(answer)


@pytest.mark.parametrize(
    ("body", "status"),
    [(b"", 422), (b"\r\n\r\n", 422), (b"\xef\xbb\xbf", 422), (b"\xff\xfe\x00", 415)],
)
def test_empty_and_broken_files(api: Api, body: bytes, status: int) -> None:
    assert send(api, body).status_code == status


def test_a_manifest_sent_as_json_is_refused(api: Api) -> None:
    assert api.post("lawyer", "/api/v1/intake", {"file": "x"}).status_code == 415
