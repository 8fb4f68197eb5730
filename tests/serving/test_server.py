"""`homeward serve`: a production server whose access log never shows what was searched."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.serving.served import server_environment, serving
from workflow import create_app
from workflow.config import ConfigError

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
    assert "Shutting down: Master" in text


def test_production_names_the_shared_secret_it_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOMEWARD_INSTANCE_PATH", str(tmp_path))
    database = f"sqlite:///{tmp_path / 'homeward.sqlite3'}"
    with pytest.raises(ConfigError, match="HOMEWARD_WEB_SECRET_KEY"):
        create_app({"ENV": "production", "DATABASE_URL": database})
