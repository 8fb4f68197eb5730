"""Domain errors: each with a stable machine code, a message safe to show anyone, and the
status the contract answers it with. How an error becomes a response (JSON for the API, a page
for a person) is `workflow.http.errors`' business; nothing here knows of HTTP."""

from __future__ import annotations

import logging
import re
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm.exc import StaleDataError

log = logging.getLogger(__name__)
# Pydantic quotes pieces of the input in backticks (e.g. "found `l` at 1"); those never go back.
_QUOTED = re.compile(r"`[^`]*`")


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorBody(BaseModel):
    """Every error the API returns."""

    error: ErrorDetail


class HomewardError(Exception):
    """An error with a status, a stable machine code and a message safe to show anyone."""

    status = 400
    code = "bad_request"
    headers: dict[str, str] = {}  # replaced per instance, never mutated
    localized = False  # the message is already in the reader's language (a web page's)
    expected = False  # a server-side refusal the operator need not hear of (busy, not broken)

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotAuthenticated(HomewardError):
    status, code = 401, "not_authenticated"


class SecondFactorRequired(NotAuthenticated):
    """The password was right; the account's second factor must be shown too."""

    code = "second_factor_required"

    def __init__(self, message: str, user_id: Any = None) -> None:
        super().__init__(message)
        self.user_id = user_id  # for the pages' second step; never in an answer


class NotPermitted(HomewardError):
    status, code = 403, "not_permitted"


class EnrolmentRequired(NotPermitted):
    """The account must set up its second factor before it may do anything else."""

    code = "second_factor_enrolment_required"


class NotFound(HomewardError):
    status, code = 404, "not_found"


class WrongState(HomewardError):
    status, code = 409, "wrong_state"


class PrerequisiteMissing(HomewardError):
    status, code = 409, "prerequisite_missing"


class StaleVersion(HomewardError):
    status, code = 409, "stale_version"


class Conflict(HomewardError):
    status, code = 409, "conflict"


class PossibleDuplicate(Conflict):
    """The child may already have a case: the details name the agency that holds it."""

    code = "possible_duplicate"


class AlreadyEnrolled(Conflict):
    code = "second_factor_exists"


class PayloadTooLarge(HomewardError):
    status, code = 413, "too_large"


class UnsupportedMediaType(HomewardError):
    status, code = 415, "unsupported_media_type"


class TooManyAttempts(HomewardError):
    status, code = 429, "too_many_attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, {"retry_after": retry_after})
        self.headers = {"Retry-After": str(retry_after)}


class InvalidInput(HomewardError):
    status, code = 422, "invalid_input"


class BodyTooSlow(HomewardError):
    status, code = 408, "request_timeout"


class PreconditionRequired(HomewardError):
    status, code = 428, "precondition_required"


class HeadersTooLarge(HomewardError):
    status, code = 431, "headers_too_large"


class TimestampUnavailable(HomewardError):
    """The timestamp authority a form's signature needs did not answer in time, or refused."""

    status, code = 503, "timestamp_unavailable"


class IntegrityFailure(HomewardError):
    """Stored data failed its integrity check: it was changed outside Homeward, or lost."""

    status, code = 500, "integrity_failure"


class InternalError(HomewardError):
    status, code = 500, "internal_error"


def field_errors(
    error: ValidationError, prefix: tuple[str | int, ...] = ()
) -> list[dict[str, Any]]:
    """Name each failing field; never echo the submitted value back."""
    return [
        {
            "field": ".".join(str(part) for part in (*prefix, *item["loc"]) if not _tag(part))
            or "(body)",
            "problem": item["type"],
            "message": _QUOTED.sub("…", item["msg"]),
        }
        for item in error.errors(include_url=False, include_input=False, include_context=False)
    ]


def _tag(part: str | int) -> bool:
    """A tagged union's tag in an error's location, "(…)", names no field."""
    return isinstance(part, str) and part.startswith("(")


def invalid(error: ValidationError, prefix: tuple[str | int, ...] = ()) -> InvalidInput:
    return InvalidInput("The request has invalid or missing fields.", field_errors(error, prefix))


def field_problem(field: str, problem: str, message: str) -> InvalidInput:
    """A refusal naming one field, what is wrong with it, and what to do instead."""
    return InvalidInput(
        "The request has invalid or missing fields.",
        [{"field": field, "problem": problem, "message": message}],
    )


def as_homeward(error: BaseException) -> HomewardError:
    """Any error as a HomewardError with a status, a code and a message safe to show; an
    unexpected one is logged safely and shown as an internal error."""
    if isinstance(error, HomewardError):
        if error.status >= 500 and not error.expected:
            log_safely(error)  # the operator must hear of stored data that fails its checks
        return error
    if isinstance(error, StaleDataError):
        return stale()
    log_safely(error)
    return InternalError("Something went wrong; nothing was saved.")


def stale() -> StaleVersion:
    """A version check lost at flush, said as the optimistic lock says it."""
    return StaleVersion("Someone else changed this case first; reload it and try again.")


def log_safely(error: BaseException) -> None:
    """Log an error by its type and innermost line: an exception's text and a traceback can
    carry SQL parameters, names included, and the type and line are enough to find the bug."""
    traceback = error.__traceback__
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    where = f"{traceback.tb_frame.f_code.co_filename}:{traceback.tb_lineno}" if traceback else "?"
    fields = {"error": type(error).__name__, "at": where}  # the JSON log line's own fields
    log.error("unexpected error: %s at %s", type(error).__name__, where, extra={"fields": fields})
