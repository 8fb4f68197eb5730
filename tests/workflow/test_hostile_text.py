"""Hostile text: control characters, lone surrogates, SQL and markup in names and notes are
refused or stored exactly as typed; Kazakh and Arabic names come back as written, composed."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest

from tests.conftest import PASSWORD
from tests.factories import Api
from tests.workflow.hostile import (
    CHILD,
    ENDPOINTS,
    MOTHER,
    SECRET,
    SQL,
    Target,
    assert_error,
    open_target_case,
    refuse_each,
    refused_and_unchanged,
    send,
    with_child,
    with_mother,
    with_petition,
)


@pytest.fixture
def case(api: Api) -> dict[str, Any]:
    return open_target_case(api)


BAD_TEXT = {
    "NUL": f"{SECRET}\x00",
    "lone high surrogate": f"{SECRET}\ud800",
    "lone low surrogate": f"\udfff{SECRET}",
    "escape": f"{SECRET}\x1b[31m",
    "delete": f"{SECRET}\x7f",
    "blank": " \t ",
}
TEXT_FIELDS = {
    "child's given name": (
        "create",
        lambda text: with_child(names=[{"script": "Latn", "given": text}]),
        "child.names.0.given",
    ),
    "mother's family name": (
        "create",
        lambda text: with_mother(names=[{"script": "Cyrl", "family": text}]),
        "people.0.names.0.family",
    ),
    "residence": ("create", lambda text: with_child(residence=text), "child.residence"),
    "a changed name": (
        "patch",
        lambda text: {"child": {"names": [{"script": "Latn", "given": text}]}},
        "child.names.0.given",
    ),
    "note": ("transitions", lambda text: with_petition(note=text), "note"),
    "closing note": ("close", lambda text: {"reason": "withdrawn", "note": text}, "note"),
    "transition data": (
        "transitions",
        lambda text: with_petition(data={"grounds": text}),
        "data.grounds",
    ),
}


def test_control_characters_and_lone_surrogates_in_text_are_refused(
    api: Api, subtests: pytest.Subtests
) -> None:
    variants = {
        f"{where}-{kind}": (name, body(text), field)
        for where, (name, body, field) in TEXT_FIELDS.items()
        for kind, text in BAD_TEXT.items()
    }
    refuse_each(api.client, subtests, variants)


def test_a_newline_is_refused_in_a_name_but_kept_in_a_residence(
    api: Api, case: dict[str, Any]
) -> None:
    refused_and_unchanged(
        api,
        case,
        "create",
        with_child(names=[{"script": "Latn", "given": "Ali\nya"}]),
        "child.names.0.given",
    )
    created = api.create_case(child={**CHILD, "residence": "Almaty region\nWith her grandmother"})
    shown = api.case("lawyer", created["id"])["child"]["residence"]
    assert shown == "Almaty region\nWith her grandmother"


IMPOSSIBLE_CREDENTIALS = {
    "login username NUL": (
        "login",
        {"username": "law\x00yer", "password": PASSWORD},
        422,
        "username",
    ),
    "login username surrogate": (
        "login",
        {"username": "\ud800lawyer", "password": PASSWORD},
        422,
        "username",
    ),
    "login password NUL": (
        "login",
        {"username": "lawyer", "password": f"{SECRET}\x00"},
        401,
        "password",
    ),
    "login password surrogate": (
        "login",
        {"username": "lawyer", "password": f"{SECRET}\ud800"},
        422,
        "password",
    ),
    "refresh token NUL": ("refresh", {"refresh_token": "x\x00" * 20}, 422, "refresh_token"),
    "refresh token surrogate": ("refresh", {"refresh_token": "\ud800" * 20}, 422, "refresh_token"),
    "assignee NUL": ("assignments", {"username": "lawyer2\x00"}, 422, "username"),
    "assignee surrogate": ("assignments", {"username": "\ud800lawyer2"}, 422, "username"),
}


def test_a_name_no_account_can_have_is_refused_like_any_wrong_name(
    api: Api, subtests: pytest.Subtests
) -> None:
    """A NUL or lone surrogate is refused as invalid or as not matching, never a server error."""
    target = Target(api.client)
    for variant, (name, body, status, field) in IMPOSSIBLE_CREDENTIALS.items():
        with subtests.test(msg=variant, variant=variant), target.refusing():
            response = send(target.api, name, target.case, body)
            assert_error(response, status, *([field] if status == 422 else []))


REFUSED_REFRESHES = {
    "unknown field": (lambda token: {"refresh_token": token, "scope": "admin"}, 422),
    "wrong type": (lambda token: {"refresh_token": [token]}, 422),
    "lone surrogate": (lambda token: {"refresh_token": token + "\ud800"}, 422),
}


def test_a_refused_refresh_leaves_the_refresh_token_working(
    api: Api, subtests: pytest.Subtests
) -> None:
    """Each variant on a sign-in of its own, since the last refresh of each succeeds."""
    for variant, (body, status) in REFUSED_REFRESHES.items():
        with subtests.test(msg=variant, variant=variant):
            login = api.client.post("/api/v1/auth/login", json=ENDPOINTS["login"].body)
            token = login.json["refresh_token"]
            refused = api.client.post("/api/v1/auth/refresh", json=body(token))
            assert_error(refused, status)
            sent_as_text = api.client.post(
                "/api/v1/auth/refresh",
                data=json.dumps({"refresh_token": token}),
                content_type="text/plain",
            )
            assert_error(sent_as_text, 415)
            refreshed = api.client.post("/api/v1/auth/refresh", json={"refresh_token": token})
            assert refreshed.status_code == 200


@pytest.mark.parametrize("sql", SQL)
def test_sql_in_a_name_is_stored_and_searched_as_text(
    api: Api, case: dict[str, Any], sql: str
) -> None:
    created = api.create_case(
        child={**CHILD, "names": [{"script": "Latn", "given": sql, "family": "Nurgalieva"}]},
        people=[{**MOTHER, "names": [{"script": "Latn", "family": sql}]}],
    )
    shown = api.case("lawyer", created["id"])
    assert shown["child"]["names"][0]["given"] == sql
    assert shown["people"][0]["names"][0]["family"] == sql
    found = api.get("lawyer", "/api/v1/cases", query_string={"q": sql}).json
    assert [c["id"] for c in found["cases"]] == [created["id"]]
    assert api.get("lawyer", "/api/v1/cases").json["total"] == 2
    api.create_case()
    assert api.get("lawyer", "/api/v1/cases").json["total"] == 3


MARKUP = [
    "<script>alert('x')</script>",
    "<b>Әлия</b>",
    "&lt;b&gt;Aliya&lt;/b&gt;",
    '"><img src=x onerror=alert(1)>',
    "{{ 7 * 7 }}",
    "${7*7}",
    "Aliya <!-- -->",
]


@pytest.mark.parametrize("markup", MARKUP)
def test_markup_in_names_and_notes_is_stored_and_returned_as_typed(api: Api, markup: str) -> None:
    created = api.create_case(
        child={**CHILD, "names": [{"script": "Latn", "given": markup, "family": markup}]}
    )
    shown = api.get("lawyer", f"/api/v1/cases/{created['id']}")
    assert shown.mimetype == "application/json"
    assert shown.json["child"]["names"][0] == {"script": "Latn", "given": markup, "family": markup}
    listed = api.get("lawyer", "/api/v1/cases", query_string={"q": markup}).json["cases"]
    assert [c["child_names"][0]["given"] for c in listed] == [markup]
    api.step("lawyer", created["id"], "parentage", "file_petition", {"grounds": markup})
    history = api.get("lawyer", f"/api/v1/cases/{created['id']}/history").json["history"]
    assert history[0]["data"] == {"grounds": markup}


KAZAKH = {
    "script": "Cyrl",
    "given": "Әлия Ұлжан Үміт Ілияс Һарун",
    "family": "Нұрғалиева-Қаңлыбай-Өмірзақ",
    "patronymic": "ӘҒҚҢӨҰҮҺІ әғқңөұүһі",
}
ARABIC = {"script": "Arab", "given": "عَلِيَّة إسراء آمنة", "family": "نورغالييفا"}


def test_kazakh_and_arabic_names_are_stored_and_returned_exactly(api: Api) -> None:
    for name in (KAZAKH, ARABIC):
        assert all(unicodedata.is_normalized("NFC", part) for part in name.values())
    created = api.create_case(
        child={**CHILD, "names": [KAZAKH, ARABIC]},
        people=[{**MOTHER, "names": [ARABIC, KAZAKH]}],
    )
    shown = api.case("lawyer", created["id"])
    assert shown["child"]["names"] == [KAZAKH, ARABIC]
    assert shown["people"][0]["names"] == [ARABIC, KAZAKH]
    listed = api.get("lawyer", "/api/v1/cases").json["cases"]
    assert [c["child_names"] for c in listed] == [[KAZAKH, ARABIC]]
    changed = api.patch(
        "lawyer",
        f"/api/v1/cases/{created['id']}",
        {"child": {"names": [ARABIC, KAZAKH]}},
        **{"If-Match": f'"{shown["version"]}"'},
    )
    assert changed.status_code == 200
    assert api.case("lawyer", created["id"])["child"]["names"] == [ARABIC, KAZAKH]


DECOMPOSED = {
    "short i": ("Ил\u0438\u0306ас", "Илйас"),
    "yo": ("Е\u0308ркін", "Ёркін"),
    "alef hamza above": ("\u0627\u0654حمد", "أحمد"),
    "alef hamza below": ("\u0627\u0655سراء", "إسراء"),
    "latin accent": ("Zhe\u0301nya", "Zhénya"),
    "shadda": ("علي\u0651\u064eة", "علي\u064e\u0651ة"),
}


def test_decomposed_names_are_stored_composed(api: Api, subtests: pytest.Subtests) -> None:
    """Each variant on a case of its own."""
    for variant, (typed, stored) in DECOMPOSED.items():
        with subtests.test(msg=variant, variant=variant):
            created = api.create_case(
                child={**CHILD, "names": [{"script": "Cyrl", "given": typed}]}
            )
            assert api.case("lawyer", created["id"])["child"]["names"][0]["given"] == stored
