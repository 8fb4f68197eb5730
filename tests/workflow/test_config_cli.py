"""A wrong setting stops `homeward` and `create_app` before anything starts, with one line on
stderr and exit status 2; `homeward config check` lists every problem; `config table` prints the
table the README carries."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from workflow import create_app
from workflow.cli import cli
from workflow.config import ConfigError
from workflow.config.table import markdown_table

HOMEWARD = Path(sys.executable).with_name("homeward")
ENVIRONMENTS = "HOMEWARD_ENV must be one of: development, production"


def environment(instance: Path, **variables: str) -> dict[str, str]:
    """The process's environment without its HOMEWARD_* variables (a test run's own among
    them), then these."""
    kept = {name: value for name, value in os.environ.items() if not name.startswith("HOMEWARD_")}
    return {**kept, "HOMEWARD_INSTANCE_PATH": str(instance), **variables}


def invoke(arguments: list[str], instance: Path, **variables: str) -> Result:
    """Run `homeward` in this process with only these HOMEWARD_* variables set."""
    unset: dict[str, str | None] = {
        name: None for name in os.environ if name.startswith("HOMEWARD_")
    }
    return CliRunner().invoke(cli, arguments, env={**unset, **environment(instance, **variables)})


@pytest.mark.parametrize(
    ("arguments", "variables", "line"),
    [
        (["db", "upgrade"], {"HOMEWARD_ENV": "Production"}, ENVIRONMENTS),
        (
            ["serve", "--workers", "1"],
            {"HOMEWARD_WORKING_HOURS": "8-25"},
            "HOMEWARD_WORKING_HOURS must be two UTC hours from 00 to 24 joined by a hyphen, "
            "the first not after the second, such as 08-19",
        ),
        (
            ["audit", "verify"],
            {"HOMEWARD_WEB_SECRET_KEY": "hunter2"},
            "HOMEWARD_WEB_SECRET_KEY must be at least 32 characters",
        ),
    ],
)
def test_homeward_refuses_to_start_with_one_line_on_stderr(
    tmp_path: Path, arguments: list[str], variables: dict[str, str], line: str
) -> None:
    finished = subprocess.run(
        [str(HOMEWARD), *arguments],
        env=environment(tmp_path / "instance", **variables),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert (finished.returncode, finished.stdout, finished.stderr) == (2, "", f"error: {line}\n")
    assert not (tmp_path / "instance").exists()  # nothing was made before the refusal


def test_create_app_refuses_before_building_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOMEWARD_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("HOMEWARD_ENV", "Production")

    with pytest.raises(ConfigError) as refused:
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"})

    assert str(refused.value) == ENVIRONMENTS
    assert not (tmp_path / "instance").exists()


def test_help_with_a_wrong_setting_says_it_in_one_line_and_still_helps(tmp_path: Path) -> None:
    result = invoke(["--help"], tmp_path / "instance", HOMEWARD_ENV="Production")

    assert result.exit_code == 0
    assert result.stderr == f"error: {ENVIRONMENTS}\n"
    assert "config" in result.stdout and "Traceback" not in result.output


def test_config_check_lists_every_problem_and_exits_2(tmp_path: Path) -> None:
    variables = {
        "HOMEWARD_ENV": "Production",
        "HOMEWARD_TRUSTED_PROXY_HOPS": "٣",
        "HOMEWARD_DEMO_PASSWORD": "hunter2\n",
        "HOMEWARD_DATABSE_URL": "postgresql+psycopg://homeward@db/homeward",
    }

    result = invoke(["config", "check"], tmp_path / "instance", **variables)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: {ENVIRONMENTS}",
        "error: HOMEWARD_TRUSTED_PROXY_HOPS must be a whole number from 0 to 5",
        "error: HOMEWARD_DEMO_PASSWORD must not contain control characters",
        "error: HOMEWARD_DATABSE_URL is not a Homeward setting",
    ]
    assert not (tmp_path / "instance").exists()  # checking builds nothing


def test_config_check_passes_good_settings(tmp_path: Path) -> None:
    variables = {"HOMEWARD_ENV": "production", "HOMEWARD_WORKING_HOURS": "07-20"}

    result = invoke(["config", "check"], tmp_path / "instance", **variables)

    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "the HOMEWARD_* settings are valid\n",
        "",
    )


def test_config_table_prints_the_table_of_settings(tmp_path: Path) -> None:
    result = invoke(["config", "table"], tmp_path)

    assert result.exit_code == 0
    assert result.stdout == markdown_table()
    assert result.stdout.startswith("| variable | default | meaning |\n|---|---|---|\n")
