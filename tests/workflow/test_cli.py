"""The `homeward` command: schema, demo data, accounts, workflows and keys, with bad arguments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from workflow import transactions
from workflow.demo_cases import DEMO_CASES
from workflow.models import Case, User


def _invoke(runner: Any, *args: str, **kwargs: Any) -> Any:
    return runner.invoke(args=list(args), **kwargs)


def test_db_upgrade_is_repeatable(runner: Any) -> None:
    for _ in range(2):
        result = _invoke(runner, "db", "upgrade")
        assert result.exit_code == 0, result.output
        assert "default v3" in result.output


def test_demo_load_creates_the_demo_and_prints_the_logins(app: Any, runner: Any) -> None:
    app.config["DEMO_PASSWORD"] = "demo-password-for-tests"
    result = _invoke(runner, "demo", "load")
    assert result.exit_code == 0, result.output
    assert "demo password: demo-password-for-tests" in result.output
    with app.app_context():
        session = transactions.session()
        assert session.scalar(select(func.count()).select_from(Case)) == len(DEMO_CASES)
        names = set(session.scalars(select(User.username)))
    assert {
        "lawyer",
        "lawyer2",
        "lawyer3",
        "registrar",
        "judge",
        "lab",
        "guardianship",
        "citizenship",
        "auditor",
        "admin",
    } <= names
    # The sign-in page names the demo accounts only where the demo was loaded.
    assert "Demonstration accounts" in app.test_client().get("/sign-in").get_data(as_text=True)
    again = _invoke(runner, "demo", "load")
    assert again.exit_code == 0 and "already loaded" in again.output
    with app.app_context():
        cases = transactions.session().scalar(select(func.count()).select_from(Case))
    assert cases == len(DEMO_CASES)


def test_demo_load_generates_and_keeps_a_password(app: Any, runner: Any) -> None:
    first = _invoke(runner, "demo", "load").output
    second = _invoke(runner, "demo", "load").output
    line = next(x for x in first.splitlines() if x.startswith("demo password: "))
    assert len(line) > len("demo password: ") + 12
    assert line in second


def test_demo_data_is_never_loaded_in_production(app: Any, runner: Any) -> None:
    app.config["ENV"] = "production"
    result = _invoke(runner, "demo", "load")
    assert result.exit_code == 2
    with app.app_context():
        assert transactions.session().scalar(select(func.count()).select_from(User)) == 0


def test_users_create_adds_an_account_that_can_sign_in(runner: Any, client: Any) -> None:
    assert (
        _invoke(runner, "agencies", "create", "Қамқор заң көмегі", "--kind", "ngo").exit_code == 0
    )
    result = _invoke(
        runner,
        "users",
        "create",
        "aigerim",
        "--role",
        "lawyer",
        "--agency",
        "Қамқор заң көмегі",
        "--password",
        "a long enough passphrase",
    )
    assert result.exit_code == 0, result.output
    login = client.post(
        "/api/v1/auth/login", json={"username": "aigerim", "password": "a long enough passphrase"}
    )
    assert login.status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["users", "create", "x", "--role", "wizard", "--agency", "A", "--password", "p" * 12],
            "wizard",
        ),
        (
            [
                "users",
                "create",
                "x",
                "--role",
                "lawyer",
                "--agency",
                "Nope",
                "--password",
                "p" * 12,
            ],
            "no agency",
        ),
        (
            ["users", "create", "x", "--role", "lawyer", "--agency", "A", "--password", "short"],
            "12 to 256 characters",
        ),
        (
            ["users", "create", "  ", "--role", "lawyer", "--agency", "A", "--password", "p" * 12],
            "blank",
        ),
        (
            [
                "users",
                "create",
                "x\x1b[31m",
                "--role",
                "lawyer",
                "--agency",
                "A",
                "--password",
                "p" * 12,
            ],
            "control character",
        ),
        (
            [
                "users",
                "create",
                "u" * 65,
                "--role",
                "lawyer",
                "--agency",
                "A",
                "--password",
                "p" * 12,
            ],
            "at most 64",
        ),
        (
            [
                "users",
                "create",
                "judge1",
                "--role",
                "official",
                "--agency",
                "A",
                "--password",
                "p" * 12,
            ],
            "cannot belong",
        ),
        (["agencies", "create", "B", "--kind", "cult"], "cult"),
    ],
)
def test_bad_arguments_get_a_clear_error_and_change_nothing(
    app: Any, runner: Any, args: list[str], message: str
) -> None:
    _invoke(runner, "agencies", "create", "A", "--kind", "ngo")
    result = _invoke(runner, *args)
    assert result.exit_code == 2
    assert message in result.output
    with app.app_context():
        assert transactions.session().scalar(select(func.count()).select_from(User)) == 0


def test_a_username_is_taken_once(runner: Any) -> None:
    _invoke(runner, "agencies", "create", "A", "--kind", "ngo")
    args = [
        "users",
        "create",
        "lawyer",
        "--role",
        "lawyer",
        "--agency",
        "A",
        "--password",
        "p" * 12,
    ]
    assert _invoke(runner, *args).exit_code == 0
    again = _invoke(runner, *args)
    assert again.exit_code == 2 and "taken" in again.output


def test_workflow_check_and_load(runner: Any, tmp_path: Path) -> None:
    from workflow.rules.catalogue import BUILT_IN

    text = (
        (BUILT_IN / "default.yaml").read_text(encoding="utf-8").replace("version: 3", "version: 4")
    )
    path = tmp_path / "default-v4.yaml"
    path.write_text(text, encoding="utf-8")
    assert "valid" in _invoke(runner, "workflow", "check", str(path)).output
    loaded = _invoke(runner, "workflow", "load", str(path))
    assert loaded.exit_code == 0 and "version 4 loaded" in loaded.output
    path.write_text(text.replace("target_days: 14", "target_days: 15"), encoding="utf-8")
    clash = _invoke(runner, "workflow", "load", str(path))
    assert clash.exit_code == 2 and "higher version" in clash.output


@pytest.mark.parametrize(
    "content", [b"", b"\x00\x01binary", b"- a list\n- not a mapping\n", "name: ünïcödé\n".encode()]
)
def test_workflow_load_refuses_what_is_not_a_definition(
    runner: Any, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    result = _invoke(runner, "workflow", "load", str(path))
    assert result.exit_code == 2
    assert "bad.yaml" in result.output
    assert "Traceback" not in result.output


def test_workflow_load_of_a_missing_file_is_a_usage_error(runner: Any) -> None:
    result = _invoke(runner, "workflow", "load", "/no/such/file.yaml")
    assert result.exit_code == 2 and "does not exist" in result.output


def test_production_keys_can_be_made_with_the_cli(app: Any, runner: Any, tmp_path: Path) -> None:
    from workflow.config import ConfigError
    from workflow.identity.tokens import key_ring

    app.config.update(ENV="production", KEYS_DIR=str(tmp_path / "prod-keys"))
    app.extensions.pop("homeward.keys", None)
    with app.app_context(), pytest.raises(ConfigError, match="keys rotate"):
        key_ring()
    assert _invoke(runner, "keys", "rotate").exit_code == 0
    with app.app_context():
        assert key_ring().current.kid


def test_migrations_go_down_and_up_again(database_url: str) -> None:
    from sqlalchemy import inspect

    from workflow import db as database
    from workflow import migrations

    engine = database.build_engine(database_url)
    try:
        migrations.downgrade(engine, "base")
        assert "cases" not in inspect(engine).get_table_names()
        migrations.upgrade(engine)
        assert {"cases", "case_routes", "transition_history"} <= set(
            inspect(engine).get_table_names()
        )
    finally:
        engine.dispose()


def test_a_database_without_the_schema_is_said_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from workflow.cli import cli

    monkeypatch.setenv("HOMEWARD_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("HOMEWARD_DATABASE_URL", raising=False)

    result = CliRunner().invoke(cli, ["audit", "verify"])

    assert result.exit_code == 2
    assert "`homeward db upgrade`" in result.output
    assert "SELECT" not in result.output and "Traceback" not in result.output
