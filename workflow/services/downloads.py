"""A file handed to the user: its bytes, its type and the name it is saved under."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Download:
    content: bytes
    content_type: str
    filename: str  # made by Homeward from the kind and an id, never from anything uploaded
