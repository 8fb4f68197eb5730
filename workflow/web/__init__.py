"""The web application: server-rendered pages for lawyers, officials and auditors, beside the
API in the same Flask app and built on the same operations, permissions and audit trail."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from flask import Flask, current_app, g, request, session
from flask.typing import ResponseReturnValue
from flask_babel import Babel
from werkzeug.exceptions import NotFound as WerkzeugNotFound

from workflow import errors
from workflow.config import ConfigError
from workflow.http.errors import http_error_response
from workflow.vocabulary import Language
from workflow.web.addresses import CONVERTERS
from workflow.web.blueprint import csrf, web
from workflow.web.refusals import error_page

# Each named in itself, for the picker.
LANGUAGES = {Language.EN: "English", Language.RU: "Русский", Language.KK: "Қазақша"}
# Addresses that machines call; they keep answering errors in JSON.
MACHINE_PREFIXES = ("/api/", "/verify", "/.well-known/", "/healthz", "/readyz")


def init_app(app: Flask) -> None:
    app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or _secret_key(app)
    app.config.update(
        SESSION_COOKIE_NAME="homeward_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["ENV"] == "production",
        # Checked by the web blueprint alone: API calls carry a bearer token, not a cookie.
        WTF_CSRF_CHECK_DEFAULT=False,
        # A form lives as long as the sign-in it belongs to; the session's limits end both.
        WTF_CSRF_TIME_LIMIT=None,
    )
    csrf.init_app(app)
    Babel(app, locale_selector=chosen_language, default_translation_directories="web/translations")
    from workflow.web import views  # noqa: F401 - the views attach themselves to the blueprint

    app.url_map.converters.update(CONVERTERS)  # before the blueprint's routes are added
    app.register_blueprint(web)
    app.register_error_handler(404, no_such_page)


def no_such_page(error: WerkzeugNotFound) -> ResponseReturnValue:
    """An address no route knows: a page for a person, the contract's JSON for the API."""
    if request.path.startswith(MACHINE_PREFIXES):
        return http_error_response(error)
    return error_page(errors.NotFound("There is no such page."))


def chosen_language() -> str:
    """The language picked in this browser, else the one the signed-in user last chose, else
    the browser's preference among ours, else HOMEWARD_DEFAULT_LANGUAGE."""
    picked = session.get("language")
    if picked in LANGUAGES:
        return str(picked)
    user = g.get("user")
    if user is not None and user.language is not None:
        return str(user.language)
    preferred = request.accept_languages.best_match(list(LANGUAGES))
    return preferred or str(current_app.config["DEFAULT_LANGUAGE"])


def _secret_key(app: Flask) -> str:
    """HOMEWARD_WEB_SECRET_KEY, else a key made once and kept in the instance folder."""
    configured = app.config.get("WEB_SECRET_KEY")
    if configured:
        return str(configured)
    if app.config["ENV"] == "production":
        raise ConfigError(
            "HOMEWARD_WEB_SECRET_KEY is not set: in production every instance must sign the web "
            "pages' sessions with the same secret"
        )
    path = Path(app.instance_path) / "web-secret.key"
    if not path.exists():
        # Several workers may start at once: each writes its own file, owner-only from the
        # start, and the first to link it into place wins; the others read the winner's key.
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        partial.touch(mode=0o600, exist_ok=False)
        try:
            partial.write_text(secrets.token_urlsafe(48), encoding="ascii")
            with contextlib.suppress(FileExistsError):
                os.link(partial, path)
        finally:
            partial.unlink()
    return path.read_text(encoding="ascii").strip()
