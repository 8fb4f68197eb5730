"""Encryption at rest: AES-256-GCM under data keys chosen by key id, and blind search tokens.

Every sealed value carries the id of the key that sealed it, so `homeward keys rotate-data` can add
a key and re-seal old values while both keys still open them. A value is bound to where it belongs
(a column, or a document's id) through the cipher's associated data: moved elsewhere, or changed
by one bit, it fails to open with `Tampered`, never as garbage.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from workflow.config import ConfigError
from workflow.errors import IntegrityFailure
from workflow.key_folders import keys_in
from workflow.text import search_key

MAGIC = b"HW1"
NONCE_BYTES = 12
KEY_SUFFIX = ".key"
INDEX_KEY_FILE = "search-index.secret"
TOKEN_HEX = 16  # 64 bits of HMAC per search token
SHORTEST_PREFIX = 2
Opened = TypeVar("Opened")  # what opening a sealed value gives: text or bytes


class Tampered(IntegrityFailure):
    """A sealed value failed authentication: changed, moved, truncated or sealed by another key."""

    def __init__(self, reason: str) -> None:
        super().__init__("Stored data failed its integrity check.", {"reason": reason})


@dataclass(frozen=True)
class DataKeys:
    """Every data key that may open a value; the newest one seals."""

    keys: dict[str, bytes]
    index_key: bytes
    loaded_at: int = 0
    # Each key's cipher, made on first use: a case read opens a dozen values under one key.
    _ciphers: dict[str, AESGCM] = field(default_factory=dict, compare=False, repr=False)

    def _cipher(self, kid: str) -> AESGCM:
        cipher = self._ciphers.get(kid)
        if cipher is None:
            cipher = self._ciphers[kid] = AESGCM(self.keys[kid])
        return cipher

    @property
    def current(self) -> str:
        return max(self.keys)

    def seal(self, plaintext: bytes, context: str) -> bytes:
        kid = self.current
        nonce = os.urandom(NONCE_BYTES)
        header = MAGIC + bytes([len(kid)]) + kid.encode("ascii")
        sealed = self._cipher(kid).encrypt(nonce, plaintext, header + context.encode())
        return header + nonce + sealed

    def open(self, blob: bytes, context: str) -> bytes:
        kid, header, body = _split(blob)
        if kid not in self.keys:
            raise Tampered("sealed by a key this service does not hold")
        try:
            return self._cipher(kid).decrypt(
                body[:NONCE_BYTES], body[NONCE_BYTES:], header + context.encode()
            )
        except InvalidTag:
            raise Tampered("sealed value failed authentication") from None

    def seal_text(self, plain: str, context: str) -> str:
        """Seal text as a column stores it: base64 of the sealed bytes."""
        return base64.b64encode(self.seal(plain.encode(), context)).decode("ascii")

    def open_text(self, stored: str, context: str) -> str:
        try:
            blob = base64.b64decode(stored, validate=True)
        except ValueError:
            raise Tampered("not a sealed value") from None
        return self.open(blob, context).decode()

    def stored_key_id(self, stored: str) -> str:
        """The id of the key a column value as stored was sealed under."""
        try:
            return key_id(base64.b64decode(stored, validate=True))
        except ValueError:
            raise Tampered("not a sealed value") from None

    def search_tokens(self, *parts: str | None) -> list[str]:
        """Keyed digests of each folded word and its prefixes: searchable, not readable."""
        words = search_key(*parts).split()
        prefixes = {word[:end] for word in words for end in range(SHORTEST_PREFIX, len(word) + 1)}
        return sorted(self.token(prefix) for prefix in prefixes | set(words))

    def token(self, folded: str) -> str:
        digest = hmac.new(self.index_key, folded.encode(), hashlib.sha256).hexdigest()
        return digest[:TOKEN_HEX]


def name_tokens(*parts: str | None) -> str:
    """What a name's search key column holds: its blind tokens, space-separated and padded."""
    return f" {' '.join(data_keys().search_tokens(*parts))} "


def key_id(blob: bytes) -> str:
    """The id of the key that sealed a value."""
    return _split(blob)[0]


def _split(blob: bytes) -> tuple[str, bytes, bytes]:
    if len(blob) < len(MAGIC) + 1 or not blob.startswith(MAGIC):
        raise Tampered("not a sealed value")
    size = blob[len(MAGIC)]
    end = len(MAGIC) + 1 + size
    if len(blob) < end + NONCE_BYTES + 16:
        raise Tampered("sealed value is truncated")
    return blob[len(MAGIC) + 1 : end].decode("ascii", "replace"), blob[:end], blob[end:]


def load(directory: Path) -> DataKeys:
    """Read every data key in a directory, and the search index key."""
    paths = sorted(directory.glob(f"*{KEY_SUFFIX}")) if directory.is_dir() else []
    if not paths:
        raise ConfigError(
            f"no data key in HOMEWARD_DATA_KEYS_DIR ({directory}): run `homeward keys "
            "rotate-data` once, with the folder every instance reads"
        )
    keys = {path.stem: _read_key(path) for path in paths}
    index = directory / INDEX_KEY_FILE
    if not index.is_file():
        raise ConfigError(f"no search index key: {INDEX_KEY_FILE} is missing beside the data keys")
    return DataKeys(keys, _read_key(index), directory.stat().st_mtime_ns)


def create(directory: Path) -> str:
    """Add a new data key (and the search index key, the first time); return its id."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    index = directory / INDEX_KEY_FILE
    if not index.exists():
        _write_key(index)
    kid = f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}-{secrets.token_hex(4)}"
    _write_key(directory / f"{kid}{KEY_SUFFIX}")
    return kid


def _write_key(path: Path) -> None:
    """Write a new random key whole, so a process reading the folder never sees half of it."""
    partial = path.with_name(path.name + ".partial")
    partial.touch(mode=0o600, exist_ok=False)
    partial.write_text(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
    partial.replace(path)


def _read_key(path: Path) -> bytes:
    try:
        key = base64.b64decode(path.read_text().strip(), validate=True)
    except (OSError, ValueError) as error:
        raise ConfigError(f"data key {path.name} cannot be read: {type(error).__name__}") from None
    if len(key) != 32:
        raise ConfigError(f"data key {path.name} is not a 256-bit key")
    return key


def data_keys(*, fresh: bool = False) -> DataKeys:
    """The app's data keys, read on first use and again when a key is added; `fresh`: looked
    for again even where this request has looked already (`keys_in`)."""
    return keys_in(
        "homeward.data_keys", "DATA_KEYS_DIR", f"*{KEY_SUFFIX}", create, load, again=fresh
    )


def with_keys(use: Callable[[DataKeys], Opened]) -> Opened:
    """`use` (an opening) on the data keys; if it meets a value they cannot open, once more on
    the keys as they are now: `rotate-data` may have added a key and re-sealed the value since
    this request looked, and that is no tampering."""
    try:
        return use(data_keys())
    except Tampered:
        return use(data_keys(fresh=True))


class Sealed(TypeDecorator[Any]):
    """A column stored sealed, as text: a string, a date or a JSON value in Python."""

    impl = Text
    cache_ok = True

    def __init__(self, context: str, kind: str = "text") -> None:
        super().__init__()
        self.context = context
        self.kind = kind

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        # Sealed under the newest key there is, as `rotate-data` expects of what is written.
        return data_keys(fresh=True).seal_text(encode(value, self.kind), self.context)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return decode(with_keys(lambda keys: keys.open_text(value, self.context)), self.kind)


def encode(value: Any, kind: str) -> str:
    """A column's Python value as the text that is sealed."""
    if kind == "date":
        return str(value.isoformat())
    if kind == "json":
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return str(value)


def decode(text: str, kind: str) -> Any:
    if kind == "date":
        return date.fromisoformat(text)
    if kind == "json":
        return json.loads(text)
    return text
