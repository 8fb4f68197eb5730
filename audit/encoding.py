"""Each event's canonical bytes, rebuilt by the database from the columns as they are stored.

Verification always hashes the text an event keeps (`audit.stored`). Where the columns must be
checked too (where the catalogue, or SQLite's schema, does not vouch for them, or when asked to
check every column), it hashes these rebuilt bytes as well, instead of reading
every row into Python and encoding it there.
Every expression below gives distinct bytes for distinct stored values, so bytes that hash to the
stored hash are the bytes the hash was made from: the row still holds what it held then. A value
stored in any other form than the canonical one (a `detail` written before its text was
canonical, a UUID in capitals, a wrong storage class) gives other bytes, and that row is checked
the slow way, by `audit.chain`, with the same verdict as ever.
"""

from __future__ import annotations

UUIDS = ("actor_id", "agency_id", "case_id")
# The hashed fields in sorted order, as canonical JSON writes them; `detail` splits them in two.
BEFORE_DETAIL = (
    "action",
    "actor_id",
    "agency_id",
    "agency_kind",
    "at",
    "case_id",
    "case_reference",
    "client_address",
)
AFTER_DETAIL = (
    "object_id",
    "object_type",
    "outcome",
    "prev_hash",
    "purpose",
    "request_id",
    "role",
    "seq",
    "username",
)


def canonical_bytes(dialect: str) -> str:
    """The SQL expression of an `audit_events` row's canonical bytes on this dialect."""
    return _postgresql() if dialect == "postgresql" else _sqlite()


def hash_matches(dialect: str) -> str:
    """The SQL that says whether a row's bytes hash to its hash; NULL where Python must hash."""
    if dialect != "postgresql":
        return "NULL"
    return f"encode(sha256({_postgresql()}), 'hex') = hash"


def _sqlite() -> str:
    # json_object quotes text exactly as Python's json does (checked over every code point) and
    # fails on a BLOB, which sends the whole batch the slow way.
    before = ", ".join(f"'{name}', {_sqlite_value(name)}" for name in BEFORE_DETAIL)
    after = ", ".join(f"'{name}', {name}" for name in AFTER_DETAIL)
    detail = "CASE WHEN typeof(detail) = 'text' AND json_valid(detail) THEN detail END"
    return (
        f"CAST(rtrim(json_object({before}), '}}') || ',\"detail\":' || {detail} || ','"
        f" || ltrim(json_object({after}), '{{') AS BLOB)"
    )


def _sqlite_value(name: str) -> str:
    if name in UUIDS:  # stored as 32 hex digits; dashes go in by position, never by truncation
        pieces = " || '-' || ".join(
            f"substr({name}, {start}{length})"
            for start, length in ((1, ", 8"), (9, ", 4"), (13, ", 4"), (17, ", 4"), (21, ""))
        )
        return f"CASE typeof({name}) WHEN 'text' THEN {pieces} WHEN 'null' THEN NULL ELSE '-' END"
    if name == "at":  # stored as 'YYYY-MM-DD HH:MM:SS.ffffff', always in UTC
        return (
            "CASE WHEN typeof(at) = 'text' AND substr(at, 11, 1) = ' '"
            " THEN substr(at, 1, 10) || 'T' || substr(at, 12) || 'Z' ELSE '-' END"
        )
    return name


def _postgresql() -> str:
    fields = [*BEFORE_DETAIL, "detail", *AFTER_DETAIL]
    pieces = " || ',' || ".join(f"'\"{name}\":' || {_postgresql_value(name)}" for name in fields)
    return f"convert_to('{{' || {pieces} || '}}', 'UTF8')"


def _postgresql_value(name: str) -> str:
    if name in UUIDS:
        return f"coalesce('\"' || {name}::text || '\"', 'null')"
    if name == "at":
        return "'\"' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') || '\"'"
    if name == "detail":
        return "detail::text"  # a json column keeps the text it was given, always valid JSON
    if name == "seq":
        return "seq::text"
    return f"coalesce(to_json({name})::text, 'null')"
