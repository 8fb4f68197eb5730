"""`homeward serve`: a production server whose access log never shows what was searched."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.serving.served import server_environment, serving
from workflow import create_app
from workflow.config import ConfigError
from workflow.serving import server
from workflow.serving.server import HomewardServer, default_threads, usable_cpus

SEARCHED = "Нұрғалиева"


def test_serve_answers_and_logs_no_query_string(
    app: Any, accounts: Any, database_url: str, tmp_path: Path
) -> None:
    environment = server_environment(tmp_path / "instance", database_url)
    log = tmp_path / "server.log"
    with serving(environment, log, "--workers", "1", "--threads", "4") as served:
        lawyer = served.sign_in("lawyer")
        status, _headers, _body = served.request(
            "GET", f"/api/v1/cases?q={quote(SEARCHED)}&per_page=5", headers=lawyer
        )
        assert status == 200
        assert served.stop() == 0  # SIGTERM: a graceful stop, not a crash
    text = log.read_text(encoding="utf-8")
    assert f"Homeward is serving on http://127.0.0.1:{served.port}" in text
    assert re.search(r'"GET /api/v1/cases HTTP/1\.1" 200 \d+', text), text
    assert "?" not in " ".join(line for line in text.splitlines() if '"GET ' in line)
    for leak in ("q=", quote(SEARCHED), SEARCHED, "per_page"):
        assert leak not in text


def test_serve_uses_the_workers_and_threads_asked_for(
    app: Any, accounts: Any, database_url: str, tmp_path: Path
) -> None:
    environment = server_environment(tmp_path / "instance", database_url)
    log = tmp_path / "server.log"
    with serving(environment, log, "--workers", "2", "--threads", "3") as served:
        assert served.request("GET", "/healthz")[0] == 200
    text = log.read_text(encoding="utf-8")
    assert len(re.findall(r"Booting worker with pid", text)) == 2
    assert f"serving on http://127.0.0.1:{served.port} (processes: 2, threads in each: 3)" in text
    assert "Shutting down: Master" in text


@pytest.mark.parametrize(
    ("cpus", "workers", "threads"),
    [(1, 1, 32), (2, 2, 32), (2, 1, 64), (8, 8, 32), (3, 2, 48), (4, 64, 8), (16, 1, 256)],
)
def test_the_threads_per_cpu_are_shared_among_the_processes(
    cpus: int, workers: int, threads: int
) -> None:
    assert default_threads(cpus, workers) == threads


def test_the_cpus_counted_are_those_the_server_may_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3})
    quota = tmp_path / "cpu.max"
    assert usable_cpus(quota) == 4  # no cgroup quota: the CPUs the process may run on
    for line, cpus in [("150000 100000", 2), ("max 100000", 4), ("900000 100000", 4)]:
        quota.write_text(f"{line}\n", encoding="ascii")
        assert usable_cpus(quota) == cpus, line
    quota.write_text("a quota\n", encoding="ascii")
    assert usable_cpus(quota) == 4


def test_serve_sizes_itself_from_the_cpus_unless_told_otherwise(
    app: Any, runner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(HomewardServer, "run", lambda self: started.append(self.settings))
    monkeypatch.setattr(server, "usable_cpus", lambda: 3)
    for arguments, settings in [
        ([], {}),
        (["--workers", "1"], {}),
        ([], {"WORKERS": 2, "THREADS": 5}),  # HOMEWARD_WORKERS=2 HOMEWARD_THREADS=5
        (["--workers", "4", "--threads", "6"], {"WORKERS": 2}),
    ]:
        with monkeypatch.context() as configured:
            for name, value in settings.items():
                configured.setitem(app.config, name, value)
            result = runner.invoke(args=["serve", *arguments])
        assert result.exit_code == 0, result.output
    sizes = [(settings["workers"], settings["threads"]) for settings in started]
    assert sizes == [(3, 32), (1, 96), (2, 5), (4, 6)]
    for refused in (["--threads", "0"], ["--workers", "0"], ["--threads", "many"]):
        assert runner.invoke(args=["serve", *refused]).exit_code == 2
    assert len(started) == 4


def test_production_names_the_shared_secret_it_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOMEWARD_INSTANCE_PATH", str(tmp_path))
    database = f"sqlite:///{tmp_path / 'homeward.sqlite3'}"
    with pytest.raises(ConfigError, match="HOMEWARD_WEB_SECRET_KEY"):
        create_app({"ENV": "production", "DATABASE_URL": database})
