"""Production refuses to start unsafe, naming every problem at once, one line each; `homeward
doctor` prints the same checks for an operator; the runtime role cannot touch the trail's guard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import ProgrammingError

from tests.workflow.production import give_keys, production_settings, runtime_url
from workflow import create_app, db, migrations, preflight
from workflow.cli import cli
from workflow.config import ConfigError
from workflow.serving.server import check_ready


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOMEWARD_INSTANCE_PATH", str(tmp_path / "instance"))
    return tmp_path / "instance"


def test_production_names_every_unsafe_setting_at_once(instance: Path, database_url: str) -> None:
    unsafe = {
        **production_settings(instance, database_url),
        "WEB_SECRET_KEY": None,
        "PUBLIC_URL": "http://homeward.example.org",
        "ARGON2_MEMORY_KIB": 1024,
    }
    with pytest.raises(ConfigError) as refused:
        create_app(unsafe)
    problems = refused.value.problems
    assert len(problems) == 3
    for setting, problem in zip(
        ("HOMEWARD_WEB_SECRET_KEY", "HOMEWARD_PUBLIC_URL", "HOMEWARD_ARGON2_MEMORY_KIB"),
        problems,
        strict=True,
    ):
        assert problem.startswith(setting)
        assert "\n" not in problem


def test_production_refuses_to_serve_demo_accounts_and_development_keys(
    instance: Path, database_url: str, accounts: dict[str, Any]
) -> None:
    development = create_app({"DATABASE_URL": database_url})
    check_ready(development)  # development makes its own keys and certificate
    development.extensions["homeward.engine"].dispose()
    settings = production_settings(instance, database_url)
    made_by_development = {
        name: development.config[name]
        for name in ("KEYS_DIR", "DATA_KEYS_DIR", "FORM_SIGNING_KEY_FILE", "FORM_SIGNING_CERT_FILE")
    }
    production = create_app({**settings, **made_by_development})
    with pytest.raises(ConfigError) as refused:
        check_ready(production)
    production.extensions["homeward.engine"].dispose()
    said = "\n".join(refused.value.problems)
    assert "self-signed certificate development made" in said
    assert "no audit checkpoint key" in said
    assert "the demo accounts are in this database (admin, auditor, citizenship" in said
    assert "PASSWORD" not in said and "correct horse" not in said


def test_a_production_instance_given_its_keys_and_a_runtime_role_starts(
    instance: Path, database_url: str
) -> None:
    settings = production_settings(instance, database_url)
    give_keys(settings)
    with runtime_url(database_url) as runtime:
        app = create_app({**settings, "DATABASE_URL": runtime})
        try:
            check_ready(app)  # refuses with the problems, if any
            login = {"username": "nobody", "password": "wrong password, at length"}
            response = app.test_client().post("/api/v1/auth/login", json=login)
            with app.extensions["homeward.engine"].connect() as connection:
                events = connection.scalar(text("SELECT count(*) FROM audit_events"))
        finally:
            app.extensions["homeward.engine"].dispose()
    assert response.status_code == 401  # the runtime role read, and appended the refusal
    assert events == 1


def test_data_keys_copied_without_the_search_index_key_are_named(
    instance: Path, database_url: str
) -> None:
    settings = production_settings(instance, database_url)
    give_keys(settings)
    (Path(settings["DATA_KEYS_DIR"]) / "search-index.secret").unlink()

    problems = preflight.problems(preflight.file_checks(settings))

    assert problems == ["no search index key: search-index.secret is missing beside the data keys"]


def test_the_role_that_owns_the_schema_may_not_serve(instance: Path, database_url: str) -> None:
    settings = production_settings(instance, database_url)
    give_keys(settings)
    app = create_app(settings)
    try:
        if make_url(database_url).get_backend_name() == "postgresql":
            with pytest.raises(ConfigError, match="owns the schema or is a superuser"):
                check_ready(app)
        else:
            check_ready(app)  # SQLite has no roles: its file's permissions are its guard
    finally:
        app.extensions["homeward.engine"].dispose()


def test_the_runtime_role_cannot_switch_off_the_trails_guard(database_url: str) -> None:
    with runtime_url(database_url) as runtime:
        engine = create_engine(runtime)
        try:
            with engine.connect() as connection:
                if connection.dialect.name != "postgresql":
                    return  # no roles on SQLite: nothing to prove
                for attempt in (
                    "DROP TRIGGER audit_events_append_only ON audit_events",
                    "ALTER TABLE audit_events DISABLE TRIGGER ALL",
                    "TRUNCATE audit_events",
                ):
                    with (
                        pytest.raises(ProgrammingError, match=r"must be owner|permission denied"),
                        connection.begin(),
                    ):
                        connection.exec_driver_sql(attempt)
                with connection.begin():
                    assert connection.scalar(text("SELECT count(*) FROM audit_events")) >= 0
        finally:
            engine.dispose()


# --- homeward doctor and homeward db grant -------------------------------------------------------


def doctor(monkeypatch: pytest.MonkeyPatch, settings: dict[str, Any]) -> Any:
    for name, value in settings.items():
        if value is None:
            monkeypatch.delenv(f"HOMEWARD_{name}", raising=False)
        else:
            monkeypatch.setenv(f"HOMEWARD_{name}", str(value))
    return CliRunner().invoke(cli, ["doctor"])


def test_doctor_lists_every_problem_before_going_live(
    instance: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    absent = f"sqlite:///{tmp_path / 'nowhere' / 'homeward.sqlite3'}"
    settings = {**production_settings(instance, absent), "ENV": "development"}
    result = doctor(monkeypatch, {**settings, "WEB_SECRET_KEY": None})
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "HOMEWARD_ENV is development: checking as production would"
    assert "ok       public address" in lines
    problems = [line for line in lines if line.startswith("problem  ")]
    assert [line.split(":")[0] for line in problems] == [
        "problem  web pages' secret",
        "problem  token signing keys",
        "problem  data keys",
        "problem  form signing certificate",
        "problem  audit checkpoint key",
        "problem  database",
    ]
    assert lines[-1] == "6 problem(s)"
    assert not (tmp_path / "nowhere").exists()  # looking made no database


def test_doctor_says_ready_when_production_would_start(
    instance: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = production_settings(instance, database_url)
    give_keys(settings)
    with runtime_url(database_url) as runtime:
        result = doctor(monkeypatch, {**settings, "DATABASE_URL": runtime})
    assert result.output.splitlines()[-1] == "ready for production", result.output
    assert result.exit_code == 0
    assert "warning  trusted timestamps: HOMEWARD_TIMESTAMP_URL is not set" in result.output


def test_doctor_warns_of_no_timestamp_authority_only_while_none_is_set(
    instance: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    absent = f"sqlite:///{tmp_path / 'homeward.sqlite3'}"
    settings = {**production_settings(instance, absent), "TIMESTAMP_URL": None}
    unset = doctor(monkeypatch, settings).output
    stamped = doctor(monkeypatch, {**settings, "TIMESTAMP_URL": "https://tsa.example.org"}).output

    assert "warning  trusted timestamps" in unset
    assert "warning" not in stamped
    assert unset.splitlines()[-1] == stamped.splitlines()[-1]  # a warning is not a problem


@pytest.mark.parametrize("value", ["Production", "prod", "production\n", "продакшн"])
def test_doctor_refuses_a_misspelt_environment(
    instance: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    result = doctor(monkeypatch, {"ENV": value})
    assert result.exit_code == 2
    assert result.output.startswith("error: HOMEWARD_ENV must ")
    assert "checking as production would" not in result.output


@pytest.mark.parametrize(
    "role", ['nobody"; DROP TABLE cases; --', "ролі", "", "x" * 500, "homeward_runtime"]
)
def test_granting_refuses_a_role_it_cannot_grant_to(app: Any, role: str) -> None:
    result = app.test_cli_runner().invoke(args=["db", "grant", role])
    assert result.exit_code == 2
    postgresql = app.extensions["homeward.engine"].dialect.name == "postgresql"
    expected = "there is no such role" if postgresql else "only PostgreSQL has roles"
    assert f"error: {expected}" in result.output
    assert app.test_client().get("/healthz").status_code == 200  # nothing was dropped


def test_granting_refuses_the_owner_itself(app: Any) -> None:
    engine = app.extensions["homeward.engine"]
    if engine.dialect.name != "postgresql":
        return  # covered above: SQLite refuses every role
    owner = make_url(str(engine.url)).username
    result = app.test_cli_runner().invoke(args=["db", "grant", owner])
    assert result.exit_code == 2
    assert "the owner" in result.output


def test_migrating_as_the_runtime_role_says_to_use_the_owner(
    instance: Path, database_url: str
) -> None:
    owner = db.build_engine(database_url)
    migrations.downgrade(owner, "-1")
    try:
        with runtime_url(database_url) as runtime:
            app = create_app({"DATABASE_URL": runtime})
            as_runtime = ScriptInfo(create_app=lambda: app)
            result = CliRunner().invoke(cli, ["db", "upgrade"], obj=as_runtime)
            app.extensions["homeward.engine"].dispose()
    finally:  # on PostgreSQL the worker's next tests share this database
        migrations.upgrade(owner)
        owner.dispose()
    if owner.dialect.name == "postgresql":
        assert result.exit_code == 2
        assert "migrate (`homeward db upgrade`) and restore as the role that owns" in result.output
    else:
        assert result.exit_code == 0, result.output  # no roles: the one file is migrated as is
