"""`python -m bench.operations`: what an operator's monitoring costs, at two sizes, beside
/healthz: /readyz, a /metrics scrape (its gauges read from the database at each scrape), and a
case read with the request line logged as JSON and as text.

    python -m bench.operations [--sizes 1000 20000] [--seconds 3]

Both sizes are seeded first, each into a SQLite database of its own, as `bench.run_all` seeds.
Then, in-process on one thread: /healthz; /readyz; /metrics at one size and the other in turns,
so that whatever else the machine does slows both alike; a case read at the smaller size with
JSON and with text log lines, in turns; /healthz again. Nothing is asserted about time: the run
measures and prints.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import os
import signal
import sys
from contextlib import ExitStack, redirect_stdout

from bench import report, scenarios
from bench.client import Client
from bench.dashboard import Site, _heading, _site  # seeded the same way, headed the same
from bench.measure import Measurement, measure, measure_in_turns
from bench.scenarios import BUSY_LAWYER, Budgets, _assigned
from workflow.observe import logs

DEFAULT_SIZES, DEFAULT_SECONDS = (1_000, 20_000), 3.0


def main(argv: list[str] | None = None) -> int:
    """Seed both sizes, time the operator's endpoints, print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.operations", description=main.__doc__)
    parser.add_argument("--sizes", type=int, nargs=2, default=list(DEFAULT_SIZES))
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS, help="per figure")
    args = parser.parse_args(argv)
    if min(args.sizes) < 1 or args.seconds <= 0:
        parser.error("--sizes and --seconds must be positive")
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    with ExitStack() as stack:
        sites = [stack.enter_context(_site(size, None)) for size in args.sizes]
        print(f"Measuring, up to {args.seconds:g} s each …", flush=True)
        load_before = os.getloadavg()[0]
        measurements = measure_all(sites, Budgets(args.seconds))
        print()
        load = (load_before, os.getloadavg()[0])
        print(_heading(sites, args.seconds, load, title="operations"))
        print(report.table(measurements, baseline=measurements[0]))
    return 0


def measure_all(sites: list[Site], budgets: Budgets) -> list[Measurement]:
    """The baseline, readiness, a scrape at both sizes in turns, a read logged both ways, the
    baseline again."""
    small = sites[0]
    client = Client(small.app, small.password)
    clients = {site is small: Client(site.app, site.password) for site in sites}
    labels = tuple(f"GET /metrics, {site.seeded.cases:,} cases" for site in sites)
    scrapes = measure_in_turns(
        (labels[0], labels[1]),
        lambda is_small: clients[is_small].get(None, "/metrics"),
        Budgets(2 * budgets.seconds).of(5_000, 20),
    )
    ratio = scrapes[1].p95_ms / scrapes[0].p95_ms
    reads = _reads_logged_both_ways(small, client, budgets)
    return [
        scenarios.health(client, budgets, "GET /healthz (baseline)"),
        measure(
            "GET /readyz",
            lambda: client.get(None, "/readyz"),
            budgets.of(50_000, 200),
            "the database answers, at the head revision",
        ),
        dataclasses.replace(scrapes[0], detail="in turns with the next"),
        dataclasses.replace(scrapes[1], detail=f"p95 {ratio:.2f}× the smaller's"),
        *reads,
        scenarios.health(client, budgets, "GET /healthz (again, at the end)"),
    ]


def _reads_logged_both_ways(
    site: Site, client: Client, budgets: Budgets
) -> tuple[Measurement, Measurement]:
    """A case read with its request line written as JSON (to /dev/null, so that the terminal's
    speed is not what is measured) and with `text`, where the application writes none (gunicorn's
    access log does), in turns."""
    engine = site.app.extensions["homeward.engine"]
    case_ids = itertools.cycle(_assigned(engine, BUSY_LAWYER, 2_000))
    client.sign_in(BUSY_LAWYER)

    def read(as_json: bool) -> object:
        logs.configure("json" if as_json else "text")
        return client.get(BUSY_LAWYER, f"/api/v1/cases/{next(case_ids)}")

    with open(os.devnull, "w", encoding="utf-8") as nowhere, redirect_stdout(nowhere):
        try:
            return measure_in_turns(
                ("GET /api/v1/cases/{id}, JSON line", "GET /api/v1/cases/{id}, no line (text)"),
                read,
                Budgets(2 * budgets.seconds).of(50_000, 50),
            )
        finally:
            logs.configure("text")


if __name__ == "__main__":
    sys.exit(main())
