"""The folders of keys (token signing keys, data keys), read on first use and again when a key
is added to them, which `homeward keys rotate` and `rotate-data` may do in another process."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from flask import current_app, g, has_request_context


class Ring(Protocol):
    """Keys read from a folder, stamped with the folder's state when they were read."""

    @property
    def loaded_at(self) -> int:
        """The folder's modification time when it was read."""


R = TypeVar("R", bound=Ring)


def keys_in(
    extension: str,
    setting: str,
    pattern: str,
    create: Callable[[Path], Any],
    load: Callable[[Path], R],
    *,
    again: bool = False,
) -> R:
    """The keys of the folder the setting names, kept in the app as `extension`.

    A request looks at the folder once, unless asked to look `again`, and keeps the keys it
    found for its other asks: a case read opens a dozen sealed values, and each look was a
    system call that gave up the interpreter's lock to the other threads. A command looks every
    time, since it may add a key and then seal with it."""
    looked: dict[str, Any] = (
        g.setdefault("homeward_key_folders", {}) if has_request_context() else {}
    )
    if not again and extension in looked:
        seen: R = looked[extension]
        return seen
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    ring: R | None = app.extensions.get(extension)
    folder: str = app.config[setting]
    if ring is None or _modified(folder) != ring.loaded_at:
        directory = Path(folder)
        if not any(directory.glob(pattern)) and app.config["ENV"] != "production":
            create(directory)  # development only: production must be given its keys
        ring = app.extensions[extension] = load(directory)
    looked[extension] = ring
    return ring


def _modified(folder: str) -> int | None:
    """The folder's modification time, in one look; None if it is not a folder."""
    try:
        found = os.stat(folder)
    except OSError:
        return None
    return found.st_mtime_ns if stat.S_ISDIR(found.st_mode) else None
