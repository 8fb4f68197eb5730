"""`python -m bench.pages`: the web pages beside the JSON API they are built on, and /healthz.

    python -m bench.pages [--cases 10000] [--seconds 5] [--database-url postgresql+psycopg://…]

Seeds a temporary database as `bench.run_all` does, then drives the WSGI app in-process on one
thread: the API with real tokens, the pages with a session cookie from the real sign-in form (its
CSRF token read from the HTML). Each page is timed in turns with its API call, for the same user
and the same cases, so whatever else the machine does slows both alike (the pair shares one time
limit); the detail column gives the page's median over the API's. /audit and /dashboard are
timed, as the auditor, only if they answer 200. No case data is printed. Nothing is asserted
about time: the run measures and prints.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import itertools
import re
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask_openapi3 import OpenAPI
from sqlalchemy import Engine
from werkzeug.test import TestResponse

from bench import scenarios
from bench.client import Client, UnexpectedResponse
from bench.measure import Budget, Measurement, measure, measure_in_turns
from bench.run_all import _empty, run
from bench.scenarios import REGISTRAR, Budgets, _assigned
from bench.seed import BUSY_LAWYER, sqlite_url

DEFAULT_CASES, DEFAULT_SECONDS = 10_000, 5.0
AUDITOR = "auditor"
LATER_PAGES = ("/audit", "/dashboard")  # being written; timed once they answer 200
CSRF_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A test client with its own cookies, signed in through the sign-in form if given a user."""

    def __init__(self, app: OpenAPI, username: str | None = None, password: str = "") -> None:
        self.http = app.test_client()
        if username:
            found = CSRF_TOKEN.search(self.get("/sign-in").get_data(as_text=True))
            if found is None:
                raise UnexpectedResponse("GET /sign-in: the form has no CSRF token")
            form = {"csrf_token": found[1], "username": username, "password": password}
            _check(self.http.post("/sign-in", data=form), 303)

    def get(self, path: str) -> TestResponse:
        """GET a page, expecting 200 (a page that lost its sign-in would redirect instead)."""
        return _check(self.http.get(path), 200)


def _check(response: TestResponse, status: int) -> TestResponse:
    if response.status_code != status:  # the body is not shown: a page may hold personal data
        request = response.request
        raise UnexpectedResponse(
            f"{request.method} {request.path}: expected {status}, got {response.status_code}"
        )
    return response


def main(argv: list[str] | None = None) -> int:
    """Seed, time the pages against the API and /healthz, print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=main.__doc__)
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES, help="cases to seed")
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS, help="per figure")
    parser.add_argument("--database-url", help="a PostgreSQL URL; its public schema is replaced")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.seconds <= 0:
        parser.error("--cases and --seconds must be positive")
    # Being stopped (SIGTERM) unwinds like Ctrl-C, so the temporary files are still removed.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="homeward-pages-bench-") as directory:
        workdir = Path(directory)
        url = args.database_url or sqlite_url(workdir)
        try:
            run(workdir, url, args.cases, Budgets(args.seconds), measure_all)
        finally:
            if args.database_url:
                _empty(args.database_url)
    return 0


def measure_all(
    app: OpenAPI, password: str, budgets: Budgets
) -> tuple[list[Measurement], list[str]]:
    """The baseline, the sign-in form, each page in turns with its API call, the later pages."""
    client = Client(app, password)
    client.sign_in(BUSY_LAWYER, REGISTRAR)
    lawyer, registrar = Browser(app, BUSY_LAWYER, password), Browser(app, REGISTRAR, password)
    anonymous = Browser(app)
    measurements = [
        scenarios.health(client, budgets, "GET /healthz (baseline)"),
        measure(
            "GET /sign-in (the form)", lambda: anonymous.get("/sign-in"), budgets.of(20_000, 50)
        ),
        *case_pages(client, lawyer, app.extensions["homeward.engine"], budgets),
        *list_pages(client, BUSY_LAWYER, lawyer, "/cases", budgets),
        *list_pages(client, REGISTRAR, registrar, "/queue", budgets, queue="agency"),
    ]
    later, skipped = later_pages(app, password, budgets)
    measurements += later
    measurements.append(scenarios.health(client, budgets, "GET /healthz (again, at the end)"))
    return measurements, skipped


def case_pages(
    client: Client, lawyer: Browser, engine: Engine, budgets: Budgets
) -> list[Measurement]:
    """GET /api/v1/cases/{id} and GET /cases/{id} in turns, over the same assigned cases."""
    assigned = _assigned(engine, BUSY_LAWYER, 2_000)
    # One cycle for each side: in every round both read the same case.
    turns = {api: itertools.cycle(assigned) for api in (True, False)}

    def read(api: bool) -> object:
        case_id = next(turns[api])
        if api:
            return client.get(BUSY_LAWYER, f"/api/v1/cases/{case_id}")
        return lawyer.get(f"/cases/{case_id}")

    labels = ("GET /api/v1/cases/{id}", "GET /cases/{id} (case page)")
    who = f"as {BUSY_LAWYER}, cycling over {len(assigned):,} assigned cases"
    return _paired(labels, read, budgets.of(20_000, 5), who)


def list_pages(
    client: Client, username: str, browser: Browser, path: str, budgets: Budgets, **query: str
) -> list[Measurement]:
    """The API's first page of 25 in turns with the web page that shows the same list."""
    total = (client.get(username, "/api/v1/cases", **query).json or {})["total"]

    def fetch(api: bool) -> object:
        return client.get(username, "/api/v1/cases", **query) if api else browser.get(path)

    api_label = "GET /api/v1/cases" + "".join(f"?{key}={value}" for key, value in query.items())
    who = f"as {username}; {total:,} match"
    return _paired((api_label, f"GET {path}"), fetch, budgets.of(2_000, 2), who)


def _paired(
    labels: tuple[str, str], request: Callable[[bool], object], budget: Budget, who: str
) -> list[Measurement]:
    api, page = measure_in_turns(labels, request, budget)
    ratio = page.p50_ms / api.p50_ms
    return [
        dataclasses.replace(api, detail=f"{who}; in turns with the page below"),
        dataclasses.replace(page, detail=f"{who}; p50 {ratio:.2f}× the API's"),
    ]


def later_pages(
    app: OpenAPI, password: str, budgets: Budgets
) -> tuple[list[Measurement], list[str]]:
    """The auditor's pages that answer 200; a note for each that does not, yet."""
    auditor, measured, skipped = Browser(app, AUDITOR, password), [], []
    for path in LATER_PAGES:
        status = auditor.http.get(path).status_code
        if status != 200:
            skipped.append(f"GET {path} not timed: it answered {status}")
            continue
        fetch = functools.partial(auditor.get, path)
        measured.append(measure(f"GET {path}", fetch, budgets.of(2_000, 3), f"as {AUDITOR}"))
    return measured, skipped


if __name__ == "__main__":
    sys.exit(main())
