"""Where a request meets its unit of work: it begins reading or writing by its method, and it
ends with the one commit, or with an error response if that commit fails."""

from __future__ import annotations

from flask import Flask, Response, request

from workflow import transactions
from workflow.errors import log_safely
from workflow.http.errors import response_for

# Requests that only read: their transaction takes no write lock, and their audit event is
# appended in a short transaction of its own at the end.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask) -> None:
    transactions.init_app(app)
    # First of the before-request hooks, whenever registered: any of them may read.
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.after_request(_end)


def _begin() -> None:
    transactions.begin_request(reading=request.method in READING_METHODS)


def _end(response: Response) -> Response:
    """Commit the request's work; a failure to commit becomes its error response, and the
    refused request's event is still kept, as for any refusal."""
    try:
        transactions.end_request(response.status_code)
    except Exception as error:
        refusal = response_for(error)
        try:
            transactions.keep_refusal(refusal.status_code)
        except Exception as failure:  # the trail itself cannot be written: nothing is kept
            log_safely(failure)
        return refusal
    return response
