"""The server's side of /metrics: every worker process counts its own requests in a folder of
files that a scrape, answered by any one of them, adds up. The folder is made fresh and private
when the server starts, so counts never carry over from an earlier run, and removed when it
stops; a worker that exits leaves its counts (they happened) but no live gauges."""

from __future__ import annotations

import shutil
import tempfile
from typing import Any

from prometheus_client import multiprocess

from workflow.observe import metrics


def hooks() -> dict[str, Any]:
    """gunicorn's server hooks that keep the folder."""
    return {"on_starting": _make_folder, "child_exit": _worker_gone, "on_exit": _remove_folder}


def _make_folder(server: Any) -> None:
    """In the master, before any worker is forked: workers inherit where to count."""
    server.metrics_folder = tempfile.mkdtemp(prefix="homeward-metrics-")  # mode 0700
    metrics.count_across_processes(server.metrics_folder)


def _worker_gone(server: Any, worker: Any) -> None:
    multiprocess.mark_process_dead(worker.pid, server.metrics_folder)  # type: ignore[no-untyped-call]


def _remove_folder(server: Any) -> None:
    shutil.rmtree(server.metrics_folder, ignore_errors=True)
