"""gunicorn's own messages (starting, workers booting and exiting, refused heads) as the same
JSON lines the application writes, when HOMEWARD_LOG_FORMAT is `json`."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from workflow.observe.logs import JsonFormatter


class JsonServerLog(Logger):  # type: ignore[misc]
    """gunicorn's logger with every handler writing JSON; its access log stays off, since the
    application writes one line per request itself, with the route and not the address."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in [*self.error_log.handlers, *self.access_log.handlers]:
            handler.setFormatter(JsonFormatter())
