"""Response headers for a sensitive service, a limit on request headers, and opt-in CORS."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

from workflow.errors import HeadersTooLarge

SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# JSON needs no sources at all; the verification page and downloads set stricter ones of their own.
DEFAULT_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
# The web pages load only their own stylesheet, images and script; forms post only back here.
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# The public page that answers a scanned QR code: its one stylesheet is inline.
VERIFY_PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
# Case data, tokens and verification answers must not stay in a shared or browser cache.
PRIVATE_PREFIXES = ("/api/v1/", "/verify")
CORS_METHODS = "GET, POST, PATCH"
CORS_REQUEST_HEADERS = "Authorization, Content-Type, If-Match, X-Request-Id, X-Purpose"
CORS_EXPOSED_HEADERS = "ETag, X-Request-Id, X-Verification-Code"
PREFLIGHT_MAX_AGE = "600"


def init_app(app: Flask) -> None:
    app.before_request(refuse_large_headers)
    app.before_request(answer_preflight)
    app.after_request(add_security_headers)
    app.after_request(add_cors_headers)


def refuse_large_headers() -> None:
    """Refuse a request whose headers together exceed MAX_HEADER_BYTES."""
    # WSGI hands header values over as Latin-1 text, so characters are bytes; 4 is ": " and CRLF.
    size = sum(len(name) + len(value) + 4 for name, value in request.headers.items())
    if size > int(current_app.config["MAX_HEADER_BYTES"]):
        raise HeadersTooLarge("The request headers are too large.")


def answer_preflight() -> Response | None:
    """Answer a CORS preflight from an allowed origin before any view or sign-in check runs."""
    is_preflight = (
        request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
    )
    if not is_preflight or allowed_origin() is None:
        return None
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
    response.headers["Access-Control-Allow-Headers"] = CORS_REQUEST_HEADERS
    response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response


def add_security_headers(response: Response) -> Response:
    """Stamp the headers every response carries, keeping a view's own policy and caching."""
    response.headers.update(SECURITY_HEADERS)
    response.headers.setdefault("Content-Security-Policy", DEFAULT_POLICY)
    if request.path.startswith(PRIVATE_PREFIXES):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def add_cors_headers(response: Response) -> Response:
    """Let a configured origin read the response; say nothing to any other."""
    if not configured_origins():
        return response
    response.vary.add("Origin")  # the answer depends on the Origin, so caches must key on it
    origin = allowed_origin()
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
    return response


def allowed_origin() -> str | None:
    """The request's Origin if it is exactly one of CORS_ORIGINS, else None."""
    origin = request.headers.get("Origin")
    return origin if origin in configured_origins() else None


def configured_origins() -> set[str]:
    raw = str(current_app.config["CORS_ORIGINS"] or "")
    return {origin.strip() for origin in raw.split(",") if origin.strip()}


def parse_version(text: str) -> int | None:
    """A case version as an ETag, `If-Match` or a page's form field gives it (`"3"`, `W/"3"`,
    `3`); None if it is not one."""
    value = text.strip().removeprefix("W/").strip('"')
    return int(value) if value.isdigit() and len(value) < 12 else None
