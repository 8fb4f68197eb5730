"""Officials signing in through their agency's own OpenID Connect provider: a real second issuer,
made here with its own keys and JWKS, whose tokens Homeward accepts only for linked accounts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from flask.testing import FlaskClient
from jose import jwk, jwt

from tests.audit.helpers import events, last_event
from tests.conftest import FAST_HASHING
from workflow import create_app, transactions
from workflow.config import ConfigError
from workflow.models import ExternalIdentity, User

ISSUER = "https://idp.registry.example/realms/officials"
AUDIENCE = "homeward"
AGENCY = "Civil Registry Office, Almaty"
SUBJECT = "3f1c9a52-registrar"
DROP = object()


def _private_pem(alg: str, bits: int = 2048) -> str:
    key: Any = (
        ec.generate_private_key(ec.SECP256R1())
        if alg == "ES256"
        else rsa.generate_private_key(public_exponent=65537, key_size=bits)
    )
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _public_jwk(pem: str, alg: str, kid: str) -> dict[str, Any]:
    public: dict[str, Any] = jwk.construct(pem, alg).public_key().to_dict()
    return {**public, "kid": kid, "use": "sig"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Issuer:
    """An identity provider: private keys by kid, and the JWKS it publishes."""

    def __init__(self, jwks_path: Path) -> None:
        self.jwks_path = jwks_path
        self.keys: dict[str, tuple[str, str]] = {}
        self.published: list[dict[str, Any]] = []

    def add_key(self, kid: str, alg: str = "RS256", publish: bool = True, bits: int = 2048) -> None:
        pem = _private_pem(alg, bits)
        self.keys[kid] = (alg, pem)
        if publish:
            self.published.append(_public_jwk(pem, alg, kid))
            self.jwks_path.write_bytes(self.jwks())

    def jwks(self) -> bytes:
        return json.dumps({"keys": self.published}).encode()

    def public_pem(self, kid: str) -> bytes:
        alg, pem = self.keys[kid]
        return str(jwk.construct(pem, alg).public_key().to_pem().decode()).encode()

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": [AUDIENCE, "account"],
            "sub": SUBJECT,
            "iat": now,
            "exp": now + 300,
            # A provider's groups must grant nothing: the role is the Homeward account's.
            "groups": ["homeward-admins"],
            "role": "admin",
        }
        claims.update(overrides)
        return {name: value for name, value in claims.items() if value is not DROP}

    def token(self, kid: str = "k1", headers: dict[str, Any] | None = None, **claims: Any) -> str:
        alg, pem = self.keys[kid]
        return str(
            jwt.encode(
                self.claims(**claims), pem, algorithm=alg, headers={"kid": kid, **(headers or {})}
            )
        )


class JwksServer:
    """A loopback HTTP server publishing a JWKS, counting how often it is asked."""

    def __init__(self, body: bytes) -> None:
        self.body, self.requests = body, 0
        served = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                served.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(served.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


def _provider(jwks: str, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "registry-keycloak",
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "jwks": jwks,
        "algorithms": ["RS256", "ES256"],
        "agency": AGENCY,
        **overrides,
    }


@pytest.fixture
def issuer(tmp_path: Path) -> Issuer:
    made = Issuer(tmp_path / "idp-jwks.json")
    made.add_key("k1")
    made.add_key("e1", alg="ES256")
    return made


@pytest.fixture
def jwks_location(issuer: Issuer) -> str:
    return str(issuer.jwks_path)


@pytest.fixture
def app_config(tmp_path: Path, jwks_location: str) -> dict[str, Any]:
    path = tmp_path / "providers.yaml"
    path.write_text(json.dumps({"providers": [_provider(jwks_location)]}))
    return {"OIDC_PROVIDERS": str(path)}


@pytest.fixture
def linked(runner: Any, accounts: dict[str, uuid.UUID]) -> dict[str, uuid.UUID]:
    """The demo accounts, with the registrar linked to SUBJECT at the provider."""
    result = runner.invoke(
        args=["users", "link", "--issuer", ISSUER, "--subject", SUBJECT, "registrar"]
    )
    assert result.exit_code == 0, result.output
    return accounts


def _me(client: FlaskClient, token: str) -> Any:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def _assert_refused(client: FlaskClient, app: Any, token: str) -> None:
    before = len(events(app))
    response = _me(client, token)
    assert response.status_code == 401
    assert response.json["error"]["message"] == "The access token is missing, invalid or expired."
    event = last_event(app)
    assert len(events(app)) == before + 1
    assert (event.action, event.outcome, event.username) == ("auth.me", "not_authenticated", None)


@pytest.mark.parametrize("kid", ["k1", "e1"])
def test_a_linked_official_signs_in_with_their_homeward_role_and_agency(
    client: FlaskClient, app: Any, issuer: Issuer, linked: Any, kid: str
) -> None:
    token = issuer.token(kid)
    me = _me(client, token)
    assert me.status_code == 200
    assert (me.json["username"], me.json["role"]) == ("registrar", "official")
    assert me.json["agency"]["name"] == AGENCY
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    # The token's groups say admin; the account says official, and that is what counts.
    assert client.get("/api/v1/audit/events", headers=headers).status_code == 403
    event = last_event(app)
    assert (event.username, event.role, event.outcome) == ("registrar", "official", "not_permitted")


def test_signing_out_with_a_providers_token_is_refused_clearly(
    client: FlaskClient, issuer: Issuer, linked: Any
) -> None:
    headers = {"Authorization": f"Bearer {issuer.token()}"}
    response = client.post("/api/v1/auth/logout", headers=headers)
    assert (response.status_code, response.json["error"]["code"]) == (409, "conflict")
    assert "identity provider" in response.json["error"]["message"]


def test_an_unlinked_subject_is_refused(
    client: FlaskClient, app: Any, issuer: Issuer, linked: Any
) -> None:
    _assert_refused(client, app, issuer.token(sub="someone-else"))


def test_a_disabled_user_is_refused(
    client: FlaskClient, app: Any, issuer: Issuer, linked: Any
) -> None:
    with app.app_context(), transactions.unit_of_work() as session:
        session.query(User).filter_by(username="registrar").one().active = False
    _assert_refused(client, app, issuer.token())


def test_an_unlinked_subject_stops_signing_in(
    client: FlaskClient, app: Any, runner: Any, issuer: Issuer, linked: Any
) -> None:
    assert _me(client, issuer.token()).status_code == 200
    result = runner.invoke(args=["users", "unlink", "--issuer", ISSUER, "--subject", SUBJECT])
    assert result.exit_code == 0, result.output
    assert (last_event(app).action, last_event(app).object_id) == ("admin.user_unlink", "registrar")
    _assert_refused(client, app, issuer.token())


@dataclass(frozen=True)
class FromNow:
    """A moment this many seconds from when the test runs."""

    seconds: int


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": "https://idp.elsewhere.example/realms/officials"},
        {"iss": ISSUER + "/"},
        {"iss": DROP},
        {"aud": "another-client"},
        {"aud": DROP},
        {"exp": FromNow(-120)},
        {"exp": DROP},
        {"iat": DROP},
        {"iat": FromNow(600), "exp": FromNow(900)},
        {"nbf": FromNow(600)},
        {"sub": DROP},
        {"sub": ""},
    ],
    ids=lambda claims: ",".join(claims),
)
def test_tokens_with_wrong_or_missing_claims_are_refused(
    client: FlaskClient, app: Any, issuer: Issuer, linked: Any, claims: dict[str, Any]
) -> None:
    now = int(time.time())  # when the test runs, not when the suite was collected
    claims = {k: now + v.seconds if isinstance(v, FromNow) else v for k, v in claims.items()}
    _assert_refused(client, app, issuer.token(**claims))


def test_a_little_clock_skew_is_forgiven(client: FlaskClient, issuer: Issuer, linked: Any) -> None:
    now = int(time.time())
    token = issuer.token(iat=now + 10, nbf=now + 10, exp=now - 10 + 300)
    assert _me(client, token).status_code == 200


def test_a_token_signed_by_a_key_not_in_the_jwks_is_refused_even_with_a_known_kid(
    client: FlaskClient, app: Any, issuer: Issuer, tmp_path: Path, linked: Any
) -> None:
    rogue = Issuer(tmp_path / "rogue-jwks.json")
    rogue.add_key("k1")
    _assert_refused(client, app, rogue.token("k1"))


def test_an_unsigned_token_is_refused(
    client: FlaskClient, app: Any, issuer: Issuer, linked: Any
) -> None:
    header = _b64(json.dumps({"alg": "none", "kid": "k1"}).encode())
    payload = _b64(json.dumps(issuer.claims()).encode())
    _assert_refused(client, app, f"{header}.{payload}.")


def test_hs256_signed_with_the_providers_public_key_is_refused(
    client: FlaskClient, app: Any, issuer: Issuer, linked: Any
) -> None:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k1"}).encode())
    payload = _b64(json.dumps(issuer.claims()).encode())
    signing_input = f"{header}.{payload}".encode()
    mac = hmac.new(issuer.public_pem("k1"), signing_input, hashlib.sha256).digest()
    _assert_refused(client, app, f"{header}.{payload}.{_b64(mac)}")


def test_an_algorithm_the_provider_does_not_use_is_refused(
    client: FlaskClient, app: Any, issuer: Issuer, linked: Any
) -> None:
    issuer.add_key("r5", alg="RS512")
    _assert_refused(client, app, issuer.token("r5"))


def test_a_published_rsa_key_shorter_than_2048_bits_is_not_used(
    client: FlaskClient, app: Any, issuer: Issuer, linked: Any
) -> None:
    issuer.add_key("weak", bits=1024)
    _assert_refused(client, app, issuer.token("weak"))


@pytest.mark.parametrize("name", ["jku", "x5u", "jwk", "x5c", "crit"])
def test_headers_that_name_their_own_key_are_refused(
    client: FlaskClient, app: Any, issuer: Issuer, linked: Any, name: str
) -> None:
    _assert_refused(client, app, issuer.token(headers={name: "https://idp.evil.example/jwks"}))


def test_a_jku_header_pointing_elsewhere_is_never_fetched(
    client: FlaskClient, app: Any, issuer: Issuer, tmp_path: Path, linked: Any
) -> None:
    attacker = Issuer(tmp_path / "attacker-jwks.json")
    attacker.add_key("evil")
    server = JwksServer(attacker.jwks())
    try:
        _assert_refused(client, app, attacker.token("evil", headers={"jku": server.url}))
    finally:
        server.stop()
    assert server.requests == 0


def test_a_provider_signs_in_only_officials_of_its_own_agency(
    client: FlaskClient, app: Any, runner: Any, issuer: Issuer, accounts: Any
) -> None:
    result = runner.invoke(args=["users", "link", "--issuer", ISSUER, "--subject", "j1", "judge"])
    assert result.exit_code == 2 and "signs in officials of" in result.output
    with app.app_context(), transactions.unit_of_work() as session:
        # A link made to a judge anyway (or left from a move between agencies) still fails.
        session.add(ExternalIdentity(issuer=ISSUER, subject="j1", user_id=accounts["judge"]))
    _assert_refused(client, app, issuer.token(sub="j1"))


def test_linking_is_recorded_and_needs_a_configured_provider(
    app: Any, runner: Any, accounts: Any
) -> None:
    unknown = runner.invoke(
        args=["users", "link", "--issuer", "https://other.example", "--subject", "s", "registrar"]
    )
    assert unknown.exit_code == 2
    runner.invoke(args=["users", "link", "--issuer", ISSUER, "--subject", SUBJECT, "registrar"])
    again = runner.invoke(
        args=["users", "link", "--issuer", ISSUER, "--subject", SUBJECT, "registrar"]
    )
    assert again.exit_code == 2
    recorded = [(e.action, e.object_id, e.request_id) for e in events(app)]
    assert recorded == [("admin.user_link", "registrar", "cli")]
    assert SUBJECT not in json.dumps(events(app)[0].detail)


def test_an_oversized_token_is_refused(
    client: FlaskClient, app: Any, issuer: Issuer, linked: Any
) -> None:
    _assert_refused(client, app, issuer.token(padding="x" * 9000))


class TestKeysServedOverHttp:
    """The JWKS fetched from the provider's URL (loopback here), cached, refetched on rotation."""

    @pytest.fixture
    def server(self, issuer: Issuer) -> Iterator[JwksServer]:
        serving = JwksServer(issuer.jwks())
        yield serving
        serving.stop()

    @pytest.fixture
    def jwks_location(self, server: JwksServer) -> str:
        return server.url

    def test_keys_are_fetched_once_and_cached(
        self, client: FlaskClient, issuer: Issuer, server: JwksServer, linked: Any
    ) -> None:
        assert _me(client, issuer.token()).status_code == 200
        assert _me(client, issuer.token("e1")).status_code == 200
        assert server.requests == 1

    def test_a_rotated_key_is_picked_up_and_unknown_kids_refetch_sparingly(
        self, client: FlaskClient, app: Any, issuer: Issuer, server: JwksServer, linked: Any
    ) -> None:
        assert _me(client, issuer.token()).status_code == 200
        issuer.add_key("k2")
        server.body = issuer.jwks()
        assert _me(client, issuer.token("k2")).status_code == 200
        assert server.requests == 2
        issuer.add_key("k3")
        server.body = issuer.jwks()
        # One refetch per minute at most: a stream of made-up kids cannot hammer the provider.
        _assert_refused(client, app, issuer.token("k3"))
        assert server.requests == 2


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("providers: [", "cannot read"),
        ("providers:\n  - name: x\n", "audience"),
        (json.dumps({"providers": [_provider("/keys.json", algorithms=["HS256"])]}), "algorithms"),
        (json.dumps({"providers": [_provider("/keys.json", algorithms=["none"])]}), "algorithms"),
        (json.dumps({"providers": [_provider("/keys.json", algorithms=[])]}), "algorithms"),
        (json.dumps({"providers": [_provider("http://idp.example/jwks")]}), "jwks"),
        (json.dumps({"providers": [_provider("keys.json")]}), "jwks"),
        (json.dumps({"providers": [_provider("/keys.json", tenant="x")]}), "tenant"),
        (
            json.dumps({"providers": [_provider("/a.json"), _provider("/b.json", name="b")]}),
            "issuer",
        ),
        (json.dumps({"providers": [_provider("/keys.json", issuer="homeward")]}), "own issuer"),
        ("- just a list\n", "providers"),
    ],
)
def test_a_malformed_providers_file_stops_the_service_at_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, problem: str
) -> None:
    monkeypatch.setenv("HOMEWARD_INSTANCE_PATH", str(tmp_path / "instance"))
    path = tmp_path / "providers.yaml"
    path.write_text(content)
    settings = {"DATABASE_URL": f"sqlite:///{tmp_path / 'h.sqlite3'}", "OIDC_PROVIDERS": str(path)}
    with pytest.raises(ConfigError, match=problem):
        create_app({"TESTING": True, **FAST_HASHING, **settings})
