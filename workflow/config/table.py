"""The README's configuration table, written from the settings' declarations so that it cannot
fall behind them."""

from __future__ import annotations

from pydantic.fields import FieldInfo

from workflow.config.settings import PREFIX, Settings, allowed, bounds, noted

BEGIN = (
    "<!-- settings table: written by `homeward config table` from workflow/config/settings.py -->"
)
END = "<!-- end of settings table -->"


def markdown_table() -> str:
    """One row per HOMEWARD_* variable: its name, its default and what it means."""
    rows = [
        f"| `{PREFIX}{name}` | {_default(field)} | {_meaning(field)} |"
        for name, field in Settings.model_fields.items()
    ]
    return "\n".join(["| variable | default | meaning |", "|---|---|---|", *rows]) + "\n"


def table_in(readme: str) -> str:
    """The table between the README's markers, as `markdown_table` writes it."""
    start = readme.index(BEGIN) + len(BEGIN) + 1
    return readme[start : readme.index(END, start)]


def _default(field: FieldInfo) -> str:
    if relative := noted(field, "in_instance"):
        return f"`<instance>/{relative}`"
    if meaning := noted(field, "when_unset"):
        return str(meaning)
    if isinstance(field.default, bool):
        return f"`{str(field.default).lower()}`"
    return f"`{field.default}`" if field.default != "" else "empty"


def _meaning(field: FieldInfo) -> str:
    description = str(field.description)
    if span := bounds(field):
        return f"{description} ({span[0]} to {span[1]})"
    if choices := allowed(field):
        return f"{description} (one of {', '.join(f'`{choice}`' for choice in choices)})"
    return description
