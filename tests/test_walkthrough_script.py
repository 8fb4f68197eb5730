"""The README's curl walkthrough, run for real against a server on a loopback port."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

SCRIPT = Path(__file__).resolve().parent.parent / "docs" / "walkthrough.sh"


@pytest.fixture
def server_url(app: Any, accounts: Any) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_the_walkthrough_carries_a_case_to_complete(server_url: str) -> None:
    env = {**os.environ, "HOMEWARD_URL": server_url, "HOMEWARD_DEMO_PASSWORD": PASSWORD}
    result = subprocess.run(
        ["bash", str(SCRIPT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("opened HW-")
    steps = [json.loads(line) for line in lines[1:]]
    assert all(step["error"] is None for step in steps), steps
    assert steps[-3] == {"status": "complete", "identity_document": "issued", "error": None}
    form = {"genuine": True, "kind": "citizenship-application", "error": None}
    assert steps[-2:] == [{"checked": "code", **form}, {"checked": "file", **form}]
