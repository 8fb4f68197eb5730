"""The rule of who may import whom (README, "How the code is laid out"), read from the code.

    shell        workflow/__init__.py, workflow/serving/, the commands, wsgi.py
    HTTP         workflow/api/ (JSON), workflow/web/ (pages), workflow/http/ (what both share)
    application  workflow/services/: what a user can do, each use noting the trail
    domain       the engine, permissions, rules, operations, models, audit/, forms/

An arrow may only point down: the domain never imports the application layer or HTTP, the
application layer never imports HTTP, and the two front ends never import each other."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("workflow", "audit", "forms")
HTTP = ("workflow.api", "workflow.web", "workflow.http")
SERVICES = ("workflow.services",)
FRONT_ENDS = ("workflow.api", "workflow.web")
# The kernel: the workflow as data and the rules that judge it; it knows nothing of Flask.
KERNEL = (
    "workflow.rules",
    "workflow.engine",
    "workflow.permissions",
    "workflow.errors",
    "workflow.vocabulary",
    "workflow.text",
    "workflow.references",
    "workflow.db",
    "audit.chain",
    "audit.merkle",
)
WEB_FRAMEWORK = ("flask", "werkzeug", "flask_openapi3", "flask_babel", "flask_wtf")
# Flask's application context (configuration, the per-request store) and its command line are
# not HTTP; everything else Flask offers is, and stays in the HTTP layer.
APPLICATION_CONTEXT = {"current_app", "g", "Flask", "has_request_context"}
# An upload's type is declared with the request models it arrives in.
UPLOAD_TYPE = {"FileStorage"}
# Flask-Babel's catalogs are read through the application context too, so that mail written by
# a command is in its reader's language, from the pages' own catalogs.
TRANSLATION = {"force_locale", "gettext", "ngettext"}


def modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield name, path


def imports(path: Path) -> Iterator[tuple[str, set[str]]]:
    """Each module the file imports, with the names it takes from it (empty: the module)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, set()
        elif isinstance(node, ast.ImportFrom) and node.level:
            yield "." * node.level + (node.module or ""), set()  # relative: refused below
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in PACKAGES:
                for alias in node.names:
                    # `from workflow import transactions` imports workflow.transactions
                    yield f"{node.module}.{alias.name}", set()
            yield node.module, {alias.name for alias in node.names}


def within(name: str, places: tuple[str, ...]) -> bool:
    return any(name == place or name.startswith(place + ".") for place in places)


def is_shell(name: str) -> bool:
    """create_app, the server and the commands."""
    last = name.split(".")[-1]
    return name == "workflow" or within(name, ("workflow.serving",)) or last in COMMANDS


COMMANDS = ("cli", "commands")


def layer_breaches() -> list[str]:
    breaches = []
    for name, path in modules():
        for imported, taken in imports(path):
            breach = _breach(name, imported, taken)
            if breach:
                breaches.append(f"{name} imports {imported} {sorted(taken)}: {breach}")
    return breaches


def _breach(name: str, imported: str, taken: set[str]) -> str | None:
    http, shell = within(name, HTTP), is_shell(name)
    if imported.startswith("."):
        return "imports name their module in full, so this rule can read them"
    if within(name, ("workflow.http",)) and within(imported, FRONT_ENDS):
        return "what the front ends share imports neither of them"
    ours = imported.split(".")[0] in PACKAGES and imported != "workflow"
    if not shell and ours and is_shell(imported):
        return "only the shell imports the server and the commands"
    if within(name, ("workflow.api",)) and within(imported, ("workflow.web",)):
        return "the API and the pages never import each other"
    if within(name, ("workflow.web",)) and within(imported, ("workflow.api",)):
        return "the API and the pages never import each other"
    if not (http or shell) and within(imported, HTTP):
        return "only the shell imports the HTTP layer"
    if not (http or shell or within(name, SERVICES)) and within(imported, SERVICES):
        return "the domain never imports the application layer"
    if within(name, KERNEL) and within(imported, WEB_FRAMEWORK):
        return "the kernel knows nothing of Flask"
    if http or shell or not within(imported, WEB_FRAMEWORK):
        return None
    if (
        imported in ("flask", "flask_openapi3")
        and taken
        and taken <= (APPLICATION_CONTEXT | UPLOAD_TYPE)
    ):
        return None
    if imported == "flask.cli" and name.endswith(("cli", "commands", "upkeep", "demo")):
        return None
    if imported == "flask_babel" and taken and taken <= TRANSLATION:
        return None
    return "HTTP stays in the HTTP layer"


def test_no_import_runs_up_a_layer() -> None:
    assert layer_breaches() == []


@pytest.mark.parametrize(
    ("importer", "imported", "taken"),
    [
        ("workflow.web.views.steps", "workflow.api.cases", set()),
        ("workflow.api.cases", "workflow.web.casepage", set()),
        ("audit.queries", "workflow.http.trail", set()),
        ("workflow.operations", "workflow.services.cases", set()),
        ("workflow.engine", "flask", {"g"}),
        ("workflow.engine", "flask_babel", {"gettext"}),
        ("workflow.reminders.letters", "flask_babel", {"get_locale"}),
        ("forms.operations", "flask", {"request"}),
        ("workflow.models.case", "werkzeug.exceptions", {"NotFound"}),
        ("workflow.http.errors", "workflow.web.refusals", set()),
        ("workflow.operations", "workflow.serving.bodies", set()),
        ("workflow.services.cases", "workflow.cli", set()),
        ("workflow.operations", ".access", set()),
    ],
)
def test_an_arrow_up_a_layer_is_caught(importer: str, imported: str, taken: set[str]) -> None:
    """The rule itself: each of these would be a breach."""
    assert _breach(importer, imported, taken) is not None


def test_the_rule_sees_every_package() -> None:
    names = {name for name, _path in modules()}
    assert {"workflow.services.cases", "workflow.http.errors", "audit.recorder"} <= names
    assert {"forms.operations", "workflow.api.audit", "workflow.web.views.steps"} <= names
