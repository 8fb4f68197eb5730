"""The shapes of the auditor's JSON answers, as the OpenAPI document declares them.

Times in signed statements (checkpoints) stay strings: a client that checks a signature needs
the exact text that was signed, not a time parsed and written again."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class AuditEventOut(BaseModel):
    """One event of the trail, with the hashes that chain it to the one before."""

    seq: int
    at: str = Field(description="UTC, microseconds: `2026-01-15T09:30:00.000000Z`")
    actor: str | None
    role: str | None
    agency_kind: str | None
    agency_id: str | None
    action: str
    object_type: str | None
    object_id: str | None
    case_id: str | None
    case_reference: str | None
    detail: dict[str, Any]
    client_address: str | None
    request_id: str | None
    outcome: str
    purpose: str | None
    prev_hash: str
    hash: str


class EventPageOut(BaseModel):
    events: list[AuditEventOut]
    next_cursor: int | None = Field(description="send back as `cursor` for the next page")


class CheckpointOut(BaseModel):
    """The chain's head, signed with Ed25519; keep it outside Homeward."""

    seq: int
    head_hash: str
    merkle_root: str
    issued_at: str
    key_id: str
    signature: str


class CheckpointsOut(BaseModel):
    public_key: str = Field(description="PEM: the key that verifies the checkpoints")
    checkpoints: list[CheckpointOut]


class HeadOut(BaseModel):
    seq: int
    hash: str


class BreakOut(BaseModel):
    seq: int
    problem: str


class TrailVerdictOut(BaseModel):
    """Whether the chain, its head and every stored checkpoint still hold; where it broke."""

    ok: bool
    events: int
    head: HeadOut
    first_broken: BreakOut | None
    last_checkpoint: CheckpointOut | None


class GrantReviewOut(BaseModel):
    """A break-glass grant, why it was asked for, and the reads made under it."""

    grant: str
    actor: str
    case_reference: str
    granted_at: str
    expires_at: str
    reason: str
    accesses: list[AuditEventOut]


class SpreeOut(BaseModel):
    actor: str
    distinct_cases: int
    window_minutes: int


class ReviewReportOut(BaseModel):
    """What an auditor reviews over a window."""

    since: str
    until: str
    outside_need_to_know: list[AuditEventOut]
    break_glass: list[GrantReviewOut]
    reading_sprees: list[SpreeOut]
    outside_working_hours: list[AuditEventOut]


class InclusionProofOut(BaseModel):
    """RFC 6962: event `seq` is in the tree of the first `tree_size` events."""

    seq: int
    tree_size: int
    leaf: str
    root: str
    path: list[str]


class ConsistencyProofOut(BaseModel):
    """RFC 6962: the tree of `old_size` events is a prefix of the tree of `new_size`."""

    old_size: int
    new_size: int
    old_root: str
    new_root: str
    proof: list[str]
