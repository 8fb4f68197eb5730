"""`homeward backup` and `homeward restore`: a restored copy serves the same cases and verifies the
same audit chain; the archive reveals nothing; a damaged archive or a used database is refused."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from audit.models import AuditEvent
from tests.conftest import FAST_HASHING, PASSWORD, POSTGRES_URL
from tests.factories import Api, sample_pdf
from workflow import create_app, db, migrations, transactions
from workflow.backup import archive
from workflow.backup.rows import exported_rows, tables
from workflow.models import Case
from workflow.name_index import is_index_table
from workflow.rules import catalogue
from workflow.sealing import data_keys

SECRETS = ["Нұрғалиева", "Әлия", "عالية", "Nurgalieva", "Aliya", "Raqqa", "Almaty region"]
STEP_NOTE = "the mother phoned from Baghdad"
MATERNITY = {"relationship_tested": "maternity"}


def _invoke(runner: Any, *args: str) -> Any:
    return runner.invoke(args=list(args))


def _on(app: Any, *args: str) -> Any:
    """Run a command on this app (the test client keeps the first app's context pushed)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def _verify(app: Any) -> dict[str, Any]:
    result = _on(app, "audit", "verify", "--json")
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


@pytest.fixture
def backed_up(app: Any, api: Api, runner: Any, tmp_path: Path) -> dict[str, Any]:
    """A case with a document and steps, a signed checkpoint, and a backup taken after them."""
    case = api.create_case()
    mother = api.person(case, "mother")
    api.step("lawyer", case["id"], "dna", "request", {"reference_person": mother, **MATERNITY})
    document = api.upload("lawyer", case["id"], "identity_record", sample_pdf("Aliya Nurgalieva"))
    assert document.status_code == 201
    note = api.post(
        "lawyer",
        f"/api/v1/cases/{case['id']}/transitions",
        {
            "track": "parentage",
            "action": "file_petition",
            "data": {"grounds": "Camp records"},
            "note": STEP_NOTE,
        },
        **{"If-Match": f'"{api.case_version("lawyer", case["id"])}"'},
    )
    assert note.status_code == 200, note.json
    assert _invoke(runner, "audit", "checkpoint", "--out", str(tmp_path / "cp.json")).exit_code == 0
    seen = api.case("lawyer", case["id"])
    download = api.get("lawyer", f"/api/v1/documents/{document.json['id']}")
    assert download.status_code == 200
    out = tmp_path / "резервная копия ✓.hwbackup"
    result = _invoke(runner, "backup", "--out", str(out))
    assert result.exit_code == 0, result.output
    return {
        "case": seen,
        "document": (document.json["id"], download.data),
        "archive": out,
        "key": app.config["BACKUP_KEY_FILE"],
        "head": _verify(app),
    }


@pytest.fixture
def second_app(
    app: Any, migrated_template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """A second instance on a freshly migrated database, holding the first one's keys."""
    instance = tmp_path / "second-instance"
    with app.app_context():  # both keys are made on first use
        data_keys()
        archive.backup_key(create=True)
    shutil.copytree(app.config["DATA_KEYS_DIR"], instance / "data-keys")
    monkeypatch.setenv("HOMEWARD_INSTANCE_PATH", str(instance))
    second = create_app(
        {
            "DATABASE_URL": _second_database(migrated_template, tmp_path),
            "TESTING": True,
            "BACKUP_KEY_FILE": app.config["BACKUP_KEY_FILE"],
            "AUDIT_KEY_FILE": app.config["AUDIT_KEY_FILE"],
            **FAST_HASHING,
        }
    )
    with second.app_context(), transactions.unit_of_work() as session:
        catalogue.register_built_in(session)  # as `homeward db upgrade` does
    yield second
    second.extensions["homeward.engine"].dispose()


def _second_database(template: str, tmp_path: Path) -> str:
    if not POSTGRES_URL:
        source = make_url(template).database
        assert source is not None
        shutil.copy(source, tmp_path / "second.sqlite3")
        return f"sqlite:///{tmp_path / 'second.sqlite3'}"
    url = make_url(POSTGRES_URL)
    name = f"{url.database}_restored"
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    target = url.set(database=name).render_as_string(hide_password=False)
    engine = db.build_engine(target)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrations.upgrade(engine)
    engine.dispose()
    return target


def _rows(app: Any) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as stored (sealed values still sealed)."""
    with app.app_context(), app.extensions["homeward.engine"].connect() as connection:
        return {table.name: list(exported_rows(connection, table, 100)) for table in tables()}


def _documents(app: Any) -> dict[str, bytes]:
    root = Path(app.config["DOCUMENT_STORE"])
    return {path.name: path.read_bytes() for path in root.rglob("*") if path.is_file()}


def _is_empty(app: Any) -> bool:
    with app.app_context():
        session = transactions.session()
        events = session.scalar(select(func.count()).select_from(AuditEvent))
        cases = session.scalar(select(func.count()).select_from(Case))
    return events == 0 and cases == 0 and not _documents(app)


def test_a_restored_copy_serves_the_same_cases_and_verifies_the_same_chain(
    app: Any, backed_up: dict[str, Any], second_app: Any
) -> None:
    stored, head = _rows(app), backed_up["head"]
    restore = _on(second_app, "restore", str(backed_up["archive"]))
    assert restore.exit_code == 0, restore.output

    restored = _rows(second_app)
    for name in stored.keys() - {"audit_events", "audit_head"}:
        assert restored[name] == stored[name], name
    assert restored["audit_events"][:-1] == stored["audit_events"]
    backup_event = json.loads(stored["audit_events"][-1]["canonical"])
    restore_event = json.loads(restored["audit_events"][-1]["canonical"])
    assert backup_event["action"] == "admin.backup"
    assert restore_event["action"] == "admin.restore"
    assert restore_event["prev_hash"] == head["head"]["hash"]
    assert _documents(second_app) == _documents(app)

    verified = _verify(second_app)
    assert verified["ok"] is True and verified["events"] == head["events"] + 1
    assert verified["head"]["hash"] == restored["audit_events"][-1]["hash"]
    assert head["last_checkpoint"] is not None
    assert verified["last_checkpoint"] == head["last_checkpoint"]

    api = Api(second_app.test_client(), PASSWORD)
    case = backed_up["case"]
    assert api.case("lawyer", case["id"]) == case
    document_id, content = backed_up["document"]
    download = api.get("lawyer", f"/api/v1/documents/{document_id}")
    assert download.status_code == 200 and download.data == content
    found = api.get("lawyer", "/api/v1/cases", query_string={"q": "Nurgal"}).json
    assert [each["id"] for each in found["cases"]] == [case["id"]]
    assert api.create_case()["id"] != case["id"]  # and goes on from where the backup stood


def test_the_archive_holds_no_name_document_or_table_in_the_clear(
    backed_up: dict[str, Any],
) -> None:
    content = backed_up["archive"].read_bytes()
    assert content.startswith(archive.MAGIC)
    for secret in [*SECRETS, STEP_NOTE, "person_names", "audit_events", "lawyer"]:
        assert secret.encode() not in content, secret
    assert b"%PDF" not in content


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Archives of many chunks, so that a cut can fall between two of them."""
    monkeypatch.setattr(archive, "CHUNK", 1024)


def _rechunked(pick: Callable[[list[bytes]], list[bytes]]) -> Callable[[bytes], bytes]:
    """A damage done to the archive's sealed chunks as wholes: dropped, moved or cut after."""

    def damage(content: bytes) -> bytes:
        size, start = archive.CHUNK + archive.TAG_BYTES, archive.HEADER_BYTES
        chunks = [content[at : at + size] for at in range(start, len(content), size)]
        return content[:start] + b"".join(pick(chunks))

    return damage


DAMAGES = {
    "flipped": lambda c: c[:200] + bytes([c[200] ^ 1]) + c[201:],
    "last-byte": lambda c: c[:-1] + bytes([c[-1] ^ 0x80]),
    "short-by-one": lambda c: c[:-1],
    "halved": lambda c: c[: len(c) // 2],
    "chunk-boundary": _rechunked(lambda chunks: chunks[:3]),
    "reordered": _rechunked(lambda chunks: [chunks[0], chunks[2], chunks[1], *chunks[3:]]),
    "chunk-dropped": _rechunked(lambda chunks: [chunks[0], *chunks[2:]]),
    "appended": lambda c: c + b"\x00",
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_damaged_archive_is_refused_and_nothing_is_written(
    small_chunks: None, backed_up: dict[str, Any], second_app: Any, damage: Any
) -> None:
    path = backed_up["archive"]
    whole = path.read_bytes()
    assert len(whole) > archive.HEADER_BYTES + 4 * archive.CHUNK
    path.write_bytes(damage(whole))
    result = _on(second_app, "restore", str(path))
    assert result.exit_code == 1, result.output
    assert "changed or cut short" in result.output and "nothing was written" in result.output
    assert "Traceback" not in result.output
    assert _is_empty(second_app)


def test_an_archive_opens_only_with_its_backup_key(
    backed_up: dict[str, Any], second_app: Any, tmp_path: Path
) -> None:
    path, other = backed_up["archive"], tmp_path / "other.key"
    other.write_text("QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=\n")
    second_app.config["BACKUP_KEY_FILE"] = str(other)
    result = _on(second_app, "restore", str(path))
    assert result.exit_code == 1 and "another backup key" in result.output
    second_app.config["BACKUP_KEY_FILE"] = backed_up["key"]
    whole = path.read_bytes()
    path.write_bytes(whole[:20] + bytes([whole[20] ^ 1]) + whole[21:])  # the salt, in the header
    result = _on(second_app, "restore", str(path))
    assert result.exit_code == 1 and "another backup key" in result.output
    assert _is_empty(second_app)


def test_a_database_that_holds_cases_is_never_restored_over(
    app: Any, backed_up: dict[str, Any], runner: Any
) -> None:
    before = _rows(app)
    result = _invoke(runner, "restore", str(backed_up["archive"]))
    assert result.exit_code == 2
    assert "already holds data" in result.output and "cases" in result.output
    assert _rows(app) == before


def test_a_backup_is_restored_only_at_its_schema_revision(
    backed_up: dict[str, Any], second_app: Any
) -> None:
    with second_app.app_context(), transactions.unit_of_work() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    result = _on(second_app, "restore", str(backed_up["archive"]))
    assert result.exit_code == 2 and "the database is at 0001" in result.output
    assert _is_empty(second_app)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "does not exist"),
        ("directory", "is a directory"),
        (b"", "not a Homeward backup"),
        (b"id,name\n1,backup\n", "not a Homeward backup"),
        (archive.MAGIC[:-1], "not a Homeward backup"),
        (sample_pdf(), "not a Homeward backup"),
    ],
    ids=["missing", "directory", "empty", "text", "short-magic", "pdf"],
)
def test_restore_refuses_what_is_not_an_archive(
    second_app: Any, tmp_path: Path, content: bytes | str | None, expected: str
) -> None:
    path = tmp_path / "копия.hwbackup"
    if content == "directory":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    result = _on(second_app, "restore", str(path))
    assert result.exit_code == 2, result.output
    assert expected in result.output and "Traceback" not in result.output
    assert _is_empty(second_app)


def test_backup_never_writes_over_a_file_or_into_a_directory(
    app: Any, runner: Any, tmp_path: Path
) -> None:
    existing = tmp_path / "kept.txt"
    existing.write_text("kept")
    assert _invoke(runner, "backup", "--out", str(existing)).exit_code == 2
    assert existing.read_text() == "kept"
    assert "is a directory" in _invoke(runner, "backup", "--out", str(tmp_path)).output
    missing = _invoke(runner, "backup", "--out", str(tmp_path / "no" / "such" / "dir.bak"))
    assert missing.exit_code == 1 and "cannot write" in missing.output
    assert "Traceback" not in missing.output
    assert _is_empty(app)  # not even the event of a backup that was never written


def test_production_backups_need_a_backup_key(app: Any, runner: Any, tmp_path: Path) -> None:
    app.config.update(ENV="production", BACKUP_KEY_FILE=str(tmp_path / "none.key"))
    result = _invoke(runner, "backup", "--out", str(tmp_path / "b.hwbackup"))
    assert result.exit_code == 2 and "HOMEWARD_BACKUP_KEY_FILE" in result.output
    assert not (tmp_path / "b.hwbackup").exists() and not (tmp_path / "none.key").exists()


def test_every_table_of_the_schema_is_backed_up(app: Any) -> None:
    with app.app_context(), app.extensions["homeward.engine"].connect() as connection:
        present = set(inspect(connection).get_table_names()) - {"alembic_version"}
    # The names' text index is filled from the restored names (the search above shows it).
    assert {name for name in present if not is_index_table(name)} == {t.name for t in tables()}
