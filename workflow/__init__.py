"""Homeward: the case workflow service. `create_app` builds the Flask application."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask_openapi3 import Info, OpenAPI
from werkzeug.middleware.proxy_fix import ProxyFix

from workflow import config, errors
from workflow.identity import passwords
from workflow.observe import logs

API_INFO = Info(
    title="Homeward API",
    version="1",
    description="Restoring the legal identity of repatriated children, step by step.",
)
SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
}


class Homeward(OpenAPI):
    """The Flask application, which asks once whether each of its views and hooks is a
    coroutine: Flask asks before every call, a look into the function's code each time, and a
    case read calls a dozen of them. Only so many are remembered, as a function made for one
    request (`after_this_request`) is never seen again."""

    REMEMBERED = 512

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._callable: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        made = self._callable.get(func)
        if made is None:
            made = super().ensure_sync(func)
            if len(self._callable) < self.REMEMBERED:
                self._callable[func] = made
        return made


def create_app(test_config: dict[str, Any] | None = None) -> Homeward:
    """Build the app from defaults, then HOMEWARD_* variables, then the test override."""
    from workflow.http import errors as http_errors

    instance = config.instance_path()
    app = Homeward(
        __name__,
        info=API_INFO,
        security_schemes=SECURITY_SCHEMES,
        doc_prefix="/api/v1",
        doc_url="/openapi.json",
        doc_ui=False,
        validation_error_status=422,
        validation_error_model=errors.ErrorBody,
        validation_error_callback=http_errors.validation_error_response,
        instance_path=str(instance),
        instance_relative_config=True,
    )
    app.config.update(config.app_config(instance, test_config))
    logs.configure(app.config["LOG_FORMAT"])  # first: what follows may already log
    if app.config["ENV"] == "production":
        from workflow import preflight

        preflight.refuse_unsafe(preflight.settings_checks(app.config))
    _prepare(app, Path(app.instance_path))
    from workflow.http import boundary, headers, observed, trail

    observed.init_app(app)  # its after-request hook runs last: it logs the status sent
    # Registered next, so its after-request hook runs before that: even the error response of
    # a failed commit carries the security headers.
    headers.init_app(app)
    trail.init_app(app)  # before the boundary: a refusal made at commit gets its request id too
    boundary.init_app(app)
    http_errors.init_app(app)
    passwords.init_app(app)
    from audit.cli import audit_group
    from workflow import api, cli, web
    from workflow.serving import bodies

    bodies.init_app(app)  # after the trail starts, so a refused body is still an event
    api.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    app.cli.add_command(audit_group)
    _watch(app)
    return app


def _watch(app: OpenAPI) -> None:
    """The gauges /metrics reads from the database when scraped."""
    from workflow.observe.gauges import DatabaseGauges

    app.extensions["homeward.gauges"] = [DatabaseGauges()]


def _prepare(app: OpenAPI, instance: Path) -> None:
    instance.mkdir(parents=True, exist_ok=True, mode=0o700)
    # A document upload or an intake manifest is the largest body, with a little framing.
    largest = max(int(app.config["MAX_DOCUMENT_BYTES"]), int(app.config["MAX_INTAKE_BYTES"]))
    app.config["MAX_CONTENT_LENGTH"] = largest + 64 * 1024
    app.json.sort_keys = False  # type: ignore[attr-defined]
    _trust_proxies(app)
    # Werkzeug's access log prints query strings, which can hold a searched name.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def _trust_proxies(app: OpenAPI) -> None:
    """Believe X-Forwarded-For from exactly as many reverse proxies as configured, never more:
    per-address limits and the trail's client address must be the client's, not the proxy's,
    and a client must not be able to name its own address. The settings checked the number."""
    hops = int(app.config["TRUSTED_PROXY_HOPS"])
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
