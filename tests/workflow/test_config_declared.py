"""Every setting the code reads is declared, every declared setting is read, and the README's
table is the one the declarations write: none of the three can drift from the others."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from flask import Flask

from workflow.config import Settings
from workflow.config.table import markdown_table, table_in

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("workflow", "forms", "audit")
# Read before there is an app, to know where the app's folder is.
READ_BEFORE_THE_APP = {"INSTANCE_PATH"}


def keys_read() -> Iterator[str]:
    """Each `…config["KEY"]`, `…config.get("KEY")` or `settings["KEY"]` in the packages."""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield from _keys_in(ast.parse(path.read_text(encoding="utf-8")))


def _keys_in(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_config(node.value):
            key = node.slice
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and _is_config(node.func.value)
            and node.args
        ):
            key = node.args[0]
        else:
            continue
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            yield key.value


def _is_config(node: ast.expr) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return name in ("config", "settings")


def test_every_key_the_code_reads_is_a_declared_setting_or_flasks_own() -> None:
    read = set(keys_read())

    assert {"ENV", "WORKING_HOURS", "OIDC_JWKS_CACHE_SECONDS", "SECRET_KEY"} <= read
    assert read - set(Settings.model_fields) - set(Flask.default_config) == set()


def test_every_declared_setting_is_read_somewhere() -> None:
    unread = set(Settings.model_fields) - set(keys_read()) - READ_BEFORE_THE_APP

    assert unread == set()


def test_the_readmes_table_is_the_one_the_settings_write() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert table_in(readme) == markdown_table(), (
        "the README's configuration table differs from the settings: run `homeward config "
        "table` and put its output between the table's markers"
    )


def test_the_table_has_one_well_formed_row_per_setting() -> None:
    rows = markdown_table().splitlines()[2:]

    assert [row.split("`")[1] for row in rows] == [f"HOMEWARD_{n}" for n in Settings.model_fields]
    assert all(row.count(" | ") == 2 and row.startswith("| ") for row in rows)
    assert all(field.description for field in Settings.model_fields.values())
