"""The agencies' own OpenID Connect providers that Homeward trusts, and their published keys."""

from __future__ import annotations

import http.client
import json
import logging
import math
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from flask import Flask, current_app
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from workflow.config import ConfigError

log = logging.getLogger(__name__)

# Asymmetric signatures only. PS256 is left out because python-jose cannot verify it.
Algorithm = Literal["RS256", "RS384", "RS512", "ES256", "ES384"]
MAX_JWKS_BYTES = 256 * 1024
LOOPBACK = "127.0.0.1"


class Provider(BaseModel):
    """One trusted provider: whose tokens, for which audience, signed how, for which agency."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100)
    issuer: str = Field(min_length=1, max_length=300)
    audience: str = Field(min_length=1, max_length=300)
    jwks: str = Field(min_length=1, max_length=1000)
    algorithms: tuple[Algorithm, ...] = Field(min_length=1)
    agency: str = Field(min_length=1, max_length=200)
    subject_claim: str = Field(default="sub", min_length=1, max_length=100)

    @field_validator("jwks")
    @classmethod
    def _jwks_source(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname == LOOPBACK):
            return value
        if parts.scheme or not Path(value).is_absolute():
            raise ValueError("must be an https URL or an absolute file path")
        return value


class ProvidersFile(BaseModel):
    """The OIDC_PROVIDERS file."""

    model_config = ConfigDict(extra="forbid")

    providers: tuple[Provider, ...]

    @field_validator("providers")
    @classmethod
    def _distinct(cls, value: tuple[Provider, ...]) -> tuple[Provider, ...]:
        for attribute in ("name", "issuer"):
            if len({getattr(p, attribute) for p in value}) != len(value):
                raise ValueError(f"two providers share one {attribute}")
        return value


class JwksUnavailable(Exception):
    """A provider's key set could not be read, or is not a key set."""


@dataclass
class _KeySet:
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    fetched_at: float = -math.inf
    refetched_at: float = -math.inf
    failed_at: float = -math.inf


class TrustedProviders:
    """The configured providers by issuer, and their key sets, cached and refetched sparingly."""

    def __init__(self, providers: tuple[Provider, ...], settings: dict[str, Any]) -> None:
        self.by_issuer = {provider.issuer: provider for provider in providers}
        self._cache_seconds = float(settings["OIDC_JWKS_CACHE_SECONDS"])
        self._refetch_seconds = float(settings["OIDC_JWKS_REFETCH_SECONDS"])
        self._timeout = float(settings["OIDC_JWKS_TIMEOUT_SECONDS"])
        self._lock = threading.Lock()
        self._sets: dict[str, _KeySet] = {}

    def provider(self, issuer: object) -> Provider | None:
        """The provider whose issuer this is, exactly, if one is configured."""
        return self.by_issuer.get(issuer) if isinstance(issuer, str) else None

    def public_jwk(self, provider: Provider, kid: str) -> dict[str, Any] | None:
        """The provider's key with this kid; an unknown kid refetches the set, at most so often."""
        with self._lock:
            now = time.monotonic()
            entry = self._sets.setdefault(provider.name, _KeySet())
            if now - entry.fetched_at > self._cache_seconds:
                # An expired set is not trusted: removing a key is how a provider revokes it.
                entry.keys = {}
                self._fetch(provider, entry, now)
            elif kid not in entry.keys and now - entry.refetched_at > self._refetch_seconds:
                entry.refetched_at = now
                self._fetch(provider, entry, now)
            return entry.keys.get(kid)

    def _fetch(self, provider: Provider, entry: _KeySet, now: float) -> None:
        if now - entry.failed_at < self._refetch_seconds:
            return  # it failed a moment ago: do not hold every request up retrying it
        try:
            entry.keys = read_key_set(provider.jwks, self._timeout)
            entry.fetched_at = now
        except JwksUnavailable as error:
            entry.failed_at = now
            log.warning("identity provider %s: key set unavailable: %s", provider.name, error)


def init_app(app: Flask) -> None:
    """Read the providers file now, so that a malformed one stops the service from starting."""
    path = app.config.get("OIDC_PROVIDERS")
    providers = load_providers(Path(path)) if path else ()
    if any(provider.issuer == app.config["JWT_ISSUER"] for provider in providers):
        raise ConfigError("OIDC_PROVIDERS: a provider cannot use Homeward's own issuer")
    app.extensions["homeward.oidc"] = TrustedProviders(providers, app.config)


def trusted() -> TrustedProviders:
    """This app's trusted providers."""
    providers: TrustedProviders = current_app.extensions["homeward.oidc"]
    return providers


def load_providers(path: Path) -> tuple[Provider, ...]:
    """Read and validate a providers file (YAML, or JSON, which YAML reads too)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"OIDC_PROVIDERS: cannot read {path}: {type(error).__name__}") from None
    try:
        return ProvidersFile.model_validate(raw).providers
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or '(file)'}: {item['msg']}"
            for item in error.errors(include_url=False)
        )
        raise ConfigError(f"OIDC_PROVIDERS: {path} is malformed: {problems}") from None


def read_key_set(source: str, timeout: float) -> dict[str, dict[str, Any]]:
    """Read a JWKS from a file or URL; return its keys by kid."""
    raw = _download(source, timeout) if urlsplit(source).scheme else _read_file(Path(source))
    if len(raw) > MAX_JWKS_BYTES:
        raise JwksUnavailable("larger than a key set should be")
    try:
        body = json.loads(raw)
    except ValueError:
        raise JwksUnavailable("not JSON") from None
    keys = body.get("keys") if isinstance(body, dict) else None
    if not isinstance(keys, list):
        raise JwksUnavailable("no list of keys")
    entries = [key for key in keys if isinstance(key, dict) and isinstance(key.get("kid"), str)]
    listed = Counter(key["kid"] for key in entries)
    # A kid listed twice names no one key, so neither is used.
    return {key["kid"]: key for key in entries if listed[key["kid"]] == 1}


def _read_file(path: Path) -> bytes:
    try:
        with path.open("rb") as stream:
            return stream.read(MAX_JWKS_BYTES + 1)
    except OSError as error:
        raise JwksUnavailable(type(error).__name__) from None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect could lead from https to plain http, or to another host


def _download(url: str, timeout: float) -> bytes:
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(url, timeout=timeout) as response:
            return bytes(response.read(MAX_JWKS_BYTES + 1))
    except (OSError, ValueError, http.client.HTTPException) as error:
        raise JwksUnavailable(type(error).__name__) from None
