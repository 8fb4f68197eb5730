"""What the database says at the moment of a scrape: the audit chain's length and its last
checkpoint's age, the steps waiting and overdue per agency kind, and the sign-in counters that
make someone wait. Each is a few rows read by key or from the dashboard's tallies, never a walk
over cases or events, so a scrape costs the same at any size."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.models import AuditCheckpoint, AuditHead
from audit.trail import database_now
from workflow import transactions
from workflow.models import LoginThrottle, StageTally
from workflow.overdue import overdue_by_agency, tracks_by_key, waiting_kinds
from workflow.vocabulary import AgencyKind

# The sign-in counters by what they count (`workflow.identity.throttle`'s keys).
THROTTLES = {"address": "address:", "account": "account:", "address_and_account": "pair:"}


class DatabaseGauges:
    """A prometheus_client collector, read in the request that scrapes: the dashboard's own
    rules (`workflow.overdue`) say which agency kind a step waits on and when it is overdue."""

    def describe(self) -> list[Metric]:
        return []  # read only when scraped, never when registered

    def collect(self) -> Iterator[Metric]:
        db = transactions.session()
        now = database_now(db)
        yield from audit_gauges(db, now)
        yield _by_kind(
            "homeward_steps_waiting",
            "Steps of open cases waiting, per agency kind they wait on.",
            steps_waiting(db),
        )
        yield _by_kind(
            "homeward_steps_overdue",
            "Steps of open cases past their target, per agency kind.",
            overdue_by_agency(db, now),
        )
        yield throttled(db, now)


def audit_gauges(db: Session, now: datetime) -> Iterator[Metric]:
    head = db.get(AuditHead, 1)
    yield GaugeMetricFamily(
        "homeward_audit_chain_events", "Events in the audit chain.", head.seq if head else 0
    )
    last = db.scalar(select(AuditCheckpoint.body).order_by(AuditCheckpoint.id.desc()).limit(1))
    if last is not None:  # no checkpoint yet: no age, rather than a made-up one
        issued = datetime.fromisoformat(str(last["issued_at"]))
        yield GaugeMetricFamily(
            "homeward_audit_checkpoint_age_seconds",
            "Seconds since the last signed audit checkpoint was issued.",
            (now - issued).total_seconds(),
        )


def steps_waiting(db: Session) -> dict[AgencyKind, int]:
    """Open cases' steps per agency kind they wait on, from the tallies of open cases per
    workflow, track and state (a few rows per workflow)."""
    tracks = tracks_by_key(db)
    counts: Counter[AgencyKind] = Counter()
    stages = select(StageTally.workflow_id, StageTally.track, StageTally.state, StageTally.cases)
    for workflow_id, track, state, cases in db.execute(stages):
        if (workflow_id, track) in tracks:
            for kind in waiting_kinds(tracks[workflow_id, track], state):
                counts[kind] += cases
    return dict(counts)


def throttled(db: Session, now: datetime) -> Metric:
    """Sign-in counters that make sign-ins wait now, by what they count; never which."""
    gauge = GaugeMetricFamily(
        "homeward_sign_in_throttled",
        "Sign-in counters currently making sign-ins wait: per address, per account, per both.",
        labels=("counter",),
    )
    waiting = select(func.count()).where(LoginThrottle.locked_until > now)
    for counter, prefix in THROTTLES.items():
        count = db.scalar(waiting.where(LoginThrottle.key.startswith(prefix, autoescape=True)))
        gauge.add_metric((counter,), count or 0)
    return gauge


def _by_kind(name: str, documentation: str, counts: dict[AgencyKind, int]) -> Metric:
    """One sample per agency kind, 0 for those nothing waits on, so none is ever absent."""
    gauge = GaugeMetricFamily(name, documentation, labels=("agency_kind",))
    for kind in AgencyKind:
        gauge.add_metric((kind.value,), counts.get(kind, 0))
    return gauge
