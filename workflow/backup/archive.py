"""Backup archives: one stream sealed in AES-256-GCM chunks under the backup key.

The chunks follow the STREAM construction (Hoang, Reyhanitabar, Rogaway and Vizár, 2015), as age
and Tink do; `cryptography` has the cipher but not the framing, hence these few lines. A key is
derived for each archive from a random salt, and each chunk's nonce holds its index and whether it
is the last, so a chunk changed, moved, dropped or cut off fails to open.
"""

from __future__ import annotations

import base64
import hmac
import io
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from workflow.config import ConfigError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

MAGIC = b"HOMEWARD-BACKUP\x01"
SALT_BYTES = 32
CHECK_BYTES = 16
HEADER_BYTES = len(MAGIC) + SALT_BYTES + CHECK_BYTES
CHUNK = 64 * 1024
TAG_BYTES = 16


class NotAnArchive(Exception):
    """The file is not a Homeward backup at all."""


class Damaged(Exception):
    """The archive fails authentication: changed, cut short, or made with another backup key."""


def backup_key(create: bool) -> bytes:
    """The backup key from HOMEWARD_BACKUP_KEY_FILE; made on first use outside production."""
    path = Path(current_app.config["BACKUP_KEY_FILE"])
    if create and not path.exists() and current_app.config["ENV"] != "production":
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.touch(mode=0o600, exist_ok=False)
        path.write_text(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
    try:
        key = base64.b64decode(path.read_text().strip(), validate=True)
    except FileNotFoundError:
        raise ConfigError(
            f"no backup key at {path}: set HOMEWARD_BACKUP_KEY_FILE to a file holding 32 random "
            "bytes in base64 (`openssl rand -base64 32`), kept apart from the backups"
        ) from None
    except (OSError, ValueError) as error:
        raise ConfigError(f"the backup key cannot be read: {type(error).__name__}") from None
    if len(key) != 32:
        raise ConfigError("the backup key is not a 256-bit key")
    return key


class SealedWriter:
    """Write a stream to `out` in sealed chunks; `close()` seals the last one."""

    def __init__(self, out: BinaryIO, key: bytes) -> None:
        salt = os.urandom(SALT_BYTES)
        chunk_key, check = _derive(key, salt)
        self._header = MAGIC + salt + check
        self._cipher = AESGCM(chunk_key)
        self._out = out
        self._buffer = bytearray()
        self._index = 0
        out.write(self._header)

    def write(self, data: bytes) -> None:
        self._buffer += data
        start = 0
        with memoryview(self._buffer) as view:
            # Strictly more than a chunk: whatever is left at close is sealed as the last one.
            while len(self._buffer) - start > CHUNK:
                self._seal(view[start : start + CHUNK], final=False)
                start += CHUNK
        del self._buffer[:start]

    def close(self) -> None:
        self._seal(self._buffer, final=True)
        self._buffer = bytearray()

    def _seal(self, plain: bytes | bytearray | memoryview, final: bool) -> None:
        self._out.write(self._cipher.encrypt(_nonce(self._index, final), plain, self._header))
        self._index += 1


def open_archive(source: BinaryIO, key: bytes) -> io.BufferedReader:
    """The archive's plain stream; reading raises `Damaged` at the first chunk that fails."""
    header = _read(source, HEADER_BYTES)
    if len(header) < HEADER_BYTES or not header.startswith(MAGIC):
        raise NotAnArchive("not a Homeward backup")
    chunk_key, check = _derive(key, header[len(MAGIC) : len(MAGIC) + SALT_BYTES])
    if not hmac.compare_digest(check, header[-CHECK_BYTES:]):
        raise Damaged("the archive was made with another backup key, or its header was changed")
    return io.BufferedReader(_ChunkReader(_chunks(source, AESGCM(chunk_key), header)))


def _chunks(source: BinaryIO, cipher: AESGCM, header: bytes) -> Iterator[bytes]:
    pending, index = _read(source, CHUNK + TAG_BYTES), 0
    while True:
        following = _read(source, CHUNK + TAG_BYTES)
        try:
            yield cipher.decrypt(_nonce(index, final=not following), pending, header)
        except InvalidTag:
            raise Damaged(f"the archive was changed or cut short (at chunk {index})") from None
        if not following:
            return
        pending, index = following, index + 1


class _ChunkReader(io.RawIOBase):
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._left = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        while not self._left:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._left = memoryview(chunk)
        with memoryview(buffer) as target:
            size = min(len(target), len(self._left))
            target[:size] = self._left[:size]
        self._left = self._left[size:]
        return size


def _derive(key: bytes, salt: bytes) -> tuple[bytes, bytes]:
    """The archive's own chunk key, and a check value that tells a wrong backup key apart."""
    derived = HKDF(SHA256(), 32 + CHECK_BYTES, salt, b"homeward backup v1").derive(key)
    return derived[:32], derived[32:]


def _nonce(index: int, final: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


def _read(source: BinaryIO, size: int) -> bytes:
    parts, left = [], size
    while left and (part := source.read(left)):
        parts.append(part)
        left -= len(part)
    return b"".join(parts)
