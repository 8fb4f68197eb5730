"""Two `homeward serve` instances on one database and one S3 bucket serve the same users: a
token or a web session from one is good on the other, and a case walked through both in turn
completes with one unbroken audit trail. On PostgreSQL when the suite runs on it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.conftest import PASSWORD
from tests.factories import Api, sample_pdf
from tests.serving.http_client import TakingTurns
from tests.serving.served import Served, server_environment, serving
from tests.workflow import test_walkthrough as walkthrough
from workflow.serving.server import check_ready

BUCKET = "homeward-documents"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
COOKIE = re.compile(r"(homeward_session=[^;]+)")


@pytest.fixture
def s3_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An S3 endpoint on loopback (moto's server), with made-up credentials, and a bucket."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


def found(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    assert match is not None, text[:300]
    return match.group(1)


def shared_secrets(app: Any) -> dict[str, str]:
    """The secrets every instance must share, as an operator would configure them."""
    check_ready(app)  # makes the development keys and certificate, once
    config = app.config
    return {
        "HOMEWARD_KEYS_DIR": config["KEYS_DIR"],
        "HOMEWARD_DATA_KEYS_DIR": config["DATA_KEYS_DIR"],
        "HOMEWARD_AUDIT_KEY_FILE": config["AUDIT_KEY_FILE"],
        "HOMEWARD_FORM_SIGNING_KEY_FILE": config["FORM_SIGNING_KEY_FILE"],
        "HOMEWARD_FORM_SIGNING_CERT_FILE": config["FORM_SIGNING_CERT_FILE"],
        "HOMEWARD_WEB_SECRET_KEY": "one secret for every instance, kept outside them",
    }


@pytest.fixture
def instances(
    app: Any, accounts: Any, database_url: str, s3_endpoint: str, tmp_path: Path
) -> Iterator[list[Served]]:
    """Two instances, each with an instance folder of its own, sharing what must be shared."""
    shared = shared_secrets(app) | {
        "HOMEWARD_DOCUMENT_STORE": f"s3://{BUCKET}/documents",
        "HOMEWARD_S3_ENDPOINT_URL": s3_endpoint,
    }
    with ExitStack() as stack:
        yield [
            stack.enter_context(
                serving(
                    server_environment(tmp_path / name, database_url, **shared),
                    tmp_path / f"{name}.log",
                    "--workers",
                    "1",
                    "--threads",
                    "4",
                )
            )
            for name in ("east", "west")
        ]


def test_a_case_walked_through_two_instances_completes_with_one_audit_trail(
    instances: list[Served],
) -> None:
    turns = TakingTurns([served.port for served in instances])
    api = Api(turns, PASSWORD)  # type: ignore[arg-type]
    walkthrough.test_default_workflow_walks_to_complete(api)  # the in-process walk, over both
    assert min(turns.sent.values()) > 20  # each instance served its share of the walk
    verdicts = [
        served.request("GET", "/api/v1/audit/verify", headers=served.sign_in("auditor"))
        for served in instances
    ]
    bodies = [verdict[2] for verdict in verdicts]
    assert all(status == 200 for status, _headers, _body in verdicts)
    assert b'"ok":true' in bodies[0].replace(b" ", b"")
    assert b'"first_broken":null' in bodies[0].replace(b" ", b"")


def test_a_document_stored_through_one_instance_is_read_through_the_other(
    instances: list[Served],
) -> None:
    east, west = instances
    api = Api(TakingTurns([east.port]), PASSWORD)  # type: ignore[arg-type]
    case_id = api.create_case()["id"]
    document = api.upload("lawyer", case_id, "consent", sample_pdf("signed in the east"))
    assert document.status_code == 201
    token = api.headers("lawyer")  # signed by the east instance, used in the west
    status, _headers, body = west.request(
        "GET", f"/api/v1/documents/{document.json['id']}", None, token
    )
    assert status == 200 and body == sample_pdf("signed in the east")


def test_a_web_session_from_one_instance_is_good_on_the_other(instances: list[Served]) -> None:
    east, west = instances
    _status, headers, page = east.request("GET", "/sign-in")
    cookie = found(COOKIE, headers.get("Set-Cookie", ""))
    form = {"csrf_token": found(CSRF, page.decode()), "username": "registrar", "password": PASSWORD}
    status, headers, _body = east.request(
        "POST",
        "/sign-in",
        urlencode(form).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    assert status == 303, status
    signed_in = {"Cookie": found(COOKIE, headers["Set-Cookie"])}
    status, headers, page = west.request("GET", headers["Location"], None, signed_in)
    while status in (302, 303):  # to the registrar's start page, all in the west
        status, headers, page = west.request("GET", headers["Location"], None, signed_in)
    assert status == 200 and b"registrar" in page
