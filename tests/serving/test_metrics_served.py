"""`homeward serve` with several worker processes: /metrics adds up every worker's counts,
whichever worker answers the scrape, and with HOMEWARD_LOG_FORMAT=json every line the server
writes (gunicorn's own too) is JSON, with one line per request and no access-log line."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.serving.served import Served, server_environment, serving

BATCH = 20


def healthz_count(served: Served) -> float:
    status, _headers, body = served.request("GET", "/metrics")
    assert status == 200
    return sum(
        sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
        if sample.name == "homeward_http_requests_total"
        and sample.labels == {"route": "/healthz", "method": "GET", "status": "200"}
    )


def lines(log: Path) -> list[dict[str, Any]]:
    text = log.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]  # all JSON


def test_two_workers_counts_add_up_in_metrics(
    app: Any, accounts: Any, database_url: str, tmp_path: Path
) -> None:
    environment = server_environment(
        tmp_path / "instance", database_url, HOMEWARD_LOG_FORMAT="json"
    )
    log = tmp_path / "server.log"
    with serving(environment, log, "--workers", "2", "--threads", "4") as served:
        sent = _until_both_workers_answered(served, log)
        counts = {healthz_count(served) for _ in range(6)}  # scrapes answered by either worker
        assert served.stop() == 0
    healthz = [line for line in lines(log) if line.get("route") == "/healthz"]

    assert counts == {sent}
    assert len({line["process"] for line in healthz}) == 2
    assert all(line["status"] == 200 and "duration_ms" in line for line in healthz)
    messages = " ".join(line["message"] for line in lines(log))
    assert "Homeward is serving on" in messages and "Booting worker" in messages
    assert not [line for line in lines(log) if line["logger"] == "gunicorn.access"]


def _until_both_workers_answered(served: Served, log: Path) -> int:
    """Send /healthz in concurrent batches until the log shows both workers answered it
    (the kernel hands each connection to either); how many were sent, the ones that started
    the server (which waited for /healthz to answer) included."""
    started = sum(1 for line in lines(log) if line.get("route") == "/healthz")
    sent = 0
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(10):
            statuses = list(pool.map(lambda _: served.request("GET", "/healthz")[0], range(BATCH)))
            assert statuses == [200] * BATCH
            sent += BATCH
            answered = {line["process"] for line in lines(log) if line.get("route") == "/healthz"}
            if len(answered) == 2:
                return started + sent
    raise AssertionError("one worker answered every request")
