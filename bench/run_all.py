"""`python -m bench.run_all`: seed a large database, time the API against /healthz, print a table.

Everything runs in-process through the WSGI app (Flask's test client) on one thread, with real
sign-ins, real tokens and real If-Match versions. Every list is also seeded and timed on a
registry of 1,000 cases, in turns with the large one, and a second table shows how each list's
latency grew between the two. Nothing is asserted about time: the run measures and prints. Its
files live in a temporary directory that is removed at the end; on PostgreSQL the public schema
(of the database given, and of `<database>_small` beside it) is replaced at the start and
emptied at the end (unless --keep-database).
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import sqlalchemy
from flask_openapi3 import OpenAPI
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from bench import report, scenarios
from bench.client import Client
from bench.measure import Measurement
from bench.scenarios import Budgets
from bench.seed import DEFAULT_CASES, Seeded, loading_engine, reset_schema, seed, sqlite_url
from bench.seed import throwaway_app as make_app

QUICK_CASES = 1_000
SMALL_CASES = 1_000  # the registry every list is also timed on, to show how it grows
DEFAULT_SECONDS, QUICK_SECONDS = 20.0, 2.0


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the benchmark in a temporary directory, print the figures."""
    args = _options(argv)
    # Being stopped (SIGTERM) unwinds like Ctrl-C, so the temporary files are still removed.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="homeward-bench-") as directory:
        workdir = Path(directory)
        url = args.database_url or sqlite_url(workdir)
        small = None
        if args.cases > SMALL_CASES:
            (workdir / "small").mkdir()
            small = small_database(args.database_url) or sqlite_url(workdir / "small")
        try:
            run(workdir, url, args.cases, Budgets(args.seconds), small_url=small)
        finally:
            for each in (args.database_url, small):
                if each and each.startswith("postgresql") and not args.keep_database:
                    _empty(each)
    return 0


def small_database(url: str | None) -> str | None:
    """Beside a PostgreSQL database, a second one on the same server for the small registry."""
    if url is None:
        return None
    parsed = make_url(url)
    small = parsed.set(database=f"{parsed.database}_small")
    server = sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            found = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": small.database}
            )
            if not found:
                connection.execute(text(f'CREATE DATABASE "{small.database}"'))
    finally:
        server.dispose()
    return small.render_as_string(hide_password=False)


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run_all", description=main.__doc__)
    parser.add_argument("--cases", type=int, help=f"cases to seed (default {DEFAULT_CASES:,})")
    parser.add_argument("--database-url", help="a PostgreSQL URL; its public schema is replaced")
    parser.add_argument("--seconds", type=float, help="time limit of each measurement")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CASES:,} cases, short runs")
    parser.add_argument(
        "--keep-database", action="store_true", help="leave PostgreSQL seeded, to inspect"
    )
    args = parser.parse_args(argv)
    args.cases = args.cases or (QUICK_CASES if args.quick else DEFAULT_CASES)
    args.seconds = args.seconds or (QUICK_SECONDS if args.quick else DEFAULT_SECONDS)
    if args.cases < 1 or args.seconds <= 0:
        parser.error("--cases and --seconds must be positive")
    return args


Measurer = Callable[[OpenAPI, str, Budgets], tuple[list[Measurement], list[str]]]


def run(
    workdir: Path,
    url: str,
    cases: int,
    budgets: Budgets,
    measurer: Measurer | None = None,
    small_url: str | None = None,
) -> None:
    """Seed, measure (the API's figures, or another benchmark's) and print, notes last. Given a
    second database, the API's lists are also timed on SMALL_CASES there, in turns with these."""
    password = secrets.token_urlsafe(16)
    apps = [make_app(workdir, url)]
    if small_url and measurer is None:
        apps.append(make_app(workdir, small_url))  # the same keys: names are sealed alike
    try:
        seeded = _seeded(apps[0], url, cases, password)
        if small_url and len(apps) > 1:
            _seeded(apps[1], small_url, SMALL_CASES, password)
        print(f"Measuring, up to {budgets.seconds:g} s each …", flush=True)
        load_before = os.getloadavg()[0]
        small = apps[1] if len(apps) > 1 else None
        measurements, notes = (measurer or _api_figures(small, cases))(apps[0], password, budgets)
        load = (load_before, os.getloadavg()[0])
        print()
        print(_heading(apps[0], seeded, budgets, load))
        print(report.table(measurements, baseline=measurements[0]))
        for note in notes:
            print(note)
    finally:
        for each in apps:
            each.extensions["homeward.engine"].dispose()


def _seeded(app: OpenAPI, url: str, cases: int, password: str) -> Seeded:
    with app.app_context():
        print(f"Seeding {cases:,} cases into {_backend(url)} …", flush=True)
        return seed(url, cases, password)


def _api_figures(small: OpenAPI | None, cases: int) -> Measurer:
    def figures(
        app: OpenAPI, password: str, budgets: Budgets
    ) -> tuple[list[Measurement], list[str]]:
        return measure_all(app, password, budgets, small, cases)

    return figures


def measure_all(
    app: OpenAPI,
    password: str,
    budgets: Budgets,
    small: OpenAPI | None = None,
    cases: int = 0,
) -> tuple[list[Measurement], list[str]]:
    """The baseline first, writes last (so lists see the seeded data), the baseline again; the
    lists in turns with the same lists on the small registry, when there is one."""
    client, engine = Client(app, password), app.extensions["homeward.engine"]
    measurements = [scenarios.health(client, budgets, "GET /healthz (baseline)")]
    measurements.append(scenarios.case_read(client, engine, budgets))
    notes = []
    if small is None:
        measurements += scenarios.case_lists(client, budgets)
    else:
        pairs = scenarios.case_lists_in_turns(Client(small, password), client, budgets)
        measurements += [large for _small, large in pairs]
        notes += ["", report.sizes(pairs, SMALL_CASES, cases)]
    measurements.append(scenarios.transitions(client, engine, budgets))
    measurements.append(scenarios.health(client, budgets, "GET /healthz (again, at the end)"))
    return measurements, notes


def _heading(app: OpenAPI, seeded: Seeded, budgets: Budgets, load: tuple[float, float]) -> str:
    engine: Engine = app.extensions["homeward.engine"]
    rows = ", ".join(f"{name} {count:,}" for name, count in seeded.rows.items())
    return "\n".join(
        [
            f"Homeward benchmark: {seeded.cases:,} cases on {_server(engine)}",
            f"seeded in {seeded.seconds:.1f} s: {rows}",
            f"Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, "
            f"{os.cpu_count()} CPUs, in-process WSGI, 1 thread; "
            f"each measurement up to {budgets.seconds:g} s after a warm-up",
            f"load average {load[0]:.2f} when measuring began, {load[1]:.2f} at the end "
            "(other work on the machine skews every figure; compare the two /healthz lines)",
            "÷ healthz: throughput as a share of /healthz's; "
            "p50 × healthz: median latency as a multiple of /healthz's",
            "",
        ]
    )


def _server(engine: Engine) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            version = connection.execute(text("SELECT sqlite_version()")).scalar_one()
            return f"SQLite {version} (file, WAL)"
        version = connection.execute(text("SHOW server_version")).scalar_one()
        return f"PostgreSQL {version}"


def _backend(url: str) -> str:
    parsed = make_url(url)
    return parsed.get_backend_name() + (f" at {parsed.host}:{parsed.port}" if parsed.host else "")


def _empty(url: str) -> None:
    """Leave the PostgreSQL database with an empty public schema, as the seed found none."""
    engine = loading_engine(url)
    try:
        reset_schema(engine)
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
