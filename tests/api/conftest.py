"""The API's own fixtures: the test app served on a loopback port, as the browser tests use it."""

from __future__ import annotations

from tests.web.conftest import served

__all__ = ["served"]
