"""Forged and bent tokens, made the way an attacker would make them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwt

from tests.factories import current_signing_key
from workflow.identity.keys import ALGORITHM


def part(data: dict[str, Any] | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims(**changes: Any) -> dict[str, Any]:
    """Claims of a well-formed access token, changed as asked (None removes a claim)."""
    now = int(time.time())
    base = {
        "iss": "homeward",
        "aud": "homeward-api",
        "sub": str(uuid.uuid4()),
        "sid": str(uuid.uuid4()),
        "jti": uuid.uuid4().hex,
        "typ": "access",
        "iat": now,
        "exp": now + 300,
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def signed(app: Any, body: dict[str, Any], **header: Any) -> str:
    """Signed with Homeward's own current key: only what is inside can be wrong."""
    key = current_signing_key(app)
    headers = {"kid": key.kid, **header}
    present = {name: value for name, value in body.items() if value is not None}
    return str(jwt.encode(present, key.private_pem, algorithm=ALGORITHM, headers=headers))


def hmac_signed(body: dict[str, Any], secret: bytes, kid: str, alg: str = "HS256") -> str:
    """Signed with HMAC over a secret the attacker knows, such as our public key."""
    head = f"{part({'alg': alg, 'typ': 'JWT', 'kid': kid})}.{part(body)}"
    digest = {"HS256": hashlib.sha256, "HS512": hashlib.sha512}[alg]
    signature = hmac.new(secret, head.encode(), digest).digest()
    return f"{head}.{part(signature)}"


def public_key_forms(app: Any) -> dict[str, bytes]:
    """Our public key as PEM, DER and OpenSSH text: each a secret an HS256 forger might try."""
    pem = current_signing_key(app).public_pem.encode()
    public = serialization.load_pem_public_key(pem)
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    ssh = public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return {"pem": pem, "der": der, "ssh": ssh}


def foreign_signed(body: dict[str, Any], alg: str, kid: str) -> str:
    """Signed by a key that is not ours, under our kid, with the algorithm named."""
    if alg.startswith(("RS", "PS")):
        private: Any = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        private = ec.generate_private_key(ec.SECP384R1() if alg == "ES384" else ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return str(jwt.encode(body, pem.decode(), algorithm=alg, headers={"kid": kid}))


def unsigned(body: dict[str, Any], alg: str = "none") -> str:
    return f"{part({'alg': alg, 'typ': 'JWT'})}.{part(body)}."


def with_payload(token: str, body: dict[str, Any]) -> str:
    """The same header and signature over a different payload."""
    head, _payload, signature = token.split(".")
    return f"{head}.{part(body)}.{signature}"


def with_flipped_signature(token: str) -> str:
    head, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[len(raw) // 2] ^= 0x01
    return f"{head}.{payload}.{part(bytes(raw))}"
