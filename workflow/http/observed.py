"""Each request, once answered: one log line and the request metrics. The line names the
route's template, never the address asked for (whose query string can hold a searched name),
and the user by id, never by name; no header, query string or body is ever in it."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request
from sqlalchemy import inspect

from audit.actions import action_of
from workflow.http.trail import acting_user
from workflow.observe import metrics
from workflow.observe.logs import FIELDS

log = logging.getLogger(__name__)
log.setLevel(logging.INFO)  # one line per request, whatever the level of libraries' logs
SIGN_IN = "auth.login"  # the trail's action of the API's and the pages' sign-in


def init_app(app: Flask) -> None:
    """Register before the other hooks: the clock starts before those that do any work, and
    the line is written after all of them, with the status actually sent (a failed commit's)."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start_clock)
    app.after_request(note_request)


def _start_clock() -> None:
    g.observed_since = time.perf_counter()


def note_request(response: Response) -> Response:
    seconds = time.perf_counter() - g.get("observed_since", time.perf_counter())
    route = request.url_rule.rule if request.url_rule else None
    metrics.observe_request(route, request.method, response.status_code, seconds)
    if action_of(request.endpoint) == SIGN_IN and response.status_code >= 400:
        metrics.count_sign_in_failure(str(g.get("audit_outcome") or response.status_code))
    fields = {
        "route": route,
        "method": metrics.method_label(request.method),
        "status": response.status_code,
        "duration_ms": round(seconds * 1000, 2),
        "user_id": _user_id(),
    }
    log.info("%s %s %s", fields["method"], route or "-", fields["status"], extra={FIELDS: fields})
    return response


def _user_id() -> str | None:
    """The signed-in user (or the one who just signed in) by their opaque id, taken from the
    object's identity: the request's commit has expired its attributes, and reading `user.id`
    would cost a query on every request."""
    user = acting_user()
    identity = inspect(user).identity if user is not None else None
    return str(identity[0]) if identity else None
