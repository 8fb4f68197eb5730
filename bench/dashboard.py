"""`python -m bench.dashboard`: the dashboard at two sizes, beside /healthz and beside the same
figures recomputed from every case and step, as the page did before it read the tallies.

    python -m bench.dashboard [--sizes 1000 100000] [--seconds 3] [--database-url postgresql+psycopg://…]

Each size is seeded as `bench.run_all` seeds it (the tallies derived from the seeded history, as
migration 0009 derives them), then, in-process on one thread: /healthz, GET /dashboard as the
auditor signed in through the form, and the recomputation's four figures in one session. The
recomputation takes seconds at 100,000 cases, so it gets three timed calls. Nothing is asserted
about time: the run measures and prints, a table per size, then the dashboard across sizes.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
from pathlib import Path

from flask_openapi3 import OpenAPI

from bench import scenarios
from bench.client import Client
from bench.measure import Measurement, measure
from bench.pages import AUDITOR, Browser
from bench.run_all import Measurer, _empty, run
from bench.scenarios import Budgets
from bench.seed import sqlite_url
from tests.web import recomputed
from workflow.db import utcnow

DEFAULT_SIZES, DEFAULT_SECONDS = (1_000, 100_000), 3.0
DASHBOARD, HEALTH = "GET /dashboard", "GET /healthz (baseline)"


def main(argv: list[str] | None = None) -> int:
    """Seed each size in turn, time the dashboard there, print the tables and the comparison."""
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description=main.__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS, help="per figure")
    parser.add_argument("--database-url", help="a PostgreSQL URL; its public schema is replaced")
    args = parser.parse_args(argv)
    if min(args.sizes) < 1 or args.seconds <= 0:
        parser.error("--sizes and --seconds must be positive")
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    results: dict[int, dict[str, Measurement]] = {}
    for cases in args.sizes:
        with tempfile.TemporaryDirectory(prefix="homeward-dashboard-bench-") as directory:
            workdir = Path(directory)
            url = args.database_url or sqlite_url(workdir)
            try:
                run(workdir, url, cases, Budgets(args.seconds), _measurer(results, cases))
            finally:
                if args.database_url:
                    _empty(args.database_url)
        print()
    print(across_sizes(results))
    return 0


def _measurer(results: dict[int, dict[str, Measurement]], cases: int) -> Measurer:
    def measure_all(
        app: OpenAPI, password: str, budgets: Budgets
    ) -> tuple[list[Measurement], list[str]]:
        measured = measure_dashboard(app, password, budgets)
        results[cases] = {each.label: each for each in measured}
        return measured, []

    return measure_all


def measure_dashboard(app: OpenAPI, password: str, budgets: Budgets) -> list[Measurement]:
    """The baseline, the page, the recomputation of its figures, the baseline again."""
    client, auditor = Client(app, password), Browser(app, AUDITOR, password)
    return [
        scenarios.health(client, budgets, HEALTH),
        measure(DASHBOARD, lambda: auditor.get("/dashboard"), budgets.of(2_000, 5), "as auditor"),
        measure(
            "figures recomputed (the page before)",
            lambda: recompute(app),
            budgets.of(3, 1),
            "every case and step read; no page, no audit event",
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


def across_sizes(results: dict[int, dict[str, Measurement]]) -> str:
    """The dashboard's p50 and p95 at each size, and as multiples of /healthz's p50 then."""
    lines = ["GET /dashboard by size: p50 ms, p95 ms, p50 × /healthz p50, recomputation p50 ms"]
    for cases, measured in sorted(results.items()):
        page, health = measured[DASHBOARD], measured[HEALTH]
        before = measured["figures recomputed (the page before)"]
        lines.append(
            f"  {cases:>9,} cases: {page.p50_ms:8.2f} {page.p95_ms:8.2f} "
            f"{page.p50_ms / health.p50_ms:8.1f}×  {before.p50_ms:10.1f}"
        )
    if len(results) > 1:
        small, large = (results[size][DASHBOARD] for size in (min(results), max(results)))
        lines.append(
            f"  p95 at the largest size ÷ p95 at the smallest: {large.p95_ms / small.p95_ms:.2f}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
