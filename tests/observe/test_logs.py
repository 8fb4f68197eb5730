"""HOMEWARD_LOG_FORMAT=json: one JSON line per request that names the route's template, the
user by id and the request by its id, and never the address asked for, a name or a token."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any
from urllib.parse import quote

import pytest

from tests.factories import Api
from workflow.config import from_environment
from workflow.errors import log_safely

SEARCHED = "Нұрғалиева"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"LOG_FORMAT": "json"}


def json_lines(out: str) -> list[dict[str, Any]]:
    lines = [line for line in out.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]  # every line is JSON, or this fails


def request_lines(out: str, route: str) -> list[dict[str, Any]]:
    return [line for line in json_lines(out) if line.get("route") == route]


def test_each_request_is_one_json_line_without_its_query_string(
    api: Api, accounts: dict[str, uuid.UUID], capsys: pytest.CaptureFixture[str]
) -> None:
    case = api.create_case()
    token = api.token("lawyer")
    capsys.readouterr()

    traced = api.headers("lawyer", **{"X-Request-Id": "trace-1"})
    listed = api.client.get(f"/api/v1/cases?q={quote(SEARCHED)}&per_page=5", headers=traced)
    hostile = f"q={quote(SEARCHED)}&access_token={token}&name=Aliya+Nurgalieva"
    refused = api.get("lawyer", f"/api/v1/cases?{hostile}")  # unknown parameters: a 422
    read = api.get("lawyer", f"/api/v1/cases/{case['id']}")
    out = capsys.readouterr().out

    assert (listed.status_code, refused.status_code, read.status_code) == (200, 422, 200)
    first, second = request_lines(out, "/api/v1/cases")
    assert first["request_id"] == "trace-1" == listed.headers["X-Request-Id"]
    assert (first["method"], first["status"], first["level"]) == ("GET", 200, "info")
    assert first["user_id"] == str(accounts["lawyer"]) == second["user_id"]
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    assert (second["status"], second["request_id"]) == (422, refused.headers["X-Request-Id"])
    [one] = request_lines(out, "/api/v1/cases/<case_id>")
    assert one["request_id"] == read.headers["X-Request-Id"]
    for leak in (token, SEARCHED, quote(SEARCHED), "Nurgalieva", "q=", "?", case["id"], "lawyer"):
        assert leak not in out


def test_a_failed_sign_in_is_a_line_without_the_name_or_password(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    refused = api.client.post(
        "/api/v1/auth/login", json={"username": "lawyer", "password": "Nurgalieva-guess"}
    )
    out = capsys.readouterr().out

    assert refused.status_code == 401
    [line] = request_lines(out, "/api/v1/auth/login")
    assert (line["method"], line["status"], line["user_id"]) == ("POST", 401, None)
    assert "Nurgalieva" not in out and "lawyer" not in out


def test_an_address_no_route_knows_is_logged_without_it(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    api.client.get(f"/{quote(SEARCHED)}?token=secret")
    [line] = json_lines(capsys.readouterr().out)

    assert (line["route"], line["status"]) == (None, 404)


def test_an_unexpected_error_is_a_json_line_by_type_and_place(
    app: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        raise KeyError("Nurgalieva")
    except KeyError as error:
        with app.test_request_context():
            from flask import g

            g.request_id = "trace-2"
            log_safely(error)
    [line] = json_lines(capsys.readouterr().out)

    assert (line["level"], line["logger"], line["error"]) == (
        "error",
        "workflow.errors",
        "KeyError",
    )
    assert line["request_id"] == "trace-2"
    assert "test_logs.py:" in line["at"]
    assert "Nurgalieva" not in json.dumps(line)


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, "text"),
        ({"HOMEWARD_ENV": "production"}, "json"),
        ({"HOMEWARD_ENV": "production", "HOMEWARD_LOG_FORMAT": "text"}, "text"),
        ({"HOMEWARD_LOG_FORMAT": "json"}, "json"),
    ],
)
def test_json_is_the_default_in_production(
    variables: dict[str, str], expected: str, tmp_path: Any
) -> None:
    settings = from_environment(variables)

    assert settings.app_values(tmp_path)["LOG_FORMAT"] == expected


def test_text_is_the_default_outside_production(
    database_url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workflow import create_app
    from workflow.observe.logs import StandardOutput

    monkeypatch.setenv("HOMEWARD_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"DATABASE_URL": database_url, "TESTING": True})

    assert app.config["LOG_FORMAT"] == "text"
    assert not any(isinstance(h, StandardOutput) for h in logging.getLogger().handlers)
    app.extensions["homeward.engine"].dispose()
