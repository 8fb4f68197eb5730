"""GET /metrics: Prometheus text for the addresses HOMEWARD_METRICS_ALLOW lists and a plain
404 for everyone else; request counts by route template, and what the database says now."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import PASSWORD
from tests.factories import Api
from workflow.networks import in_networks

CASE_ROUTE = "/api/v1/cases/<case_id>"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"METRICS_ALLOW": "127.0.0.0/8,::1,10.20.0.0/16", "LOGIN_FREE_FAILURES": 1}


def scrape(
    client: FlaskClient, address: str = "127.0.0.1"
) -> dict[tuple[str, tuple[Any, ...]], float]:
    """Every sample, by name and label values."""
    answer = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
    assert answer.status_code == 200
    assert answer.content_type.startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.get_data(as_text=True))
        for sample in family.samples
    }


def requests_of(
    samples: dict[tuple[str, tuple[Any, ...]], float], route: str, status: str
) -> float:
    labels = (("method", "GET"), ("route", route), ("status", status))
    return samples.get(("homeward_http_requests_total", labels), 0.0)


@pytest.mark.parametrize("address", ["192.0.2.7", "10.21.0.1", "::2", "", "not-an-address"])
def test_an_address_not_listed_is_told_there_is_no_such_page(
    client: FlaskClient, address: str
) -> None:
    answer = client.get("/metrics", environ_base={"REMOTE_ADDR": address})

    assert answer.status_code == 404
    assert "homeward_" not in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "127.9.9.9", "::1", "10.20.3.4", "::ffff:127.0.0.1"]
)
def test_a_listed_address_reads_the_metrics(client: FlaskClient, address: str) -> None:
    assert ("homeward_audit_chain_events", ()) in scrape(client, address)


def test_a_forwarded_address_never_counts(client: FlaskClient) -> None:
    forged = {"X-Forwarded-For": "127.0.0.1"}
    answer = client.get("/metrics", headers=forged, environ_base={"REMOTE_ADDR": "192.0.2.7"})

    assert answer.status_code == 404


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXY_HOPS": 1}])
def test_not_even_through_a_trusted_proxy(client: FlaskClient) -> None:
    """Behind a trusted proxy both the connection and the client it forwards for must be
    listed: anyone who reaches the port directly could forge a forwarded address."""
    forged = {"X-Forwarded-For": "127.0.0.1"}
    answer = client.get("/metrics", headers=forged, environ_base={"REMOTE_ADDR": "192.0.2.7"})

    assert answer.status_code == 404
    through_a_proxy = {"X-Forwarded-For": "203.0.113.7"}
    outsider = client.get("/metrics", headers=through_a_proxy, environ_base=LOOPBACK)
    assert outsider.status_code == 404  # a proxy that forwards /metrics serves no one outside
    assert client.get("/metrics", environ_base=LOOPBACK).status_code == 200


LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}


def test_requests_are_counted_by_route_template_not_address(api: Api, client: FlaskClient) -> None:
    case = api.create_case()
    before = scrape(client)
    for _ in range(3):
        assert api.get("lawyer", f"/api/v1/cases/{case['id']}").status_code == 200
    api.get("lawyer", f"/api/v1/cases/{case['id']}?q={quote('Нұрғалиева')}")
    api.get("lawyer", f"/api/v1/cases/{uuid.uuid4()}")  # no such case: a 404
    after = scrape(client)

    assert requests_of(after, CASE_ROUTE, "200") - requests_of(before, CASE_ROUTE, "200") == 4
    assert requests_of(after, CASE_ROUTE, "404") - requests_of(before, CASE_ROUTE, "404") == 1
    labels = (("method", "GET"), ("route", CASE_ROUTE), ("status", "200"))
    count = ("homeward_http_request_duration_seconds_count", labels)
    assert after[count] - before.get(count, 0) == 4
    text = client.get("/metrics").get_data(as_text=True)
    for leak in (case["id"], case["reference"], "Нұрғалиева", "lawyer"):
        assert leak not in text


def test_sign_in_failures_and_throttles_are_counted(api: Api, client: FlaskClient) -> None:
    before = scrape(client)
    for _ in range(2):  # one free failure, then the pair of account and address waits
        api.client.post("/api/v1/auth/login", json={"username": "lawyer", "password": "wrong"})
    after = scrape(client)
    failures = ("homeward_sign_in_failures_total", (("outcome", "not_authenticated"),))

    assert after[failures] - before.get(failures, 0) == 2
    throttled = "homeward_sign_in_throttled"
    assert after[throttled, (("counter", "address_and_account"),)] == 1
    assert after[throttled, (("counter", "address"),)] == 0
    api.client.post("/api/v1/auth/login", json={"username": "lawyer", "password": PASSWORD})
    waited = ("homeward_sign_in_failures_total", (("outcome", "too_many_attempts"),))
    assert scrape(client)[waited] - before.get(waited, 0) == 1


def test_the_database_gauges_follow_the_cases_and_the_trail(api: Api, client: FlaskClient) -> None:
    before = scrape(client)
    case = api.create_case()
    api.request_dna(case)  # the DNA track now waits on the court
    assert api.post("auditor", "/api/v1/audit/checkpoints").status_code == 201
    after = scrape(client)

    waiting = "homeward_steps_waiting"
    court = (("agency_kind", "court"),)
    assert after[waiting, court] - before[waiting, court] == 1
    assert after["homeward_steps_overdue", court] == 0
    assert after["homeward_audit_chain_events", ()] > before["homeward_audit_chain_events", ()]
    assert 0 <= after["homeward_audit_checkpoint_age_seconds", ()] < 60
    assert ("homeward_audit_checkpoint_age_seconds", ()) not in before


def test_the_allow_list_reads_addresses_and_networks() -> None:
    allowed = "127.0.0.0/8, ::1,192.0.2.10"
    assert in_networks("192.0.2.10", allowed)
    assert in_networks("::ffff:127.0.0.2", allowed)
    assert not in_networks("192.0.2.11", allowed)
    assert not in_networks(None, allowed)
