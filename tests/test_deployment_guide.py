"""The deployment guide (docs/deployment.md): its commands are the drill script's, its examples
name the settings they must, its troubleshooting table says what doctor says, and the drill
(docs/deployment.sh) runs for real: on the suite's PostgreSQL server with its roles when there is
one, on SQLite files otherwise."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import SERVER_URL
from workflow.config import Settings, problems
from workflow.doctor import doctor_command

DOCS = Path(__file__).resolve().parent.parent / "docs"
GUIDE = (DOCS / "deployment.md").read_text(encoding="utf-8")
SCRIPT = DOCS / "deployment.sh"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
COMMAND = re.compile(r"^(?:[A-Z_]+=\S+\s+)*(homeward\s|openssl\s|\(umask 077 && openssl\s)")
# What the drill names otherwise: its own role, and folders in its throwaway directory.
DRILL_NAMES = {
    "homeward db grant homeward_app": 'homeward db grant "$APP_ROLE"',
    "/var/lib/homeward-checkpoints": "$CHECKPOINTS",
    "/var/backups/homeward": "$BACKUPS",
}
DRILL_SECONDS = 400


def blocks(language: str) -> list[str]:
    """The guide's fenced blocks in one language."""
    return [body for lang, body in FENCE.findall(GUIDE) if lang == language]


def block_with(language: str, text: str) -> str:
    """The one fenced block in `language` that holds `text`."""
    found = [body for body in blocks(language) if text in body]
    assert len(found) == 1, f"{len(found)} {language} blocks hold {text!r}"
    return found[0]


def settings_example() -> dict[str, str]:
    """The guide's /etc/homeward/homeward.env, as systemd reads it."""
    pairs = (line.split("=", 1) for line in block_with("sh", "HOMEWARD_ENV=production").split("\n"))
    return {name: value.strip("'") for name, value in (p for p in pairs if len(p) == 2)}


def unit(text: str) -> configparser.ConfigParser:
    """A systemd unit read strictly: a repeated key or section is an error."""
    parser = configparser.ConfigParser(strict=True, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return parser


def nginx(text: str) -> list[Any]:
    """nginx's configuration as nested lists: [name, *arguments] or [name, *arguments, block]."""
    tokens = re.findall(r"'[^']*'|\"[^\"]*\"|[{};]|[^\s{};]+", re.sub(r"#[^\n]*", "", text))
    stack: list[list[Any]] = [[]]
    words: list[str] = []
    for token in tokens:
        if token == ";":
            stack[-1].append(words)
            words = []
        elif token == "{":
            stack.append([])
            stack[-2].append([*words, stack[-1]])
            words = []
        elif token == "}":
            assert not words, f"{words} is not ended by ;"
            stack.pop()
        else:
            words.append(token.strip("'\""))
    assert len(stack) == 1 and not words, "unbalanced braces"
    return stack[0]


def directives(block: list[Any], name: str) -> list[list[Any]]:
    return [entry for entry in block if entry[0] == name]


def test_every_command_in_the_guide_is_run_by_the_drill() -> None:
    script = SCRIPT.read_text(encoding="utf-8")
    lines = [line.strip() for body in blocks("sh") for line in body.splitlines()]
    commands = [line for line in lines if COMMAND.match(line)]
    assert len(commands) >= 15
    for command in commands:
        for example, drill in DRILL_NAMES.items():
            command = command.replace(example, drill)
        assert command in script, f"the drill does not run: {command}"


def test_the_settings_example_passes_homewards_checks() -> None:
    settings = settings_example()
    assert problems(settings) == []
    assert settings["HOMEWARD_ENV"] == "production"
    assert "sslmode=verify-full" in settings["HOMEWARD_DATABASE_URL"]
    assert settings["HOMEWARD_DOCUMENT_STORE"].startswith("s3://")
    named = set(re.findall(r"\bHOMEWARD_([A-Z0-9_]+[A-Z0-9])\b", GUIDE))
    assert named - set(Settings.model_fields) == {"ENVIRONMENT"}  # Troubleshooting's misspelling


@pytest.fixture
def app_config() -> dict[str, Any]:
    """The app as the guide's settings make it, for the body limit nginx must repeat."""
    return {"MAX_DOCUMENT_BYTES": int(settings_example()["HOMEWARD_MAX_DOCUMENT_BYTES"])}


def test_the_nginx_example_buffers_forwards_and_hides_metrics(app: Any) -> None:
    top = nginx(block_with("nginx", "proxy_pass"))
    servers = [entry[-1] for entry in directives(top, "server")]
    tls = next(s for s in servers if directives(s, "listen")[0][1:] == ["443", "ssl"])
    settings = settings_example()
    # nginx takes exactly the bodies Homeward takes: a document of the largest size, with its
    # multipart envelope, gets through; a larger one is refused before it reaches a thread.
    (limit,) = directives(tls, "client_max_body_size")
    assert int(limit[1]) == app.config["MAX_CONTENT_LENGTH"]
    assert directives(tls, "proxy_request_buffering") == [["proxy_request_buffering", "on"]]
    locations = {tuple(entry[1:-1]): entry[-1] for entry in directives(tls, "location")}
    assert locations[("=", "/metrics")] == [["return", "404"]]
    proxied = locations[("/",)]
    headers = {entry[1]: entry[2] for entry in directives(proxied, "proxy_set_header")}
    assert headers["X-Forwarded-For"] == "$remote_addr"  # replaced: a client cannot add a hop
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert settings["HOMEWARD_TRUSTED_PROXY_HOPS"] == "1"
    upstream = directives(top, "upstream")[0][-1]
    ports = {server[1].rsplit(":", 1)[1] for server in directives(upstream, "server")}
    assert ports == {_serve_arguments()["--port"]}
    log_format = " ".join(directives(top, "log_format")[0][2:])
    assert not re.search(r"\$(request\b|args|query_string|request_uri|http_referer)", log_format)


def _serve_arguments() -> dict[str, str]:
    service = unit(block_with("ini", "homeward serve"))["Service"]
    words = shlex.split(service["ExecStart"])
    assert words[:2] == ["/opt/homeward/bin/homeward", "serve"]
    return dict(zip(words[2::2], words[3::2], strict=True))


def test_the_systemd_units_run_homeward_as_the_guide_says() -> None:
    service = unit(block_with("ini", "homeward serve"))["Service"]
    assert service["User"] == "homeward"
    assert service["EnvironmentFile"] == "/etc/homeward/homeward.env"
    assert service["KillSignal"] == "SIGTERM"
    graceful = Settings.model_fields["GRACEFUL_SECONDS"].default
    assert int(service["TimeoutStopSec"].removesuffix("s")) > graceful
    assert set(_serve_arguments()) == {"--host", "--port"}
    for command in ("upkeep", "backup"):
        job = unit(block_with("ini", f"homeward {command} --"))["Service"]
        assert job["Type"] == "oneshot"
        assert job["EnvironmentFile"] == "/etc/homeward/homeward.env"
        assert f"homeward {command} --" in _systemd_command(job["ExecStart"])
    timers = [unit(body) for body in blocks("ini") if "[Timer]" in body]
    assert len(timers) == 4  # upkeep, backup, the reminders and the daily digest
    reminders = unit(block_with("ini", "homeward reminders send"))["Service"]
    assert reminders["Type"] == "oneshot"
    assert reminders["EnvironmentFile"] == "/etc/homeward/homeward.env"
    for timer in timers:
        assert timer["Timer"]["OnCalendar"]
        assert timer["Install"]["WantedBy"] == "timers.target"


def test_the_cron_line_runs_what_the_timer_runs() -> None:
    (line,) = [line for line in block_with("cron", "upkeep").splitlines() if line.strip()]
    *schedule, user, command = line.split(maxsplit=6)
    assert len(schedule) == 5 and user == "homeward"
    assert "%" not in command.replace("\\%", "")  # a bare % would end cron's command
    cron = command.replace("\\%", "%")
    timer = _systemd_command(unit(block_with("ini", "homeward upkeep --"))["Service"]["ExecStart"])
    assert cron.endswith(timer.removeprefix("/bin/sh -c '"))
    assert "/etc/homeward/homeward.env" in cron


def _systemd_command(exec_start: str) -> str:
    """ExecStart as the shell gets it: systemd turns %% into % and $$ into $."""
    assert not re.search(r"(?<!%)%(?!%)", exec_start.replace("%%", "")), "a bare % in ExecStart"
    return exec_start.replace("%%", "%").replace("$$", "$")


def test_troubleshooting_explains_every_problem_doctor_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [name for name in os.environ if name.startswith("HOMEWARD_")]:
        monkeypatch.delenv(name)
    environment = {
        "HOMEWARD_ENV": "production",
        "HOMEWARD_INSTANCE_PATH": str(tmp_path),
        # Nothing listens on port 1: the database cannot be used, at once.
        "HOMEWARD_DATABASE_URL": "postgresql+psycopg://homeward_app@127.0.0.1:1/homeward",
        "HOMEWARD_KEYS_DIR": "/etc/homeward/keys",
        "HOMEWARD_DATA_KEYS_DIR": "/etc/homeward/data-keys",
        "HOMEWARD_ARGON2_MEMORY_KIB": "1024",
    }
    result = CliRunner().invoke(doctor_command, env=environment)
    assert result.exit_code == 1
    found = re.findall(r"^problem  [^:]+: (.*)$", result.output, re.MULTILINE)
    assert len(found) == 8
    troubleshooting = GUIDE.split("## Troubleshooting", 1)[1]
    for problem in found:
        assert f"| `{problem}` |" in troubleshooting, f"not in Troubleshooting: {problem}"


def test_the_drill_performs_the_guide() -> None:
    """On PostgreSQL, with its owner and runtime roles; on SQLite, every step that needs none."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HOMEWARD_")}
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment['PATH']}"
    if SERVER_URL:
        environment["DRILL_SERVER_URL"] = SERVER_URL
    else:
        environment.pop("DRILL_SERVER_URL", None)
    result = subprocess.run(
        ["bash", str(SCRIPT)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=DRILL_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = result.stdout
    assert "ready for production" in output
    assert '{"status":"ok","database":"ok","schema":"current"}' in output
    assert "metrics: loopback 200, forwarded 404" in output
    assert re.search(r"^checkpoint at event \d+ written to ", output, re.MULTILINE)
    assert re.search(r"^restored \d+ rows and 1 document objects from ", output, re.MULTILINE)
    assert len(re.findall(r"^trail intact: ", output, re.MULTILINE)) == 2
    assert output.rstrip().endswith("drill passed")
    assert ("may now serve Homeward" in output) == bool(SERVER_URL)
