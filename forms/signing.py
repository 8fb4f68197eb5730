"""The service's form-signing certificate, and PAdES signatures made with it by pyHanko."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import current_app
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper, TimestampRequestError

from workflow.config import ConfigError
from workflow.errors import TimestampUnavailable

FIELD_NAME = "HomewardSignature"
DEVELOPMENT_YEARS = 5


def form_signer() -> signers.SimpleSigner:
    """Load the signer on first use; a development instance makes its own certificate."""
    signer: signers.SimpleSigner | None = current_app.extensions.get("homeward.form_signer")
    if signer is None:
        key_file = Path(current_app.config["FORM_SIGNING_KEY_FILE"])
        cert_file = Path(current_app.config["FORM_SIGNING_CERT_FILE"])
        if not key_file.exists() and current_app.config["ENV"] != "production":
            create_certificate(key_file, cert_file)
        signer = current_app.extensions["homeward.form_signer"] = load(key_file, cert_file)
    return signer


def load(key_file: Path, cert_file: Path) -> signers.SimpleSigner:
    if not key_file.exists() or not cert_file.exists():
        raise ConfigError(
            f"no form-signing key and certificate at {key_file} and {cert_file}: "
            "set HOMEWARD_FORM_SIGNING_KEY_FILE and HOMEWARD_FORM_SIGNING_CERT_FILE"
        )
    signer: signers.SimpleSigner | None = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
        str(key_file), str(cert_file)
    )
    if signer is None:
        raise ConfigError(f"{key_file.name} and {cert_file.name} are not a key and its certificate")
    return signer


def create_certificate(key_file: Path, cert_file: Path) -> None:
    """Make a self-signed P-256 certificate for development; production gets one from its PKI."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Homeward"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Homeward form signing (development)"),
        ]
    )
    now = datetime.now(UTC)
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * DEVELOPMENT_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    keep(key, certificate, key_file, cert_file)


def keep(
    key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate, key_file: Path, cert_file: Path
) -> None:
    """Write a signing key, readable only by its owner, and its certificate, both as PEM."""
    key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key_file.touch(mode=0o600)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def certificate_pem() -> bytes:
    """Return the certificate a reader trusts to see Homeward's signatures as valid."""
    form_signer()
    return Path(current_app.config["FORM_SIGNING_CERT_FILE"]).read_bytes()


def form_timestamper() -> TimeStamper | None:
    """The client of the configured timestamp authority, made once; None when none is set."""
    url = current_app.config.get("TIMESTAMP_URL")
    if not url:
        return None
    timestamper: TimeStamper | None = current_app.extensions.get("homeward.form_timestamper")
    if timestamper is None:
        user = current_app.config.get("TIMESTAMP_USERNAME")
        password = current_app.config.get("TIMESTAMP_PASSWORD") or ""
        timestamper = HTTPTimeStamper(
            url,
            timeout=int(current_app.config["TIMESTAMP_TIMEOUT_SECONDS"]),
            auth=(user, password) if user else None,
        )
        current_app.extensions["homeward.form_timestamper"] = timestamper
    return timestamper


def sign(pdf: bytes, signer: signers.SimpleSigner, timestamper: TimeStamper | None = None) -> bytes:
    """Sign every byte of the PDF with a PAdES signature, added as an incremental update; with a
    timestamper, the signature carries the authority's token of when it was made (PAdES B-T)."""
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason="Issued by Homeward",
    )
    output = io.BytesIO()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    try:
        signers.PdfSigner(metadata, signer=signer, timestamper=timestamper).sign_pdf(
            writer, output=output
        )
    except TimestampRequestError as error:
        raise TimestampUnavailable(
            "The timestamp authority did not answer; no form was issued. Try again later."
        ) from error
    return output.getvalue()
