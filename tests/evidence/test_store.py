"""The document stores, a folder and an S3 bucket (moto's real HTTP server on loopback): what
they keep, what they refuse, and a document's round trip through the API into the bucket."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.factories import Api, sample_pdf
from workflow.evidence.store import (
    BucketStore,
    DocumentStore,
    FolderStore,
    MissingObject,
    new_name,
    open_store,
)

PREFIX = "sealed/documents"
NOT_NAMES = [
    pytest.param("../x", id="parent-folder"),
    pytest.param("../" + "a" * 45, id="parent-folder-of-name-length"),
    pytest.param("/" + "a" * 47, id="absolute-path"),
    pytest.param("a" * 46 + "/x", id="sub-folder"),
    pytest.param("a" * 47, id="too-short"),
    pytest.param("a" * 49, id="too-long"),
    pytest.param("A" * 48, id="upper-case-hex"),
    pytest.param("g" * 48, id="not-hex"),
    pytest.param("１" * 48, id="full-width-digits"),  # str.isdigit() says yes; not hex
    pytest.param("", id="empty"),
]


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """An S3 endpoint on loopback, served by moto in a thread of this process."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A client of that endpoint, with made-up credentials that never leave the machine."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return boto3.client("s3", endpoint_url=s3_endpoint)


@pytest.fixture
def bucket(s3: Any) -> str:
    """A new, empty bucket of this test's own."""
    name = f"homeward-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture(params=["folder", "bucket"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> DocumentStore:
    if request.param == "folder":
        return FolderStore(tmp_path / "documents")
    endpoint = request.getfixturevalue("s3_endpoint")
    return BucketStore(request.getfixturevalue("bucket"), f"{PREFIX}/", endpoint)


def test_what_is_put_is_got_back_until_it_is_deleted(store: DocumentStore) -> None:
    first, second = new_name(), new_name()
    store.put(first, b"sealed one")
    store.put(second, b"sealed two")
    assert store.get(first) == b"sealed one"
    assert sorted(store.names()) == sorted([first, second])
    store.delete(first)
    assert list(store.names()) == [second]
    with pytest.raises(MissingObject):
        store.get(first)


def test_putting_a_name_again_replaces_the_object(store: DocumentStore) -> None:
    name = new_name()
    store.put(name, b"sealed under the old key")
    store.put(name, b"sealed under the new key")
    assert store.get(name) == b"sealed under the new key"
    assert list(store.names()) == [name]


def test_a_name_never_stored_is_missing_and_deleting_it_is_harmless(store: DocumentStore) -> None:
    name = new_name()
    with pytest.raises(MissingObject):
        store.get(name)
    store.delete(name)
    assert list(store.names()) == []


@pytest.mark.parametrize("name", NOT_NAMES)
def test_anything_but_a_store_name_is_refused(store: DocumentStore, name: str) -> None:
    with pytest.raises(ValueError, match="not a document store name"):
        store.put(name, b"sealed")
    with pytest.raises(ValueError, match="not a document store name"):
        store.get(name)
    with pytest.raises(ValueError, match="not a document store name"):
        store.delete(name)
    assert list(store.names()) == []


@pytest.mark.parametrize("name", NOT_NAMES)
def test_a_refused_name_never_reaches_the_filesystem(tmp_path: Path, name: str) -> None:
    (tmp_path / "x").write_bytes(b"a file beside the store")
    store = FolderStore(tmp_path / "instance" / "documents")
    for attempt in (lambda: store.put(name, b"sealed"), lambda: store.delete(name)):
        with pytest.raises(ValueError):
            attempt()
    assert [path.name for path in tmp_path.rglob("*")] == ["x"]
    assert (tmp_path / "x").read_bytes() == b"a file beside the store"


@pytest.mark.parametrize("name", NOT_NAMES)
def test_a_refused_name_never_reaches_the_bucket(s3_endpoint: str, bucket: str, name: str) -> None:
    store = BucketStore(bucket, f"{PREFIX}/", s3_endpoint)
    sent: list[object] = []
    store.client.meta.events.register("before-send.s3", lambda request, **_: sent.append(request))
    for attempt in (
        lambda: store.put(name, b"sealed"),
        lambda: store.get(name),
        lambda: store.delete(name),
    ):
        with pytest.raises(ValueError):
            attempt()
    assert sent == []


def test_a_stored_file_is_readable_by_the_service_alone(tmp_path: Path) -> None:
    store, name = FolderStore(tmp_path / "documents"), new_name()
    store.put(name, b"sealed")
    path = tmp_path / "documents" / name[:2] / name
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_a_stored_file_leaves_no_partial_copy_behind(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "documents")
    for _ in range(3):
        store.put(new_name(), b"sealed")
    files = [path for path in (tmp_path / "documents").rglob("*") if path.is_file()]
    assert len(files) == 3
    assert not [path for path in files if path.suffix == ".partial"]


def test_a_write_that_fails_never_shows_a_half_written_object(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, name = FolderStore(tmp_path / "documents"), new_name()

    def disk_fails(_descriptor: int) -> None:
        raise OSError("no space left on device")

    monkeypatch.setattr(os, "fsync", disk_fails)
    with pytest.raises(OSError, match="no space"):
        store.put(name, b"sealed")
    with pytest.raises(MissingObject):
        store.get(name)
    assert list(store.names()) == []


@pytest.mark.parametrize(
    ("location", "kind", "prefix"),
    [
        ("s3://homeward-docs", BucketStore, ""),
        ("s3://homeward-docs/sealed", BucketStore, "sealed/"),
        ("s3://homeward-docs/sealed/documents/", BucketStore, "sealed/documents/"),
        ("/var/lib/homeward/documents", FolderStore, None),
    ],
)
def test_the_configured_location_opens_its_store(
    s3: Any, location: str, kind: type, prefix: str | None
) -> None:
    # `s3` sets the region and credentials boto3 needs to build a client; nothing is sent.
    store = open_store(location, "http://127.0.0.1:9")
    assert isinstance(store, kind)
    if isinstance(store, BucketStore):
        assert (store.bucket, store.prefix) == ("homeward-docs", prefix)


@pytest.fixture
def app_config(s3_endpoint: str, bucket: str) -> dict[str, Any]:
    """The app keeps its documents in this test's bucket rather than in a folder."""
    return {"DOCUMENT_STORE": f"s3://{bucket}/{PREFIX}", "S3_ENDPOINT_URL": s3_endpoint}


def test_a_document_goes_to_the_bucket_sealed_and_comes_back_whole(
    api: Api, s3: Any, bucket: str, tmp_path: Path
) -> None:
    case = api.create_case()
    pdf = sample_pdf("Birth record of Aliya Nurgalieva, Raqqa")
    uploaded = api.upload("lawyer", case["id"], "identity_record", pdf)
    assert uploaded.status_code == 201, uploaded.json
    downloaded = api.get("lawyer", f"/api/v1/documents/{uploaded.json['id']}")
    assert downloaded.status_code == 200, downloaded.json
    assert downloaded.data == pdf
    [stored] = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert stored["Key"].startswith(f"{PREFIX}/")
    assert len(stored["Key"].removeprefix(f"{PREFIX}/")) == 48
    blob = s3.get_object(Bucket=bucket, Key=stored["Key"])["Body"].read()
    assert len(blob) > len(pdf)
    assert b"%PDF" not in blob
    assert b"Nurgalieva" not in blob
    assert not (tmp_path / "instance" / "documents").exists()


def test_a_document_lost_from_the_bucket_is_an_integrity_failure(
    api: Api, s3: Any, bucket: str
) -> None:
    case = api.create_case()
    uploaded = api.upload("lawyer", case["id"], "identity_record", sample_pdf())
    assert uploaded.status_code == 201, uploaded.json
    [stored] = s3.list_objects_v2(Bucket=bucket)["Contents"]
    s3.delete_object(Bucket=bucket, Key=stored["Key"])
    downloaded = api.get("lawyer", f"/api/v1/documents/{uploaded.json['id']}")
    assert downloaded.status_code == 500
    assert downloaded.json["error"]["code"] == "integrity_failure"
