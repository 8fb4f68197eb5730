"""The auditor's query parameters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from workflow.text import exact_token

Token = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(exact_token)]


def _as_utc(moment: datetime) -> datetime:
    """A time given without a zone is taken as UTC, the trail's own clock."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


Moment = Annotated[datetime, AfterValidator(_as_utc)]
# Sequence numbers are BIGINT: a larger one names no event, and the driver would fail on it.
Seq = Annotated[int, Field(ge=1, le=2**63 - 1)]


class EventFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actor: Token | None = None
    case: Token | None = None
    action: Annotated[str, Field(pattern=r"^[a-z_.]{1,60}$")] | None = None
    outcome: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,40}$")] | None = None
    since: Moment | None = None
    until: Moment | None = None
    cursor: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    limit: Annotated[int, Field(ge=1, le=500)] = 100


class ExportQuery(EventFilter):
    format: Literal["csv", "jsonl"] = "jsonl"
    limit: Annotated[int, Field(ge=1, le=100_000)] = 100_000


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: Moment | None = None
    until: Moment | None = None


class CasePath(BaseModel):
    case: Token


class InclusionQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seq: Seq
    size: Seq | None = None


class ConsistencyQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    old: Seq
    new: Seq | None = None
