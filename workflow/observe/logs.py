"""Log lines an operator's collector can read: one JSON object a line, carrying the request id
of the request it happened in. A record's text and its `fields` are all that is written: an
exception's text and traceback can carry SQL parameters, names included, so an exception is
named by its type and innermost line only, as `workflow.errors.log_safely` names it."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from flask import g, has_request_context

FIELDS = "fields"  # a record's structured fields: `log.info(..., extra={FIELDS: {...}})`


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, process, request id and the
    record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,  # which of the server's workers
        }
        if has_request_context() and "request_id" in g:
            line["request_id"] = g.request_id
        line.update(getattr(record, FIELDS, None) or {})
        if record.exc_info and record.exc_info[1] is not None:
            line["error"] = type(record.exc_info[1]).__name__
            line["at"] = innermost_line(record.exc_info[1])
        return json.dumps(line, ensure_ascii=False, default=str)


def innermost_line(error: BaseException) -> str:
    """Where an error was raised: the file and line of its innermost frame."""
    traceback = error.__traceback__
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    return f"{traceback.tb_frame.f_code.co_filename}:{traceback.tb_lineno}" if traceback else "?"


class StandardOutput(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the process's standard output as it is at each line, not as it was when the
    handler was made: a test's captured output, or a server's redirected one, gets them."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    def emit(self, record: logging.LogRecord) -> None:
        self.setStream(sys.stdout)
        super().emit(record)


def configure(log_format: str) -> None:
    """Write JSON lines to standard output, or leave logging as it is (`text`); calling it
    again replaces what the last call installed."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, StandardOutput)]:
        root.removeHandler(handler)
    json_lines = log_format == "json"
    logging.captureWarnings(json_lines)  # a library's warning is a JSON line too, not raw text
    if not json_lines:
        return
    handler = StandardOutput()
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
