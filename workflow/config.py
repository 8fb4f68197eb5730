"""Configuration: defaults, then HOMEWARD_* environment variables, then a test override."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PREFIX = "HOMEWARD_"

DEFAULTS: dict[str, Any] = {
    "ENV": "development",
    "DATABASE_URL": None,  # SQLite in the instance folder when unset
    "PUBLIC_URL": "http://127.0.0.1:5000",
    "WORKFLOW": "default",
    "JWT_ISSUER": "homeward",
    "JWT_AUDIENCE": "homeward-api",
    "ACCESS_TOKEN_MINUTES": 10,
    "REFRESH_TOKEN_HOURS": 12,
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_KIB": 65536,
    "ARGON2_PARALLELISM": 4,
    "SESSION_IDLE_MINUTES": 30,  # a session unused this long ends
    "LOGIN_FREE_FAILURES": 5,  # failed sign-ins per account and address before waits begin
    "LOGIN_MAX_WAIT_MINUTES": 15,  # the longest wait a run of failures can impose
    "VERIFY_PER_MINUTE": 30,  # public form checks per client address per minute
    "TRUSTED_PROXY_HOPS": 0,  # reverse proxies in front whose X-Forwarded-For is believed
    "MAX_JSON_BYTES": 256 * 1024,
    "MAX_HEADER_BYTES": 16 * 1024,  # all request headers together, names and values
    "CORS_ORIGINS": "",  # comma-separated exact origins allowed to call the API from a browser
    "PAGE_SIZE_MAX": 100,
    "DEMO_PASSWORD": None,
    "KEYS_DIR": None,  # the instance folder's keys/ when unset
    "AUDIT_KEY_FILE": None,  # the instance folder's audit/checkpoint-key.pem when unset
    "WORKING_HOURS": "08-19",  # UTC hours; accesses outside them are reported to auditors
    "BURST_CASES": 20,  # reading more distinct cases than this within BURST_MINUTES is reported
    "BURST_MINUTES": 10,
    "DATA_KEYS_DIR": None,  # the instance folder's data-keys/ when unset
    "BACKUP_KEY_FILE": None,  # the instance folder's backup.key when unset
    "DOCUMENT_STORE": None,  # a folder (the instance folder's documents/ when unset) or s3://bucket
    "S3_ENDPOINT_URL": None,  # for an S3-compatible store other than AWS
    "MAX_DOCUMENT_BYTES": 20 * 1024 * 1024,
    "MAX_IMAGE_PIXELS": 60_000_000,
    "SANDBOX_CPU_SECONDS": 5,  # CPU time to check one uploaded file
    "SANDBOX_MEMORY_MIB": 1024,  # memory to check one uploaded file
    "SANDBOX_INFLATED_MIB": 64,  # how far a PDF's compressed contents may inflate when opened
    "BREAK_GLASS_MINUTES": 30,  # how long a case opened outside need-to-know stays readable
    "RETENTION_DAYS": 3650,  # how long a closed case is kept before it may be purged
    "FORM_LANGUAGES": "ru,en",  # the label sets printed on forms, in this order
    "FORM_SIGNING_KEY_FILE": None,  # the instance folder's forms/signing-key.pem when unset
    "FORM_SIGNING_CERT_FILE": None,  # the instance folder's forms/signing-cert.pem when unset
    "OIDC_PROVIDERS": None,  # a YAML or JSON file of the agencies' trusted identity providers
    "OIDC_JWKS_CACHE_SECONDS": 3600,  # how long a provider's fetched key set is trusted
    "OIDC_JWKS_REFETCH_SECONDS": 60,  # at most one early refetch per provider this often
    "OIDC_JWKS_TIMEOUT_SECONDS": 5,
    "WEB_SECRET_KEY": None,  # signs the web pages' session cookie; made in the instance folder
    "HEADER_SECONDS": 10,  # the longest a client may take to send a request's headers (then 408)
    "BODY_SECONDS": 60,  # the longest a client may take to send a request body (then 408)
    "SEND_SECONDS": 120,  # the longest a client may take to take in one response
    "GRACEFUL_SECONDS": 30,  # how long a stopping server lets requests under way finish
}

INTEGER_KEYS = {
    "ACCESS_TOKEN_MINUTES",
    "REFRESH_TOKEN_HOURS",
    "ARGON2_TIME_COST",
    "ARGON2_MEMORY_KIB",
    "ARGON2_PARALLELISM",
    "SESSION_IDLE_MINUTES",
    "LOGIN_FREE_FAILURES",
    "LOGIN_MAX_WAIT_MINUTES",
    "VERIFY_PER_MINUTE",
    "MAX_JSON_BYTES",
    "MAX_HEADER_BYTES",
    "PAGE_SIZE_MAX",
    "BURST_CASES",
    "BURST_MINUTES",
    "MAX_DOCUMENT_BYTES",
    "MAX_IMAGE_PIXELS",
    "SANDBOX_CPU_SECONDS",
    "SANDBOX_MEMORY_MIB",
    "SANDBOX_INFLATED_MIB",
    "BREAK_GLASS_MINUTES",
    "RETENTION_DAYS",
    "OIDC_JWKS_CACHE_SECONDS",
    "OIDC_JWKS_REFETCH_SECONDS",
    "OIDC_JWKS_TIMEOUT_SECONDS",
    "HEADER_SECONDS",
    "BODY_SECONDS",
    "SEND_SECONDS",
    "GRACEFUL_SECONDS",
}


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the service refuses to start."""


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Read HOMEWARD_* variables over the defaults, converting numbers."""
    environ = dict(os.environ) if environ is None else environ
    settings = dict(DEFAULTS)
    for key in DEFAULTS:
        raw = environ.get(PREFIX + key)
        if raw is None:
            continue
        settings[key] = _convert(key, raw)
    return settings


def _convert(key: str, raw: str) -> Any:
    if key not in INTEGER_KEYS:
        return raw
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{key} must be a whole number") from None
    if value <= 0:
        raise ConfigError(f"{PREFIX}{key} must be positive")
    return value


def instance_path(environ: dict[str, str] | None = None) -> Path:
    """Where the default database, signing keys and stored documents live."""
    environ = dict(os.environ) if environ is None else environ
    raw = environ.get(PREFIX + "INSTANCE_PATH")
    return Path(raw).resolve() if raw else Path.cwd() / "instance"


def default_database_url(instance: Path) -> str:
    """The embedded SQLite file inside the instance folder."""
    return f"sqlite:///{instance / 'homeward.sqlite3'}"
