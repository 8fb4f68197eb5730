"""Benchmark migrations 0024 and 0025 over a trail written before them: rebuilding the events
table as each event's canonical text with its columns derived from it, then (on SQLite) again
with those columns virtual, against writing the same events in the first place (the baseline,
measured in the same run).

    python -m bench.audit_migration [--events 1000000] [--database-url postgresql+psycopg://…]

A PostgreSQL database given with --database-url has its public schema replaced: give the
benchmark one of its own.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import perf_counter

from sqlalchemy import Engine, insert, update
from sqlalchemy.orm import Session

from audit import stored, walk
from audit.chain import event_hash
from audit.models import AuditEvent, AuditHead
from bench.audit_trail import BATCH, fresh_database, synthetic_event
from workflow import db, migrations


def main() -> None:
    options = _options()
    with tempfile.TemporaryDirectory(prefix="homeward-migration-bench-") as folder:
        url = options.database_url or f"sqlite:///{Path(folder) / 'homeward.sqlite3'}"
        fresh_database(url)
        engine = db.build_engine(url)
        migrations.upgrade(engine, "0023")
        started = perf_counter()
        _fill_plain(engine, options.events)
        filled = perf_counter() - started
        started = perf_counter()
        migrations.upgrade(engine, "0024")
        migrated = perf_counter() - started
        started = perf_counter()
        migrations.upgrade(engine)
        virtual = perf_counter() - started
        with Session(engine) as session:
            assert stored.reading(session.connection()).text
            walked = walk.walk(session, walk.Start(), [], BATCH)
        assert (walked.count, walked.broken, walked.slow) == (options.events, None, 0)
        engine.dispose()
        fresh_database(url)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    cores = os.cpu_count()
    print(f"Migrations 0024, 0025 ({engine.dialect.name}; load average {load} on {cores} cores):")
    print(f"  writing {options.events:,} events under 0023 (baseline)  {_rate(filled, options)}")
    print(f"  migrating them to 0024                        {_rate(migrated, options)}")
    print(f"  then to 0025 (indexes; SQLite: columns virtual) {_rate(virtual, options)}")
    print(
        f"  migration ÷ writing: 0024 {migrated / filled:.2f}x, 0025 {virtual / filled:.2f}x;"
        " every event verified by its text after"
    )


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="a PostgreSQL URL; its public schema is replaced")
    return parser.parse_args()


def _fill_plain(engine: Engine, events: int) -> None:
    """Events written as every release before 0024 wrote them: one plain column a field."""
    start, previous, table = datetime.now(UTC) - timedelta(days=30), "0" * 64, AuditEvent.__table__
    with engine.begin() as connection:
        for low in range(1, events + 1, BATCH):
            rows = []
            for seq in range(low, min(low + BATCH, events + 1)):
                row = synthetic_event(
                    seq, start + timedelta(seconds=seq, microseconds=seq % 997), previous
                )
                previous = row["hash"] = event_hash(row)
                rows.append(row)
            connection.execute(insert(table), rows)
        connection.execute(update(AuditHead).values(seq=events, hash=previous))


def _rate(seconds: float, options: argparse.Namespace) -> str:
    return f"{seconds:7.1f} s {options.events / seconds:>9,.0f} events/s"


if __name__ == "__main__":
    main()
