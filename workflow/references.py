"""Case references: short enough to read aloud, random enough that nobody can guess one."""

from __future__ import annotations

import secrets

# Crockford's base32: no I, L, O or U, so a reference survives being read over the phone.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS, GROUP_LENGTH = 3, 4  # 60 random bits


def new_reference() -> str:
    """A fresh reference such as HW-7KQ2-M9XD-4TRB."""
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))
    return "HW-" + "-".join(groups)


def looks_like_reference(value: str) -> bool:
    parts = value.split("-")
    return (
        len(parts) == GROUPS + 1
        and parts[0] == "HW"
        and all(len(p) == GROUP_LENGTH and set(p) <= set(ALPHABET) for p in parts[1:])
    )
