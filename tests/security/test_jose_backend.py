"""python-jose signs and verifies Homeward's tokens with `cryptography`, never with `ecdsa`.

ecdsa comes with python-jose and has an advisory with no fix (GHSA-wj6h-64fc-37mp, the Minerva
timing attack on its signing); `make audit` ignores it because of what these tests hold."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, NoReturn

import ecdsa
import jose.backends
import pytest
from jose import jwk
from jose.backends.cryptography_backend import CryptographyECKey

from workflow.identity.keys import ALGORITHM
from workflow.identity.tokens import decode_access_token, issue_access_token, key_ring


def test_python_jose_chose_its_cryptography_backend() -> None:
    assert jose.backends.ECKey is CryptographyECKey
    assert jwk.get_key(ALGORITHM) is CryptographyECKey


def test_tokens_are_signed_and_verified_without_ecdsa(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> NoReturn:
        raise AssertionError("ecdsa was used")

    for name in ("sign", "sign_digest", "sign_deterministic", "sign_digest_deterministic"):
        monkeypatch.setattr(ecdsa.SigningKey, name, refuse)
    for name in ("verify", "verify_digest"):
        monkeypatch.setattr(ecdsa.VerifyingKey, name, refuse)
    user = SimpleNamespace(id=uuid.uuid4())
    with app.app_context():
        token, _lifetime = issue_access_token(user, uuid.uuid4(), datetime.now(UTC))
        assert decode_access_token(token)["sub"] == str(user.id)
        assert isinstance(key_ring().current.verifier, CryptographyECKey)
