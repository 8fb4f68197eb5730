"""The printed table: each figure beside the /healthz baseline measured in the same run."""

from __future__ import annotations

from bench.measure import Measurement

COLUMNS = (
    f"{'measurement':<48} {'n':>7} {'req/s':>9} {'÷ healthz':>9} "
    f"{'p50 ms':>8} {'p95 ms':>8} {'p50 × healthz':>13}  detail"
)


def table(measurements: list[Measurement], baseline: Measurement) -> str:
    """One line per measurement: throughput and latency, and both relative to the baseline."""
    lines = [COLUMNS, "-" * len(COLUMNS)]
    lines += [_line(measurement, baseline) for measurement in measurements]
    return "\n".join(lines)


def _line(measurement: Measurement, baseline: Measurement) -> str:
    throughput = measurement.per_second / baseline.per_second
    latency = measurement.p50_ms / baseline.p50_ms
    return (
        f"{measurement.label:<48} {measurement.count:>7,} {measurement.per_second:>9.1f} "
        f"{throughput:>9.3f} {measurement.p50_ms:>8.2f} {measurement.p95_ms:>8.2f} "
        f"{latency:>12.1f}×  {measurement.detail}"
    )


def sizes(pairs: list[tuple[Measurement, Measurement]], small: int, large: int) -> str:
    """Each list at two registry sizes, timed in turns, and how its latency grew between them."""
    heading = (
        f"{'list (timed in turns)':<48} {f'{small:,} p50':>10} {f'{small:,} p95':>10} "
        f"{f'{large:,} p50':>11} {f'{large:,} p95':>11} {'p95 ratio':>9}  detail"
    )
    lines = [heading, "-" * len(heading)]
    for little, big in pairs:
        lines.append(
            f"{big.label:<48} {little.p50_ms:>10.2f} {little.p95_ms:>10.2f} {big.p50_ms:>11.2f} "
            f"{big.p95_ms:>11.2f} {big.p95_ms / little.p95_ms:>8.2f}×  "
            f"{little.detail} → {big.detail.split('; ')[-1]}"
        )
    return "\n".join(lines)
