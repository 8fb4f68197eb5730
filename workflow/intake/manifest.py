"""Reading an untrusted CSV manifest: its encoding, its size, its header and its rows as text.

Nothing here touches the database: the file is read whole in memory (within the byte cap the
caller gives) and taken apart before any transaction begins."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from workflow.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from workflow.intake.columns import KNOWN, REQUIRED

if TYPE_CHECKING:
    import _csv

UTF8_BOM = b"\xef\xbb\xbf"
WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16 and UTF-32, as some spreadsheets save "Unicode"
# A column's name is echoed back only when it cannot be anything but a column's name.
_PLAIN_NAME = re.compile(r"^[a-z0-9_]{1,40}$")


@dataclass(frozen=True)
class Limits:
    rows: int
    bytes: int


@dataclass
class RawRow:
    """One record of the file: the line it starts on, its cells by column, what is wrong with it
    as a record (before its contents are looked at)."""

    line: int
    cells: dict[str, str]
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, problem)


def read_manifest(raw: bytes, limits: Limits) -> list[RawRow]:
    """The manifest's rows, blank lines skipped; the file refused whole when it is not UTF-8
    text, too large, not CSV, or its header is wrong."""
    if len(raw) > limits.bytes:
        raise PayloadTooLarge(f"The manifest is larger than {limits.bytes} bytes.")
    reader = csv.reader(io.StringIO(_decode(raw), newline=""), strict=True)
    try:
        columns = _header(next(reader, None))
        return _rows(reader, columns, limits.rows)
    except csv.Error:
        raise InvalidInput(
            "The manifest is not valid CSV; no row was read.",
            [{"row": reader.line_num, "column": "(row)", "problem": "malformed_csv"}],
        ) from None


def _decode(raw: bytes) -> str:
    if raw.startswith(WIDE_BOMS):
        raise UnsupportedMediaType("The manifest is saved as UTF-16; save it as CSV UTF-8.")
    try:
        return raw.removeprefix(UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnsupportedMediaType(
            "The manifest is not UTF-8 text (the byte at offset "
            f"{error.start} is not); save it as CSV UTF-8."
        ) from None


def _header(header: list[str] | None) -> list[str]:
    if not header or not any(cell.strip() for cell in header):
        raise InvalidInput(
            "The manifest is empty: its first line must name the columns.",
            [{"row": 1, "column": "(header)", "problem": "missing_header"}],
        )
    columns = [cell.strip().casefold() for cell in header]
    problems = [
        {"row": 1, "column": _shown(name, i), "problem": "unknown_column"}
        for i, name in enumerate(columns)
        if name not in KNOWN
    ]
    problems += [
        {"row": 1, "column": name, "problem": "duplicate_column"}
        for i, name in enumerate(columns)
        if name in KNOWN and name in columns[:i]
    ]
    problems += [
        {"row": 1, "column": name, "problem": "missing_column"}
        for name in REQUIRED
        if name not in columns
    ]
    if problems:
        raise InvalidInput("The manifest's columns are wrong; no row was read.", problems)
    return columns


def _shown(name: str, position: int) -> str:
    return name if _PLAIN_NAME.match(name) else f"(column {position + 1})"


def _rows(reader: _csv.Reader, columns: list[str], most: int) -> list[RawRow]:
    rows: list[RawRow] = []
    line = reader.line_num + 1
    for record in reader:
        if any(cell.strip() for cell in record):
            if len(rows) == most:
                raise PayloadTooLarge(f"The manifest has more than {most} rows.")
            rows.append(_row(line, record, columns))
        line = reader.line_num + 1
    return rows


def _row(line: int, record: list[str], columns: list[str]) -> RawRow:
    row = RawRow(line, dict(zip(columns, record, strict=False)))
    if len(record) > len(columns):
        row.problems.append(("(row)", "extra_cells"))
    return row
