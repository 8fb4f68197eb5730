"""Every response carries the headers a sensitive service needs; oversized requests are refused;
browsers on other sites may read nothing unless their origin is configured."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import TestResponse

from tests.audit.helpers import events
from tests.factories import Api

PUBLIC_APP = "https://app.homeward.example"
OTHER_SITE = "https://evil.example"
CORS = {"CORS_ORIGINS": f"{PUBLIC_APP}, https://staff.homeward.example"}
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
ALWAYS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def read_case(api: Api) -> TestResponse:
    return api.get("lawyer", f"/api/v1/cases/{api.create_case()['id']}")


def login(api: Api) -> TestResponse:
    body = {"username": "lawyer", "password": api.password}
    return api.client.post("/api/v1/auth/login", json=body)


ENDPOINTS: dict[str, tuple[Callable[[Api], TestResponse], int]] = {
    "healthz": (lambda api: api.client.get("/healthz"), 200),
    "login": (login, 200),
    "case read": (read_case, 200),
    "OpenAPI document": (lambda api: api.client.get("/api/v1/openapi.json"), 200),
    "unknown verification code": (lambda api: api.client.get("/verify/NOSUCHCODE"), 404),
    "no such route": (lambda api: api.client.get("/api/v1/nowhere"), 404),
    "no token": (lambda api: api.client.get("/api/v1/cases"), 401),
    "invalid case": (lambda api: api.post("lawyer", "/api/v1/cases", {}), 422),
}


@pytest.mark.parametrize("name", ENDPOINTS)
def test_every_response_carries_the_security_headers(api: Api, name: str) -> None:
    send, status = ENDPOINTS[name]
    response = send(api)
    assert response.status_code == status
    for header, value in ALWAYS.items():
        assert response.headers.get(header) == value, header
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize("name", [name for name in ENDPOINTS if name != "healthz"])
def test_case_data_tokens_and_verifications_are_never_cached(api: Api, name: str) -> None:
    send, _status = ENDPOINTS[name]
    assert send(api).headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("name", ["login", "case read", "OpenAPI document", "no token"])
def test_json_answers_allow_no_content_sources_and_no_framing(api: Api, name: str) -> None:
    send, _status = ENDPOINTS[name]
    assert send(api).headers["Content-Security-Policy"] == API_POLICY


def test_the_verification_page_keeps_its_own_stricter_policy(api: Api) -> None:
    policy = api.client.get("/verify/NOSUCHCODE").headers["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy  # the page's own, not replaced by the default
    assert "frame-ancestors 'none'" in policy


def cors_headers(response: TestResponse) -> list[str]:
    return [name for name, _value in response.headers.items() if name.startswith("Access-Control-")]


def preflight(api: Api, origin: str) -> TestResponse:
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "Authorization, If-Match",
    }
    return api.client.options("/api/v1/cases/00000000-0000-0000-0000-000000000000", headers=headers)


def test_cors_is_off_unless_configured(api: Api) -> None:
    read = api.client.get("/api/v1/cases", headers={**api.headers("lawyer"), "Origin": PUBLIC_APP})
    assert read.status_code == 200
    assert cors_headers(read) == []
    assert cors_headers(preflight(api, PUBLIC_APP)) == []


@pytest.mark.parametrize("app_config", [CORS])
def test_a_configured_origin_may_read_answers(api: Api) -> None:
    response = api.client.get(
        "/api/v1/cases", headers={**api.headers("lawyer"), "Origin": PUBLIC_APP}
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == PUBLIC_APP
    assert "Origin" in response.headers["Vary"]
    exposed = response.headers["Access-Control-Expose-Headers"]
    assert {"ETag", "X-Request-Id", "X-Verification-Code"} <= set(exposed.split(", "))
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize("app_config", [CORS])
def test_a_configured_origin_passes_preflight_without_signing_in(api: Api) -> None:
    response = preflight(api, PUBLIC_APP)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == PUBLIC_APP
    assert response.headers["Access-Control-Allow-Methods"] == "GET, POST, PATCH"
    allowed = set(response.headers["Access-Control-Allow-Headers"].split(", "))
    assert allowed == {"Authorization", "Content-Type", "If-Match", "X-Request-Id", "X-Purpose"}


@pytest.mark.parametrize("app_config", [CORS])
def test_a_preflight_is_not_recorded_as_reading_the_case(app: Any, api: Api) -> None:
    before = len(events(app))
    assert preflight(api, PUBLIC_APP).status_code == 204
    assert len(events(app)) == before


@pytest.mark.parametrize("app_config", [CORS])
@pytest.mark.parametrize("origin", [OTHER_SITE, "https://app.homeward.example.evil.example", "*"])
def test_another_origin_is_never_allowed(api: Api, origin: str) -> None:
    read = api.client.get("/api/v1/cases", headers={**api.headers("lawyer"), "Origin": origin})
    assert read.status_code == 200
    assert cors_headers(read) == []
    assert "Origin" in read.headers["Vary"]  # a cache must not hand this answer to PUBLIC_APP
    checked = preflight(api, origin)
    assert checked.status_code == 401  # treated as any request without a token
    assert cors_headers(checked) == []


def test_oversized_headers_are_refused_with_431(api: Api) -> None:
    response = api.client.get(
        "/api/v1/cases", headers={**api.headers("lawyer"), "X-Padding": "a" * 17 * 1024}
    )
    assert response.status_code == 431
    assert response.json["error"]["code"] == "headers_too_large"
    assert "aaaa" not in response.get_data(as_text=True)


def test_large_but_reasonable_headers_are_accepted(api: Api) -> None:
    response = api.client.get(
        "/api/v1/cases", headers={**api.headers("lawyer"), "X-Padding": "a" * 8 * 1024}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("app_config", [{"MAX_HEADER_BYTES": 2048}])
def test_the_header_limit_is_a_setting(api: Api) -> None:
    headers = {**api.headers("lawyer"), "X-Padding": "a" * 2048}
    assert api.client.get("/api/v1/cases", headers=headers).status_code == 431


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/cases"])
def test_an_oversized_json_body_is_refused_with_413(api: Api, path: str) -> None:
    body = json.dumps({"padding": "a" * 300 * 1024})
    response = api.client.post(
        path, data=body, content_type="application/json", headers=api.headers("lawyer")
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
    assert "aaaa" not in response.get_data(as_text=True)
