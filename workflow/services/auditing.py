"""The auditor's reading of the trail: pages of events, one case's accesses, exports and the
chain's verification, each noting the trail (an auditor's reading is audited too)."""

from __future__ import annotations

from typing import Any

from audit import checkpoints, exports, queries
from audit.models import AuditEvent
from audit.recorder import named_filters, note
from audit.schemas import EventFilter, ExportQuery
from audit.verification import verify_trail
from workflow import transactions
from workflow.services.downloads import Download

EXPORT_TYPES = {"csv": "text/csv", "jsonl": "application/x-ndjson"}


def events_page(
    query: EventFilter, *, newest_first: bool = False
) -> tuple[list[AuditEvent], int | None]:
    """The events matching the filters, one page after the cursor (before it, newest first)."""
    events, next_cursor = queries.page(transactions.session(), query, newest_first=newest_first)
    note(detail={"filters": named_filters(query), "returned": len(events)})
    return events, next_cursor


def case_accesses(case: str) -> tuple[list[AuditEvent], int | None]:
    """The first events about one case, by id or reference."""
    events, next_cursor = queries.page(transactions.session(), EventFilter(case=case, limit=500))
    note(object_type="case", object_id=case, detail={"returned": len(events)})
    return events, next_cursor


def export(query: ExportQuery) -> tuple[Download, int | None]:
    """The filtered events as a CSV or JSON Lines file, and the cursor of the next page."""
    events, next_cursor = queries.page(transactions.session(), query)
    rows = [queries.event_json(event) for event in events]
    body = exports.csv_text(rows) if query.format == "csv" else exports.json_lines(rows)
    note(detail={"filters": named_filters(query), "returned": len(rows), "format": query.format})
    download = Download(body.encode(), EXPORT_TYPES[query.format], f"audit.{query.format}")
    return download, next_cursor


def verify_now() -> dict[str, Any]:
    """Verify the whole trail against the stored checkpoints, with the checkpoint key."""
    return verify_trail(transactions.session(), checkpoints.signing_key().public_key())
