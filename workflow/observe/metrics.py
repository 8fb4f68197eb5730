"""The request metrics, counted in every server process and added up when scraped.

Labels carry only the route's template (`/api/v1/cases/<uuid:case_id>`, never the address
asked for), the method, the status and an error code: nothing that names a person or a case,
and a bounded number of values whatever clients send."""

from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, values
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

# prometheus_client's own variable: the folder where each process keeps its counts.
PROCESS_FOLDER = "PROMETHEUS_MULTIPROC_DIR"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # the route of an address no rule knows
# From a cached read (a few ms) to a slow upload's check (seconds).
SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

_counted = CollectorRegistry()  # this process's counts, when it serves alone
REQUESTS = Counter(
    "homeward_http_requests",
    "Requests answered, by route template, method and status.",
    ("route", "method", "status"),
    registry=_counted,
)
DURATION = Histogram(
    "homeward_http_request_duration_seconds",
    "Time the application took to answer, by route template, method and status.",
    ("route", "method", "status"),
    buckets=SECONDS,
    registry=_counted,
)
SIGN_IN_FAILURES = Counter(
    "homeward_sign_in_failures",
    "Sign-ins refused, by the error answered (wrong credentials, throttled, second factor).",
    ("outcome",),
    registry=_counted,
)


def method_label(method: str) -> str:
    """The method, or `other`: a client may invent any number of methods."""
    return method if method in METHODS else "other"


def observe_request(route: str | None, method: str, status: int, seconds: float) -> None:
    labels = (route or UNMATCHED, method_label(method), str(status))
    REQUESTS.labels(*labels).inc()
    DURATION.labels(*labels).observe(seconds)


def count_sign_in_failure(outcome: str) -> None:
    SIGN_IN_FAILURES.labels(outcome[:40]).inc()


def count_across_processes(folder: str) -> None:
    """Keep this process's counts, and its children's, as files in `folder`, to be added up
    when scraped. prometheus_client picks where values live when it is imported, and the app
    (which imports it) is loaded before the server knows its folder: pick again, before any
    request is counted."""
    os.environ[PROCESS_FOLDER] = folder
    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]


def exposition(collectors: Iterable[Collector]) -> bytes:
    """Every process's request metrics, then what `collectors` read now, in Prometheus' text
    format."""
    registry = CollectorRegistry()
    folder = os.environ.get(PROCESS_FOLDER)
    if folder:
        MultiProcessCollector(registry, path=folder)  # type: ignore[no-untyped-call]
    else:
        registry.register(_counted)
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry)
