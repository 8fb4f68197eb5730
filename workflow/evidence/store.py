"""Where sealed document bytes live: a folder outside the web root, or an S3-compatible bucket.

Objects are named by random ids that say nothing about the case or the document, and hold only
ciphertext; the database row of each document knows its name.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from flask import current_app

NAME_BYTES = 24


class DocumentStore(Protocol):
    def put(self, name: str, data: bytes) -> None: ...
    def get(self, name: str) -> bytes: ...
    def delete(self, name: str) -> None: ...
    def names(self) -> Iterator[str]: ...


class MissingObject(Exception):
    """The store has no object of that name."""


def new_name() -> str:
    return secrets.token_hex(NAME_BYTES)


def _is_name(name: str) -> bool:
    return len(name) == 2 * NAME_BYTES and all(c in "0123456789abcdef" for c in name)


def _checked(name: str) -> str:
    if not _is_name(name):
        raise ValueError("not a document store name")
    return name


class FolderStore:
    """Sealed objects as files, two levels of fan-out deep, written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, name: str) -> Path:
        name = _checked(name)
        return self.root / name[:2] / name

    def put(self, name: str, data: bytes) -> None:
        path = self._path(name)
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.parent.mkdir(exist_ok=True, mode=0o700)
        partial = path.with_suffix(".partial")
        try:
            with open(partial, "wb", opener=lambda p, f: os.open(p, f, 0o600)) as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)  # a failed write (a full disk) leaves nothing behind

    def get(self, name: str) -> bytes:
        try:
            return self._path(name).read_bytes()
        except FileNotFoundError:
            raise MissingObject(name) from None

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def names(self) -> Iterator[str]:
        if self.root.is_dir():
            for path in sorted(self.root.glob("??/*")):
                if _is_name(path.name):
                    yield path.name


class BucketStore:
    """Sealed objects in an S3-compatible bucket, under a prefix."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None) -> None:
        import boto3

        self.bucket = bucket
        self.prefix = prefix
        self.client: Any = boto3.client("s3", endpoint_url=endpoint_url)

    def put(self, name: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + _checked(name), Body=data)

    def get(self, name: str) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + _checked(name))
        except self.client.exceptions.NoSuchKey:
            raise MissingObject(name) from None
        return bytes(answer["Body"].read())

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + _checked(name))

    def names(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                name = str(item["Key"])[len(self.prefix) :]
                if _is_name(name):  # not another application's object sharing the bucket
                    yield name


def open_store(location: str, endpoint_url: str | None = None) -> DocumentStore:
    """A folder path, or `s3://bucket/prefix`."""
    if location.startswith("s3://"):
        bucket, _, prefix = location.removeprefix("s3://").partition("/")
        return BucketStore(bucket, prefix.rstrip("/") + "/" if prefix else "", endpoint_url)
    return FolderStore(Path(location))


def document_store() -> DocumentStore:
    """The app's document store, opened once."""
    store: DocumentStore | None = current_app.extensions.get("homeward.documents")
    if store is None:
        store = open_store(
            current_app.config["DOCUMENT_STORE"], current_app.config["S3_ENDPOINT_URL"]
        )
        current_app.extensions["homeward.documents"] = store
    return store
