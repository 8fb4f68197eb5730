"""`python -m bench.dashboard`: the dashboard at two sizes in turns, beside /healthz and beside
the same figures recomputed from every case and step, as the page did before the tallies.

    python -m bench.dashboard [--sizes 1000 100000] [--seconds 3]
                              [--database-url postgresql+psycopg://…/a --database-url …/b]

Both sizes are seeded first, each into a database of its own, as `bench.run_all` seeds (the
tallies derived from the seeded history, as migration 0009 derives them). Then, in-process on
one thread: /healthz; GET /dashboard as the auditor (signed in through the form) at one size and
the other in turns, so that whatever else the machine does slows both alike; the recomputation
of the four figures at each size (three timed calls: it takes seconds at 100,000 cases);
/healthz again. Nothing is asserted about time: the run measures and prints.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import secrets
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask_openapi3 import OpenAPI

from bench import report, scenarios
from bench.client import Client
from bench.measure import Measurement, measure, measure_in_turns
from bench.pages import AUDITOR, Browser
from bench.run_all import _backend, _empty, _server
from bench.scenarios import Budgets
from bench.seed import Seeded, seed, sqlite_url, throwaway_app
from tests.web import recomputed
from workflow.db import utcnow

DEFAULT_SIZES, DEFAULT_SECONDS = (1_000, 100_000), 3.0


@dataclass(frozen=True)
class Site:
    """A seeded database and the application serving it."""

    app: OpenAPI
    password: str
    seeded: Seeded


def main(argv: list[str] | None = None) -> int:
    """Seed both sizes, time the dashboard at each in turns, print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description=main.__doc__)
    parser.add_argument("--sizes", type=int, nargs=2, default=list(DEFAULT_SIZES))
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS, help="per figure")
    parser.add_argument(
        "--database-url",
        action="append",
        help="PostgreSQL, once for each size, each its own database; their public schemas are "
        "replaced",
    )
    args = parser.parse_args(argv)
    if min(args.sizes) < 1 or args.seconds <= 0:
        parser.error("--sizes and --seconds must be positive")
    if args.database_url and len(args.database_url) != 2:
        parser.error("give --database-url once for each size")
    # Being stopped (SIGTERM) unwinds like Ctrl-C, so the temporary files are still removed.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    with ExitStack() as stack:
        urls = args.database_url or [None, None]
        sites = [
            stack.enter_context(_site(size, url))
            for size, url in zip(args.sizes, urls, strict=True)
        ]
        print(f"Measuring, up to {args.seconds:g} s each …", flush=True)
        load_before = os.getloadavg()[0]
        measurements = measure_all(sites, Budgets(args.seconds))
        print()
        print(_heading(sites, args.seconds, (load_before, os.getloadavg()[0])))
        print(report.table(measurements, baseline=measurements[0]))
    return 0


@contextmanager
def _site(cases: int, url: str | None) -> Iterator[Site]:
    """A database of `cases` seeded cases served by the application, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="homeward-dashboard-bench-") as directory:
        workdir = Path(directory)
        url = url or sqlite_url(workdir)
        password = secrets.token_urlsafe(16)
        app = throwaway_app(workdir, url)
        try:
            with app.app_context():
                print(f"Seeding {cases:,} cases into {_backend(url)} …", flush=True)
                seeded = seed(url, cases, password)
            yield Site(app, password, seeded)
        finally:
            app.extensions["homeward.engine"].dispose()
            if url.startswith("postgresql"):
                _empty(url)


def measure_all(sites: list[Site], budgets: Budgets) -> list[Measurement]:
    """The baseline, the page at both sizes in turns, each recomputation, the baseline again."""
    small = sites[0]
    client = Client(small.app, small.password)
    browsers = {site is small: Browser(site.app, AUDITOR, site.password) for site in sites}
    labels = tuple(f"GET /dashboard, {site.seeded.cases:,} cases" for site in sites)
    pages = measure_in_turns(  # the pair shares twice one figure's time
        (labels[0], labels[1]),
        lambda is_small: browsers[is_small].get("/dashboard"),
        Budgets(2 * budgets.seconds).of(2_000, 5),
    )
    ratio = pages[1].p95_ms / pages[0].p95_ms
    return [
        scenarios.health(client, budgets, "GET /healthz (baseline)"),
        dataclasses.replace(pages[0], detail=f"as {AUDITOR}; in turns with the next"),
        dataclasses.replace(pages[1], detail=f"p95 {ratio:.2f}× the smaller's"),
        *(
            measure(
                f"figures recomputed, {site.seeded.cases:,} cases",
                lambda site=site: recompute(site.app),
                budgets.of(3, 1),
                "the page before the tallies: every case and step read",
            )
            for site in sites
        ),
        scenarios.health(client, budgets, "GET /healthz (again, at the end)"),
    ]


def recompute(app: OpenAPI) -> None:
    """The four figures as the dashboard computed them before the tallies, in a read session."""
    with app.extensions["homeward.read_sessions"]() as session:
        recomputed.cases_by_status(session)
        recomputed.open_cases_by_stage(session)
        recomputed.stage_times(session)
        recomputed.overdue_by_agency(session, utcnow())


def _heading(
    sites: list[Site], seconds: float, load: tuple[float, float], title: str = "dashboard"
) -> str:
    seeded = ", ".join(
        f"{site.seeded.cases:,} in {site.seeded.seconds:.0f} s "
        f"({site.seeded.rows['transition_history']:,} steps)"
        for site in sites
    )
    server = _server(sites[0].app.extensions["homeward.engine"])
    return "\n".join(
        [
            f"Homeward {title} benchmark on {server}",
            f"seeded {seeded}; {os.cpu_count()} CPUs, in-process WSGI, 1 thread; "
            f"each measurement up to {seconds:g} s after a warm-up",
            f"load average {load[0]:.2f} when measuring began, {load[1]:.2f} at the end",
            "",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
