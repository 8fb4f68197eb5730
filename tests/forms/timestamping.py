"""A local RFC 3161 timestamp authority for tests: a real HTTP server on 127.0.0.1, in a thread,
whose tokens pyHanko's own timestamping code signs with a certificate made here."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps import DummyTimeStamper


class Authority:
    """The test TSA's certificate and key, and whether it answers or fails."""

    def __init__(self) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.certificate = _tsa_certificate(key)
        der_key = key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        self.stamper = DummyTimeStamper(
            tsa_cert=self.asn1_certificate, tsa_key=keys.PrivateKeyInfo.load(der_key)
        )
        self.failing = False
        self.requests = 0

    @property
    def asn1_certificate(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.certificate.public_bytes(serialization.Encoding.DER))

    def answer(self, query: bytes) -> bytes:
        request = tsp.TimeStampReq.load(query)
        return bytes(self.stamper.request_tsa_response(request).dump())


def _tsa_certificate(key: rsa.RSAPrivateKey) -> x509.Certificate:
    """A self-signed certificate for timestamping only (critical extended key usage)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Homeward test TSA")])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )


def _handler(authority: Authority) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            authority.requests += 1
            query = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if authority.failing or self.headers.get("Content-Type") != (
                "application/timestamp-query"
            ):
                self.send_error(500)
                return
            reply = authority.answer(query)
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests read outcomes, not the server's log."""

    return Handler


@contextmanager
def serving(authority: Authority) -> Iterator[str]:
    """Serve the authority on a free local port; yield its URL; stop it afterwards."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(authority))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port_url() -> str:
    """The address of a port nothing listens on: a TSA that cannot be reached."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()
    return f"http://127.0.0.1:{port}/tsa"
