"""`homeward serve`: Homeward behind gunicorn, with worker processes and threads per CPU."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from gunicorn.app.base import BaseApplication

from workflow import preflight
from workflow.serving import metrics
from workflow.serving.logs import JsonServerLog

# Who asked for what, without the query string (a searched name) or the referring page (whose
# address can hold one): client, time, method, path, status, bytes, seconds, request id.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss %({x-request-id}o)s'


def check_ready(app: Flask) -> None:
    """Refuse to start, here rather than at the first request, without what serving needs."""
    from forms.sheet import form_languages, verification_url
    from forms.signing import form_signer
    from workflow.identity.tokens import key_ring
    from workflow.sealing import data_keys

    if app.config["ENV"] == "production":  # every problem at once, one line each
        engine = app.extensions["homeward.engine"]
        preflight.refuse_unsafe(preflight.all_checks(app.config, engine))
    with app.app_context():  # development makes what it lacks; then both load it
        key_ring()
        data_keys()
        form_signer()
        form_languages()  # forms in a language that has no labels refuse in both
        verification_url("")


# A thread that waits on a slow client, the database or a sandbox costs memory, not CPU: the
# server keeps this many per CPU, shared among its processes, so slow clients do not use them up.
THREADS_PER_CPU = 32
FEWEST_THREADS, MOST_THREADS = 8, 256
CPU_QUOTA = Path("/sys/fs/cgroup/cpu.max")


def usable_cpus(quota_file: Path = CPU_QUOTA) -> int:
    """The CPUs this process may run on, and no more than a container's CPU quota allows."""
    cpus = len(os.sched_getaffinity(0))
    quota = cpu_quota(quota_file)
    return max(1, min(cpus, quota or cpus))


def cpu_quota(quota_file: Path) -> int | None:
    """A cgroup's CPU quota in whole CPUs (rounded up); None when unlimited or not known."""
    try:
        quota, period = quota_file.read_text(encoding="ascii").split()
        return math.ceil(int(quota) / int(period))
    except (OSError, ValueError):  # no cgroup v2 here, or "max": no quota
        return None


def default_workers(cpus: int) -> int:
    """One process per CPU: Python runs one thread at a time in each."""
    return cpus


def default_threads(cpus: int, workers: int) -> int:
    """Threads in each process: the server's THREADS_PER_CPU per CPU, shared among `workers`."""
    return max(FEWEST_THREADS, min(MOST_THREADS, math.ceil(THREADS_PER_CPU * cpus / workers)))


def server_settings(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """The gunicorn settings Homeward is served with."""
    config = current_app.config
    return {
        "bind": [f"{host}:{port}"],
        "workers": workers,
        "worker_class": "workflow.serving.worker.HomewardWorker",
        # A slow client holds a thread (never a database lock): enough of them keep the rest going.
        "threads": threads,
        "preload_app": True,  # a missing key stops the server once, with its reason
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        **_log_settings(config["LOG_FORMAT"]),
        **metrics.hooks(),
        "graceful_timeout": int(config["GRACEFUL_SECONDS"]),
        "keepalive": 5,
        "limit_request_field_size": int(config["MAX_HEADER_BYTES"]),
        "proc_name": "homeward",
        "control_socket_disable": True,  # several instances on one machine must not share one
        "post_fork": _fresh_connections,
        "post_worker_init": _announce,
    }


def _log_settings(log_format: str) -> dict[str, Any]:
    """JSON: gunicorn's messages as JSON lines, and no access log of its own (the application
    writes each request's line); text: gunicorn's access log, as ACCESS_LOG_FORMAT says."""
    if log_format == "json":
        return {"accesslog": None, "logger_class": JsonServerLog}
    return {"accesslog": "-"}


class HomewardServer(BaseApplication):  # type: ignore[misc]
    """gunicorn serving the application it is given, with settings from Homeward's config."""

    def __init__(self, application: Flask, settings: dict[str, Any]) -> None:
        self.application = application
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.settings.items():
            self.cfg.set(name, value)

    def load(self) -> Flask:
        return self.application


def _fresh_connections(_server: Any, worker: Any) -> None:
    """A forked worker must not share the parent's database connections."""
    worker.app.application.extensions["homeward.engine"].dispose(close=False)


def _announce(worker: Any) -> None:
    """Say where Homeward answers, once, when the first worker is ready to."""
    from workflow.evidence.sandbox import warm_up

    warm_up()
    if worker.age == 1:
        host, port = worker.cfg.bind[0].rsplit(":", 1)
        sizes = f"processes: {worker.cfg.workers}, threads in each: {worker.cfg.threads}"
        serving = f"Homeward is serving on http://{host}:{port} ({sizes})"
        if worker.app.application.config["LOG_FORMAT"] == "json":
            worker.log.info(serving)  # a JSON line among the others
        else:
            click.echo(serving, err=False)


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Processes; HOMEWARD_WORKERS, else one per CPU.",
)
@click.option(
    "--threads",
    type=click.IntRange(1, MOST_THREADS),
    help=f"Threads per process; HOMEWARD_THREADS, else {THREADS_PER_CPU} per CPU shared among "
    "the processes.",
)
def serve_command(host: str, port: int, workers: int | None, threads: int | None) -> None:
    """Serve the web pages and the API with gunicorn, a production WSGI server."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    check_ready(app)
    cpus = usable_cpus()
    workers = workers or app.config["WORKERS"] or default_workers(cpus)
    threads = threads or app.config["THREADS"] or default_threads(cpus, workers)
    HomewardServer(app, server_settings(host, port, workers, threads)).run()
