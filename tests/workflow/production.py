"""A production instance for tests: its settings, keys and certificate as an operator would give
them, and on PostgreSQL a runtime role that does not own the schema."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import make_url

from audit import signing
from forms.signing import keep
from workflow import database_roles, db, sealing
from workflow.identity import keys

SECRET = "a web secret every instance shares, 48 characters"


def production_settings(instance: Path, database_url: str) -> dict[str, Any]:
    """Settings that pass every check on settings: a shared secret, https, hashing at the floor."""
    return {
        "ENV": "production",
        "DATABASE_URL": database_url,
        "WEB_SECRET_KEY": SECRET,
        "PUBLIC_URL": "https://homeward.example.org",
        "ARGON2_MEMORY_KIB": 19 * 1024,
        "ARGON2_TIME_COST": 2,
        "KEYS_DIR": str(instance / "keys"),
        "DATA_KEYS_DIR": str(instance / "data-keys"),
        "FORM_SIGNING_KEY_FILE": str(instance / "forms.key"),
        "FORM_SIGNING_CERT_FILE": str(instance / "forms.crt"),
        "AUDIT_KEY_FILE": str(instance / "audit.key"),
    }


def give_keys(settings: dict[str, Any]) -> None:
    """What the deployment guide has an operator make once: keys, and a certificate from a PKI."""
    keys.create(Path(settings["KEYS_DIR"]))
    sealing.create(Path(settings["DATA_KEYS_DIR"]))
    signing.generate(Path(settings["AUDIT_KEY_FILE"]))
    issue_certificate(
        Path(settings["FORM_SIGNING_KEY_FILE"]), Path(settings["FORM_SIGNING_CERT_FILE"])
    )


def issue_certificate(key_file: Path, cert_file: Path) -> None:
    """A document-signing certificate as a ministry's PKI would issue it (here by a test CA)."""
    key = ec.generate_private_key(ec.SECP256R1())
    authority = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Ministry CA")])
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Homeward form signing")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(authority)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    keep(key, certificate, key_file, cert_file)


@contextmanager
def runtime_url(database_url: str) -> Iterator[str]:
    """The database as the runtime role sees it: on PostgreSQL a new role given its rights by
    `homeward db grant` (dropped afterwards); SQLite has no roles, so the same file."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield database_url
        return
    role = f"homeward_runtime_{uuid.uuid4().hex[:8]}"
    owner = db.build_engine(database_url)
    with owner.begin() as connection:
        connection.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN')
    try:
        database_roles.grant_runtime(owner, role)
        yield url.set(username=role, password=None).render_as_string(hide_password=False)
    finally:
        with owner.begin() as connection:
            connection.exec_driver_sql(f'DROP OWNED BY "{role}"')
            connection.exec_driver_sql(f'DROP ROLE "{role}"')
        owner.dispose()
