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


def measure_in_turns(
    labels: tuple[str, str], request: Callable[[bool], object], budget: Budget
) -> tuple[Measurement, Measurement]:
    """Time `request(True)` and `request(False)` in turns, each first every other round, so that
    whatever else the machine does slows both alike."""
    latencies: dict[bool, list[float]] = {True: [], False: []}
    deadline = perf_counter() + budget.seconds
    for turn in range(budget.warmup + budget.iterations):
        for side in (True, False) if turn % 2 == 0 else (False, True):
            before = perf_counter()
            request(side)
            latencies[side].append(perf_counter() - before)
        if perf_counter() >= deadline and turn >= budget.warmup + MIN_SAMPLES:
            break
    timed = {side: each[budget.warmup :] for side, each in latencies.items()}
    return (
        Measurement(labels[0], timed[True], sum(timed[True])),
        Measurement(labels[1], timed[False], sum(timed[False])),
    )
