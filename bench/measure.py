"""Timing: warm up, then call a request repeatedly for a number of iterations or a time limit."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter

MIN_SAMPLES = 5  # a slow request still gets enough samples for its percentiles to mean something


@dataclass(frozen=True)
class Budget:
    """How long one measurement may run: whichever of the two limits comes first."""

    iterations: int
    seconds: float
    warmup: int


@dataclass(frozen=True)
class Measurement:
    """The durations of the timed requests of one measurement, and the wall time they took."""

    label: str
    latencies: list[float]
    elapsed: float
    detail: str = ""

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.count / self.elapsed

    @property
    def p50_ms(self) -> float:
        return self.percentile(50)

    @property
    def p95_ms(self) -> float:
        return self.percentile(95)

    def percentile(self, rank: int) -> float:
        """The latency below which `rank` per cent of the requests finished, in milliseconds."""
        if self.count == 1:
            return self.latencies[0] * 1000
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[rank - 1] * 1000


def measure(
    label: str, request: Callable[[], object], budget: Budget, detail: str = ""
) -> Measurement:
    """Warm up, then time each call of `request` until the budget runs out."""
    for _ in range(budget.warmup):
        request()
    latencies: list[float] = []
    started = perf_counter()
    deadline = started + budget.seconds
    while len(latencies) < budget.iterations:
        before = perf_counter()
        request()
        after = perf_counter()
        latencies.append(after - before)
        if after >= deadline and len(latencies) >= MIN_SAMPLES:
            break
    return Measurement(label, latencies, perf_counter() - started, detail)
