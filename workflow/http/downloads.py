"""Files handed to a browser or a client: always saved, never shown inline or sniffed."""

from __future__ import annotations

from flask import Response

from workflow.services.downloads import Download

# A file opened from this address anyway runs nothing and loads nothing.
DOWNLOAD_POLICY = "default-src 'none'; sandbox"


def attachment(download: Download, status: int = 200) -> Response:
    """The file as an attachment under the name Homeward gave it, kept in no cache."""
    response = Response(download.content, status=status, mimetype=download.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = DOWNLOAD_POLICY
    return response


def issued_form(download: Download, code: str, status: int) -> Response:
    """A signed form, with the code that verifies it."""
    response = attachment(download, status)
    response.headers["X-Verification-Code"] = code
    return response


def trail_export(download: Download, next_cursor: int | None) -> Response:
    """An export of the trail, with the cursor of the page after it, if there is one."""
    response = Response(download.content, mimetype=download.content_type)
    response.headers["Content-Disposition"] = f"attachment; filename={download.filename}"
    if next_cursor is not None:
        response.headers["X-Next-Cursor"] = str(next_cursor)
    return response
